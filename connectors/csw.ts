import type { Connector, ConnectorDefinition, HarvestContext, RawRecord, RecordPage, SourceFailure } from './connector.js';
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from '../src/mapping/context.js';
import type { SourceConfig } from '../src/config/types.js';
import type { MappingResult } from '../src/model/record.js';
import { mapCswDublinCore } from '../src/mapping/csw-dc.js';
import { mapIso19139 } from '../src/mapping/iso19139.js';
import { first, textAt, type XmlElement } from '../src/mapping/xml-elements.js';
import { fetchXml, XmlSourceError } from './xml-response.js';

/**
 * OGC Catalogue Service for the Web 2.0.2, read through GetRecords as GET (KVP):
 *   {url}?service=CSW&version=2.0.2&request=GetRecords&typeNames=…&elementSetName=full
 *        &resultType=results&outputSchema=…&startPosition=N&maxRecords=M
 * Records in Dublin Core (csw:Record) or ISO 19139 (gmd:MD_Metadata). Paging follows
 * nextRecord, with guards: a nextRecord that does not advance, 0 (done), fewer records than
 * numberOfRecordsMatched when the paging ends, empty pages that claim more, and a hard cap.
 * An ows:ExceptionReport fails the run naming its exceptionCode.
 *
 * Incremental (opt-in): a CQL_TEXT constraint `dct:modified >= 'since'` (DC) or
 * `apiso:Modified >= 'since'` (ISO). Such a run lists only changed records, so only a full run
 * lists everything (and may withdraw what the catalogue no longer has).
 */
type OutputSchema = 'dc' | 'iso19139';

interface CswOptions {
  outputSchema: OutputSchema;
  /** Records per GetRecords request (maxRecords). */
  pageSize: number;
  /** Ask only for records modified since the last good run (a CQL constraint on the modified date). */
  incremental: boolean;
  /** Stop after this many records: a guard against catalogues that page forever. */
  maxRecords: number;
}

const DEFAULTS: CswOptions = { outputSchema: 'dc', pageSize: 100, incremental: false, maxRecords: 1_000_000 };

interface SchemaProfile {
  uri: string;
  typeNames: string;
  /** The queryable holding the record's modification date, for the incremental constraint. */
  modifiedQueryable: string;
  recordElements: ReadonlySet<string>;
  nativeId(record: XmlElement): string | undefined;
  map(payload: unknown, context: MappingContext): MappingResult;
}

const PROFILES: Readonly<Record<OutputSchema, SchemaProfile>> = {
  dc: {
    uri: 'http://www.opengis.net/cat/csw/2.0.2',
    typeNames: 'csw:Record',
    modifiedQueryable: 'dct:modified',
    recordElements: new Set(['csw:Record', 'csw:SummaryRecord', 'csw:BriefRecord']),
    nativeId: (record) => textAt(record, 'dc:identifier'),
    map: mapCswDublinCore,
  },
  iso19139: {
    uri: 'http://www.isotc211.org/2005/gmd',
    typeNames: 'gmd:MD_Metadata',
    modifiedQueryable: 'apiso:Modified',
    recordElements: new Set(['gmd:MD_Metadata', 'gmi:MI_Metadata']),
    nativeId: (record) => textAt(record, 'gmd:fileIdentifier/*'),
    map: mapIso19139,
  },
};

const NAMESPACES =
  'xmlns(csw=http://www.opengis.net/cat/csw/2.0.2),xmlns(gmd=http://www.isotc211.org/2005/gmd),xmlns(dct=http://purl.org/dc/terms/),xmlns(apiso=http://www.opengis.net/cat/csw/apiso/1.0)';

export const cswConnector: ConnectorDefinition = {
  type: 'csw',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      outputSchema: { enum: ['dc', 'iso19139'] },
      pageSize: { type: 'integer', minimum: 1, maximum: 1000 },
      incremental: { type: 'boolean' },
      maxRecords: { type: 'integer', minimum: 1 },
    },
  },
  create(source: SourceConfig): Connector {
    return new CswConnector(source.id, source.url, { ...DEFAULTS, ...(source.options as Partial<CswOptions>) });
  },
};

/** An ows:ExceptionReport: the catalogue refused the request. */
export class CswExceptionError extends XmlSourceError {
  constructor(
    sourceId: string,
    readonly exceptionCode: string,
    message: string,
  ) {
    super(sourceId, 'csw-exception', message);
    this.name = 'CswExceptionError';
  }
}

