import type { Logger } from 'pino';
import type { SourceConfig } from '../src/config/types.js';
import type { HttpClient } from '../src/http/http-client.js';
import type { MappingContext } from '../src/mapping/context.js';
import type { MappingResult } from '../src/model/record.js';

/**
 * The Connector contract. A connector speaks one protocol: it pages through a source and
 * yields raw records. It never touches the store and never maps records; the harvest run
 * does both. Adding a portal family is one file here plus, where possible, one mapping.
 */

/** HTTP validators of a record's answer (ETag, Last-Modified), for conditional requests. */
export interface RecordValidators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

/** One record as the source sent it. */
export interface RawRecord {
  /** The source's own id for the record (the identifier in the cross-platform spec). */
  nativeId: string;
  payload: unknown;
  /** Validators of the answer that carried it, kept for the next conditional request. */
  validators?: RecordValidators | undefined;
}

/** A record (or part of the listing) the connector could not get; the run goes on. */
export interface SourceFailure {
  nativeId?: string | undefined;
  stage: 'fetch' | 'parse' | 'list';
  /** Short cause name used to group failures in run reports: http-500, timeout, malformed-json ... */
  rule: string;
  field?: string | undefined;
  message: string;
}

export interface RecordPage {
  records: RawRecord[];
  /**
   * Native ids the source listed whose stored copy still stands: not re-fetched because the
   * protocol said they did not change, or answered 304 Not Modified. They count as present.
   */
  unchanged: string[];
  /**
   * Native ids the source itself says were deleted (an OAI-PMH deleted header, a change list's
   * removals). Authoritative, so they are withdrawn at once, whatever the run's outcome.
   */
  deleted?: string[];
  failures: SourceFailure[];
}

/** What the gateway already holds of these native ids: known ids, with their stored validators. */
/** Asks the store (asynchronous); a fixed answer may come at once. */
export type KnownRecords = (nativeIds: readonly string[]) => ReadonlyMap<string, RecordValidators> | Promise<ReadonlyMap<string, RecordValidators>>;

/** What the connector's records are: selects the mapping the run applies. */
export type { RecordFormat } from '../src/mapping/index.js';
import type { RecordFormat } from '../src/mapping/index.js';

export interface HarvestContext {
  http: HttpClient;
  /** UTC instant: ask only for records changed since then, when the protocol can. Null: everything. */
  since: string | null;
  /** Look up what is already stored, to skip unchanged records and send conditional requests. */
  known: KnownRecords;
  signal: AbortSignal;
  log: Logger;
}

export interface Connector {
  /** What the connector's records are; the run maps them with MAPPERS[recordFormat] unless `map` is given. */
  readonly recordFormat: RecordFormat;
  /**
   * The connector's own mapping of one payload to the national record (foreign vocabularies), in
   * the source's mapping context (its time zone and language: src/mapping/context.ts).
   */
  map?(payload: unknown, context: MappingContext): MappingResult;
  /**
   * The time zone of naive date-times and the language of untagged text where the source's
   * configuration says nothing: FOREIGN_MAPPING_CONTEXT (UTC, language unknown) for foreign
   * vocabularies; absent: Taiwanese defaults (Asia/Taipei, zh-Hant).
   */
  readonly mappingDefaults?: MappingContext;
  /** Whether `since` is honoured; a connector that ignores it always lists everything. */
  readonly incremental: boolean;
  /**
   * Whether a run without failures has listed every record the source holds, incremental or
   * not. Only then may records it did not list be withdrawn.
   */
  readonly listsEverything: boolean;
  /**
   * Yield pages of records. Throw (a typed error) only when the source as a whole cannot
   * be read: the run then fails, keeping the pages already yielded.
   */
  harvest(context: HarvestContext): AsyncIterable<RecordPage>;
}

export interface ConnectorDefinition {
  type: SourceConfig['type'];
  /** False while the connector is being written: configuration naming it is refused. */
  available?: boolean;
  /** JSON Schema of `options` (without the shared `http` key, which the registry adds). */
  optionsSchema: Record<string, unknown>;
  create(source: SourceConfig): Connector;
}

/**
 * The source as a whole could not be read (bad listing, not this protocol ...). A subclass may
 * carry a `rule` naming the cause (e.g. `csw-exception`), under which run reports group it.
 */
export class SourceProtocolError extends Error {
  constructor(
    readonly sourceId: string,
    message: string,
  ) {
    super(`${sourceId}: ${message}`);
    this.name = 'SourceProtocolError';
  }
}
