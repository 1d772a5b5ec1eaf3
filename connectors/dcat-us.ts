import type { Connector, ConnectorDefinition, HarvestContext, RawRecord, RecordPage, RecordValidators, SourceFailure } from './connector.js';
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from '../src/mapping/context.js';
import { describeJson as describe, jsonTextOf } from './describe-json.js';
import { SourceProtocolError } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';
import { MalformedBodyError } from '../src/http/http-client.js';
import { dcatUsIdentifier, mapDcatUsDataset } from '../src/mapping/dcat-us.js';

/**
 * DCAT-US / Project Open Data catalogue: one `data.json` document (1.1, or 3.0) whose datasets
 * are in `dataset[]` — and, in 3.0, also in nested `catalog[]`, in `datasetSeries[]` members
 * and in `service[].servesDataset` (as data.gov's harvester reads them). The document is read
 * whole (the HTTP client's size cap applies) and its datasets are yielded in pages.
 *
 * Conditional GET: the document's ETag / Last-Modified are stored with each record. A run
 * sends them only when it knows which records that version of the document held — the
 * connector remembers the ids of the last document it read completely, per source and URL, for
 * the life of the process (connectors are made per run; nothing else carries state between
 * runs, and the store lists records only by id). On a 304 those ids are reported unchanged, so
 * the run still lists everything and withdraws nothing that is in the document. After a restart
 * the first run simply fetches the document again. A 304 can never withdraw anything: the
 * request is conditional only when the ids of its document are known.
 */
interface DcatUsOptions {
  /** Datasets per yielded page (the document is read at once; this bounds the work per store write). */
  pageSize: number;
  /** Stop after this many datasets: a guard against absurd documents. */
  maxDatasets: number;
  /** Send the stored validators so an unchanged document costs a 304. */
  conditional: boolean;
}

const DEFAULTS: DcatUsOptions = { pageSize: 500, maxDatasets: 500_000, conditional: true };

/** How deep nested 3.0 catalogues are followed. */
const MAX_CATALOG_DEPTH = 8;

export const dcatUsConnector: ConnectorDefinition = {
  type: 'dcat-us',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pageSize: { type: 'integer', minimum: 1, maximum: 100_000 },
      maxDatasets: { type: 'integer', minimum: 1 },
      conditional: { type: 'boolean' },
    },
  },
  create(source: SourceConfig): Connector {
    const options = { ...DEFAULTS, ...(source.options as Partial<DcatUsOptions>) };
    return new DcatUsConnector(source.id, source.url, options);
  },
};

/** The last document read whole, per source and URL: its validators and the ids it held. */
interface DocumentMemory {
  validators: RecordValidators;
  nativeIds: string[];
}

const lastDocuments = new Map<string, DocumentMemory>();

/** For tests: forget every remembered document, as a process restart would. */
export function forgetDcatUsDocuments(): void {
  lastDocuments.clear();
}

class DcatUsConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly mappingDefaults = FOREIGN_MAPPING_CONTEXT;
  /** The document has no "changed since" query: every run reads it (or gets a 304). */
  readonly incremental = false;
  /** Every run lists the whole document (a 304 lists the ids of the unchanged document). */
  readonly listsEverything = true;

  constructor(
    private readonly sourceId: string,
    private readonly url: string,
    private readonly options: DcatUsOptions,
  ) {}

  map(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT) {
    return mapDcatUsDataset(payload, context);
  }

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    const memoryKey = `${this.sourceId}\u0000${this.url}`;
    const remembered = this.options.conditional ? await this.stillStored(context, lastDocuments.get(memoryKey)) : undefined;

    const response = await context.http.get(this.url, {
      signal: context.signal,
      headers: { accept: 'application/json' },
      validators: remembered?.validators,
    });
    if (response.notModified) {
      if (!remembered) throw new SourceProtocolError(this.sourceId, `${this.url} answered 304 Not Modified to a request that was not conditional`);
      context.log.info({ source: this.sourceId, unchanged: remembered.nativeIds.length }, 'data.json not modified');
      for (let i = 0; i < remembered.nativeIds.length; i += this.options.pageSize) {
        yield { records: [], unchanged: remembered.nativeIds.slice(i, i + this.options.pageSize), failures: [] };
      }
      return;
    }

    const document = this.parse(response.headers['content-type'], response.body);
    const { datasets, failures } = this.collectDatasets(document);
    const validators = response.validators;
    const records: RawRecord[] = datasets.map(({ nativeId, dataset }) => ({ nativeId, payload: dataset, validators }));
    if (records.length === 0 && failures.length === 0) context.log.warn({ source: this.sourceId }, 'data.json lists no datasets');

    for (let i = 0; i < Math.max(records.length, 1); i += this.options.pageSize) {
      if (context.signal.aborted) return;
      yield { records: records.slice(i, i + this.options.pageSize), unchanged: [], failures: i === 0 ? failures : [] };
    }
    // Remembered only once every page was handed over: a cancelled run leaves no memory behind.
    lastDocuments.set(memoryKey, { validators, nativeIds: records.map((record) => record.nativeId) });
  }

  /**
   * The remembered document, if the store still holds its records with its validators (it
   * may have been emptied or harvested by another process since); else nothing is sent.
   */
  private async stillStored(context: HarvestContext, memory: DocumentMemory | undefined): Promise<DocumentMemory | undefined> {
    if (!memory || (!memory.validators.etag && !memory.validators.lastModified)) return undefined;
    const stored = await context.known(memory.nativeIds);
    const sameVersion = (validators: RecordValidators | undefined): boolean =>
      (validators?.etag ?? undefined) === memory.validators.etag && (validators?.lastModified ?? undefined) === memory.validators.lastModified;
    const held = memory.nativeIds.filter((id) => stored.has(id));
    if (held.length === 0 || !held.every((id) => sameVersion(stored.get(id)))) return undefined;
    return { validators: memory.validators, nativeIds: held };
  }

  private parse(contentTypeHeader: string | string[] | undefined, body: string): unknown {
    const contentType = String(contentTypeHeader ?? '');
    if (/html/i.test(contentType) && /^\s*</.test(body)) {
      throw new SourceProtocolError(this.sourceId, `${this.url} answered an HTML page (${contentType}), not a data.json catalogue`);
    }
    try {
      return JSON.parse(body) as unknown;
    } catch (err) {
      throw new MalformedBodyError(
        this.url,
        `data.json is not valid JSON (${(err as Error).message}); check that the source's url is the data.json document`,
        this.sourceId,
      );
    }
  }

  /**
   * Every dataset of the document, once each. Project Open Data 1.0 documents are a bare array
   * of datasets. A dataset without an identifier gets a positional id (`dataset[3]`) so that the
   * mapping rejects it by name; a second, different dataset under an id already seen is a failure.
   */
  private collectDatasets(document: unknown): { datasets: Array<{ nativeId: string; dataset: Record<string, unknown> }>; failures: SourceFailure[] } {
    const found: Array<{ path: string; dataset: unknown }> = [];
    if (Array.isArray(document)) {
      document.forEach((dataset, index) => found.push({ path: `[${index}]`, dataset }));
    } else if (isObject(document) && hasDatasetLists(document)) {
      collectFromCatalog(document, '', 0, found);
    } else {
      throw new SourceProtocolError(this.sourceId, `${this.url} is not a DCAT-US catalogue (a JSON object with a "dataset" list): ${describe(document)}`);
    }

    const datasets: Array<{ nativeId: string; dataset: Record<string, unknown> }> = [];
    const failures: SourceFailure[] = [];
    const byId = new Map<string, string>();
    for (const { path, dataset } of found) {
      if (!isObject(dataset)) {
        failures.push({ stage: 'parse', rule: 'not-a-dataset', message: `${path} is not a dataset object: ${describe(dataset)}` });
        continue;
      }
      const nativeId = dcatUsIdentifier(dataset) ?? path;
      // A dataset too deep to write out is passed on as unique: the record door refuses it.
      const json = jsonTextOf(dataset) ?? `#unwritable ${nativeId} ${datasets.length}`;
      const previous = byId.get(nativeId);
      if (previous !== undefined) {
        // data.gov's harvester drops duplicates too; an identical copy (a series member also
        // listed at the top) is the same dataset and not an error.
        if (previous !== json) {
          failures.push({
            nativeId,
            stage: 'parse',
            rule: 'duplicate-identifier',
            message: `${path} repeats the identifier ${JSON.stringify(nativeId)} with different content; the first one is kept`,
          });
        }
        continue;
      }
      byId.set(nativeId, json);
      datasets.push({ nativeId, dataset });
      if (datasets.length > this.options.maxDatasets) {
        failures.push({
          stage: 'list',
          rule: 'too-many-datasets',
          message: `data.json holds more than ${this.options.maxDatasets} datasets (maxDatasets); the rest were not read`,
        });
        datasets.pop();
        break;
      }
    }
    return { datasets, failures };
  }
}

function hasDatasetLists(catalog: Record<string, unknown>): boolean {
  return ['dataset', 'datasetSeries', 'catalog', 'service'].some((key) => Array.isArray(catalog[key]));
}

/** dataset[], datasetSeries[].seriesMember/first/last, service[].servesDataset and nested catalog[]. */
function collectFromCatalog(catalog: Record<string, unknown>, prefix: string, depth: number, found: Array<{ path: string; dataset: unknown }>): void {
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
  list(catalog['dataset']).forEach((dataset, i) => found.push({ path: `${prefix}dataset[${i}]`, dataset }));
  list(catalog['datasetSeries']).forEach((series, i) => {
    if (!isObject(series)) return;
    for (const key of ['seriesMember', 'first', 'last']) {
      list(series[key]).forEach((dataset, j) => {
        if (isObject(dataset)) found.push({ path: `${prefix}datasetSeries[${i}].${key}[${j}]`, dataset });
      });
    }
  });
  list(catalog['service']).forEach((service, i) => {
    if (!isObject(service)) return;
    list(service['servesDataset']).forEach((dataset, j) => {
      if (isObject(dataset)) found.push({ path: `${prefix}service[${i}].servesDataset[${j}]`, dataset });
    });
  });
  if (depth >= MAX_CATALOG_DEPTH) return;
  list(catalog['catalog']).forEach((child, i) => {
    if (isObject(child)) collectFromCatalog(child, `${prefix}catalog[${i}].`, depth + 1, found);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