/** What one GetRecords page said about the paging. */
interface SearchResults {
  matched: number | undefined;
  returned: number | undefined;
  nextRecord: number | undefined;
  records: XmlElement[];
}

class CswConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly mappingDefaults = FOREIGN_MAPPING_CONTEXT;
  readonly incremental: boolean;
  private readonly profile: SchemaProfile;
  /** Set when a harvest starts: only a run without `since` asks for every record. */
  private fullRun = false;

  constructor(
    private readonly sourceId: string,
    private readonly endpoint: string,
    private readonly options: CswOptions,
  ) {
    this.incremental = options.incremental;
    this.profile = PROFILES[options.outputSchema];
  }

  /**
   * True only for a run that asked for every record (no `since`): the run reads this after the
   * harvest, and a connector is created per run. An incremental run lists changes only.
   */
  get listsEverything(): boolean {
    return this.fullRun;
  }

  map(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
    return this.profile.map(payload, context);
  }

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    this.fullRun = context.since === null;
    const seenIds = new Set<string>();
    let start = 1;
    let listed = 0;
    let previousIds: string[] | undefined;
    for (;;) {
      if (context.signal.aborted) return;
      const url = this.pageUrl(start, context.since);
      const results = await this.fetchPage(context, url);
      const pageIds = results.records.map((element) => this.profile.nativeId(element) ?? '');
      if (previousIds !== undefined && pageIds.length > 0 && sameIds(pageIds, previousIds)) {
        yield {
          records: [],
          unchanged: [],
          failures: [
            {
              stage: 'list',
              rule: 'paging-loop',
              message: `${url} returned the same records as the previous page; the catalogue ignores startPosition, paging stopped`,
            },
          ],
        };
        return;
      }
      const page = this.readRecords(results, seenIds, url);
      listed += results.records.length;
      const ending = this.nextStart(results, start, listed, url);
      if (listed > this.options.maxRecords) {
        page.failures.push({ stage: 'list', rule: 'too-many-records', message: `listing passed ${this.options.maxRecords} records (maxRecords); stopped` });
        yield page;
        return;
      }
      if (ending.failure) page.failures.push(ending.failure);
      yield page;
      if (ending.next === undefined) return;
      start = ending.next;
      previousIds = pageIds;
    }
  }

  private pageUrl(start: number, since: string | null): string {
    const url = new URL(this.endpoint);
    const params: Array<[string, string]> = [
      ['service', 'CSW'],
      ['version', '2.0.2'],
      ['request', 'GetRecords'],
      ['typeNames', this.profile.typeNames],
      ['namespace', NAMESPACES],
      ['elementSetName', 'full'],
      ['resultType', 'results'],
      ['outputSchema', this.profile.uri],
      ['startPosition', String(start)],
      ['maxRecords', String(this.options.pageSize)],
    ];
    if (since !== null) {
      params.push(
        ['constraintLanguage', 'CQL_TEXT'],
        ['constraint_language_version', '1.1.0'],
        ['constraint', `${this.profile.modifiedQueryable} >= '${since}'`],
      );
    }
    for (const [key, value] of params) url.searchParams.set(key, value);
    return url.toString();
  }

  /** One GetRecords answer: an ExceptionReport or anything but a GetRecordsResponse fails the run. */
  private async fetchPage(context: HarvestContext, url: string): Promise<SearchResults> {
    // Catalogues send ExceptionReports with 400 as often as with 200.
    const { root, status } = await fetchXml(context, this.sourceId, url, [400]);
    if (root.name === 'ows:ExceptionReport') throw this.exception(root, url);
    if (status !== 200) throw new XmlSourceError(this.sourceId, `http-${status}`, `${url} answered ${status} with ${root.name}, not an ows:ExceptionReport`);
    if (root.name !== 'csw:GetRecordsResponse') {
      throw new XmlSourceError(this.sourceId, 'not-csw', `${url} answered ${root.name}, not a csw:GetRecordsResponse`);
    }
    const results = first(root, 'csw:SearchResults');
    if (results === undefined) throw new XmlSourceError(this.sourceId, 'not-csw', `${url}: the GetRecordsResponse has no csw:SearchResults`);
    const recordSchema = results.attributes['recordSchema'];
    if (recordSchema !== undefined && recordSchema !== '' && recordSchema !== this.profile.uri) {
      throw new XmlSourceError(
        this.sourceId,
        'wrong-record-schema',
        `${url}: asked for outputSchema ${this.profile.uri}, the catalogue answered recordSchema ${recordSchema}`,
      );
    }
    return {
      matched: integerAttribute(results, 'numberOfRecordsMatched'),
      returned: integerAttribute(results, 'numberOfRecordsReturned'),
      nextRecord: integerAttribute(results, 'nextRecord'),
      records: results.children,
    };
  }

  private exception(report: XmlElement, url: string): CswExceptionError {
    const exception = first(report, 'ows:Exception');
    const code = exception?.attributes['exceptionCode'] ?? 'unknown';
    const locator = exception?.attributes['locator'];
    const text = textAt(exception, 'ows:ExceptionText') ?? '';
    return new CswExceptionError(
      this.sourceId,
      code,
      `${url} answered an ows:ExceptionReport: ${code}${locator ? ` (locator ${locator})` : ''}${text ? `: ${text}` : ''}`,
    );
  }

  /** The page's records with their native ids; records without one, of an unexpected kind, or seen before are failures. */
  private readRecords(results: SearchResults, seenIds: Set<string>, url: string): RecordPage {
    const page: RecordPage = { records: [], unchanged: [], failures: [] };
    results.records.forEach((element, index) => {
      const where = `record ${index + 1} of ${url}`;
      if (!this.profile.recordElements.has(element.name)) {
        page.failures.push({
          stage: 'parse',
          rule: 'unexpected-record',
          message: `${where} is a ${element.name}, not one of ${[...this.profile.recordElements].join(', ')}`,
        });
        return;
      }
      const nativeId = this.profile.nativeId(element);
      if (nativeId === undefined) {
        page.failures.push({
          stage: 'parse',
          rule: 'no-identifier',
          field: this.options.outputSchema === 'dc' ? 'dc:identifier' : 'gmd:fileIdentifier',
          message: `${where} has no identifier; it cannot be stored`,
        });
        return;
      }
      if (seenIds.has(nativeId)) {
        page.failures.push({
          nativeId,
          stage: 'parse',
          rule: 'duplicate-identifier',
          message: `${where} repeats the identifier ${JSON.stringify(nativeId)} of a record already harvested in this run; only the first was kept`,
        });
        return;
      }
      seenIds.add(nativeId);
      const record: RawRecord = { nativeId, payload: element };
      page.records.push(record);
    });
    if (results.returned !== undefined && results.returned !== results.records.length) {
      page.failures.push({
        stage: 'list',
        rule: 'count-mismatch',
        message: `${url} says numberOfRecordsReturned=${results.returned} but carries ${results.records.length} records`,
      });
    }
    return page;
  }

  /**
   * Where the next page starts, or undefined when the listing is over. nextRecord 0 (or past the
   * matches) ends it; the listing must then have covered numberOfRecordsMatched, else it is
   * incomplete. A nextRecord that does not move forward is a loop.
   */
  private nextStart(results: SearchResults, start: number, listed: number, url: string): { next?: number; failure?: SourceFailure } {
    const matched = results.matched;
    const incomplete = (): SourceFailure | undefined =>
      matched !== undefined && listed < matched
        ? { stage: 'list', rule: 'incomplete-listing', message: `the catalogue matched ${matched} records but the paging ended after ${listed} (${url})` }
        : undefined;
    const next = results.nextRecord ?? start + results.records.length;
    if (next === 0 || (matched !== undefined && next > matched)) return withFailure(undefined, incomplete());
    if (results.records.length === 0) {
      return withFailure(
        undefined,
        incomplete() ?? { stage: 'list', rule: 'empty-page', message: `${url} returned no records but nextRecord=${next}; paging stopped` },
      );
    }
    if (next <= start) {
      return {
        failure: { stage: 'list', rule: 'paging-loop', message: `${url}: nextRecord=${next} does not advance past startPosition=${start}; paging stopped` },
      };
    }
    return { next };
  }
}

function withFailure(next: number | undefined, failure: SourceFailure | undefined): { next?: number; failure?: SourceFailure } {
  const result: { next?: number; failure?: SourceFailure } = {};
  if (next !== undefined) result.next = next;
  if (failure !== undefined) result.failure = failure;
  return result;
}

function integerAttribute(element: XmlElement, name: string): number | undefined {
  const value = element.attributes[name];
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
