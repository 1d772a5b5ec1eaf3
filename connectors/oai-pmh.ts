import type { Connector, ConnectorDefinition, HarvestContext, RecordPage } from './connector.js';
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from '../src/mapping/context.js';
import type { SourceConfig } from '../src/config/types.js';
import type { MappingResult } from '../src/model/record.js';
import { mapOaiDublinCore } from '../src/mapping/oai-dc.js';
import { mapDataCite } from '../src/mapping/datacite.js';
import { all, first, textAt, type XmlElement } from '../src/mapping/xml-elements.js';
import { fetchXml, XmlSourceError } from './xml-response.js';

/**
 * OAI-PMH 2.0, ListRecords:
 *   {url}?verb=ListRecords&metadataPrefix=oai_dc[&set=…][&from=…]   then   {url}?verb=ListRecords&resumptionToken=…
 * Each record is yielded whole (header + metadata element tree) under its OAI identifier; a
 * header with status="deleted" goes to the page's `deleted` (withdrawn at once by the run).
 *
 * Incremental through `from` (the since instant at the repository's datestamp granularity, read
 * from Identify: day granularity asks from the start of that UTC day, which re-reads a little but
 * never misses). Only a run without `from` lists everything; an incremental run relies on
 * deleted headers for deletions (repositories with deletedRecord "no" never send them).
 */
type MetadataPrefix = 'oai_dc' | 'oai_datacite' | 'datacite';

interface OaiPmhOptions {
  metadataPrefix: MetadataPrefix;
  /** Harvest one set only (setSpec). */
  set?: string;
  /** Ask with `from` when a previous good run exists. */
  incremental: boolean;
  /** `from` granularity: read from Identify (auto), or fixed. */
  granularity: 'auto' | 'YYYY-MM-DD' | 'YYYY-MM-DDThh:mm:ssZ';
  /** Stop after this many pages: a guard against tokens that never end. */
  maxPages: number;
}

const DEFAULTS: OaiPmhOptions = { metadataPrefix: 'oai_dc', incremental: true, granularity: 'auto', maxPages: 100_000 };

const MAPPERS: Readonly<Record<MetadataPrefix, (payload: unknown, context: MappingContext) => MappingResult>> = {
  oai_dc: mapOaiDublinCore,
  oai_datacite: mapDataCite,
  datacite: mapDataCite,
};

/** Every error code of OAI-PMH 2.0 (section 3.6), with what it means for a harvest. */
const ERROR_CODES: Readonly<Record<string, string>> = {
  badArgument: 'the request has an illegal or missing argument (check set and metadataPrefix)',
  badResumptionToken: 'the resumptionToken is invalid or expired',
  badVerb: 'the repository does not know the ListRecords verb: is the url an OAI-PMH base URL?',
  cannotDisseminateFormat: 'the repository does not offer this metadataPrefix',
  idDoesNotExist: 'an identifier is unknown to the repository',
  noRecordsMatch: 'no records match (an empty harvest)',
  noMetadataFormats: 'the repository offers no metadata formats',
  noSetHierarchy: 'the repository does not support sets; remove the set option',
};

export const oaiPmhConnector: ConnectorDefinition = {
  type: 'oai-pmh',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      metadataPrefix: { enum: ['oai_dc', 'oai_datacite', 'datacite'] },
      set: { type: 'string', minLength: 1 },
      incremental: { type: 'boolean' },
      granularity: { enum: ['auto', 'YYYY-MM-DD', 'YYYY-MM-DDThh:mm:ssZ'] },
      maxPages: { type: 'integer', minimum: 1 },
    },
  },
  create(source: SourceConfig): Connector {
    return new OaiPmhConnector(source.id, source.url, { ...DEFAULTS, ...(source.options as Partial<OaiPmhOptions>) });
  },
};

/** An OAI-PMH error answer; `code` is the protocol's error code. */
export class OaiPmhError extends XmlSourceError {
  constructor(
    sourceId: string,
    readonly code: string,
    message: string,
  ) {
    super(sourceId, `oai-${code}`, message);
    this.name = 'OaiPmhError';
  }
}

class OaiPmhConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly mappingDefaults = FOREIGN_MAPPING_CONTEXT;
  readonly incremental: boolean;
  private fullRun = false;

  constructor(
    private readonly sourceId: string,
    private readonly baseUrl: string,
    private readonly options: OaiPmhOptions,
  ) {
    this.incremental = options.incremental;
  }

  /**
   * True only for a run without `from` (the run reads this after the harvest; a connector is
   * created per run). An incremental ListRecords lists changes only.
   */
  get listsEverything(): boolean {
    return this.fullRun;
  }

  map(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
    return MAPPERS[this.options.metadataPrefix](payload, context);
  }

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    this.fullRun = context.since === null;
    const from = context.since === null ? undefined : await this.fromParameter(context, context.since);
    const seenTokens = new Set<string>();
    let url = this.firstUrl(from);
    for (let pages = 1; ; pages += 1) {
      if (context.signal.aborted) return;
      const listing = await this.fetchListRecords(context, url);
      if (listing === 'noRecordsMatch') return;
      const page = this.readRecords(listing, url);
      const token = textAt(listing, 'oai:resumptionToken');
      if (token === undefined) {
        yield page;
        return;
      }
      if (seenTokens.has(token)) {
        page.failures.push({
          stage: 'list',
          rule: 'resumption-loop',
          message: `the repository sent resumptionToken ${JSON.stringify(token)} a second time (${url}); paging stopped`,
        });
        yield page;
        return;
      }
      if (pages >= this.options.maxPages) {
        page.failures.push({ stage: 'list', rule: 'too-many-pages', message: `listing passed ${this.options.maxPages} pages (maxPages); stopped` });
        yield page;
        return;
      }
      seenTokens.add(token);
      yield page;
      url = this.tokenUrl(token);
    }
  }

  private firstUrl(from: string | undefined): string {
    const url = new URL(this.baseUrl);
    url.searchParams.set('verb', 'ListRecords');
    url.searchParams.set('metadataPrefix', this.options.metadataPrefix);
    if (this.options.set !== undefined) url.searchParams.set('set', this.options.set);
    if (from !== undefined) url.searchParams.set('from', from);
    return url.toString();
  }

  /** resumptionToken is an exclusive argument: nothing else but the verb goes with it. */
  private tokenUrl(token: string): string {
    const url = new URL(this.baseUrl);
    url.searchParams.set('verb', 'ListRecords');
    url.searchParams.set('resumptionToken', token);
    return url.toString();
  }

  /**
   * `from` at the repository's granularity. Day granularity is always safe (every repository must
   * accept it); seconds only when Identify says the repository supports them.
   */
  private async fromParameter(context: HarvestContext, since: string): Promise<string> {
    let granularity = this.options.granularity;
    if (granularity === 'auto') {
      const identify = await this.fetchOai(context, this.verbUrl('Identify'));
      granularity = textAt(identify, 'oai:Identify/oai:granularity') === 'YYYY-MM-DDThh:mm:ssZ' ? 'YYYY-MM-DDThh:mm:ssZ' : 'YYYY-MM-DD';
    }
    const instant = new Date(since).toISOString();
    return granularity === 'YYYY-MM-DD' ? instant.slice(0, 10) : `${instant.slice(0, 19)}Z`;
  }

  private verbUrl(verb: string): string {
    const url = new URL(this.baseUrl);
    url.searchParams.set('verb', verb);
    return url.toString();
  }

  /** One OAI-PMH answer; an <error> fails the run naming its code (noRecordsMatch is returned). */
  private async fetchOai(context: HarvestContext, url: string): Promise<XmlElement> {
    const { root } = await fetchXml(context, this.sourceId, url, [400, 404]);
    if (root.name !== 'oai:OAI-PMH') throw new XmlSourceError(this.sourceId, 'not-oai-pmh', `${url} answered ${root.name}, not an OAI-PMH response`);
    const errors = all(root, 'oai:error');
    const blocking = errors.filter((error) => error.attributes['code'] !== 'noRecordsMatch');
    if (blocking.length > 0) {
      const error = blocking[0]!;
      const code = error.attributes['code'] ?? 'unknown';
      const meaning = ERROR_CODES[code] ?? 'an error code OAI-PMH does not define';
      throw new OaiPmhError(
        this.sourceId,
        code,
        `${url} answered OAI-PMH error ${code}: ${meaning}${error.text ? ` (${error.text.replace(/\s+/g, ' ')})` : ''}`,
      );
    }
    return root;
  }

  private async fetchListRecords(context: HarvestContext, url: string): Promise<XmlElement | 'noRecordsMatch'> {
    const root = await this.fetchOai(context, url);
    if (first(root, 'oai:error') !== undefined) return 'noRecordsMatch';
    const listing = first(root, 'oai:ListRecords');
    if (listing === undefined) throw new XmlSourceError(this.sourceId, 'not-oai-pmh', `${url}: the answer has neither ListRecords nor an error`);
    return listing;
  }

  /**
   * The page's records and deletions. Within a page the last mention of an identifier wins (a
   * record changed while the repository was writing the page); across pages a later one
   * replaces an earlier one, as OAI-PMH allows a record to be listed again.
   */
  private readRecords(listing: XmlElement, url: string): RecordPage {
    const page: RecordPage = { records: [], unchanged: [], deleted: [], failures: [] };
    const latest = new Map<string, { deleted: boolean; record: XmlElement }>();
    all(listing, 'oai:record').forEach((record, index) => {
      const header = first(record, 'oai:header');
      const identifier = textAt(header, 'oai:identifier');
      const deleted = header?.attributes['status'] === 'deleted';
      if (identifier === undefined) {
        page.failures.push({
          stage: 'parse',
          rule: 'no-identifier',
          field: 'header/identifier',
          message: `record ${index + 1} of ${url} has no header identifier${deleted ? ' (a deletion that cannot be applied)' : ''}`,
        });
        return;
      }
      if (!deleted && first(record, 'oai:metadata/*') === undefined) {
        page.failures.push({
          nativeId: identifier,
          stage: 'parse',
          rule: 'no-metadata',
          field: 'metadata',
          message: `record ${identifier} of ${url} is not deleted but has no metadata`,
        });
        return;
      }
      latest.delete(identifier);
      latest.set(identifier, { deleted, record });
    });
    for (const [identifier, entry] of latest) {
      if (entry.deleted) page.deleted!.push(identifier);
      else page.records.push({ nativeId: identifier, payload: entry.record });
    }
    return page;
  }
}
