import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from '../src/mapping/context.js';
import type { Connector, ConnectorDefinition, HarvestContext, RawRecord, RecordPage, SourceFailure } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';
import { mapDcatRecord } from '../src/mapping/dcat.js';
import type { MappingResult } from '../src/model/record.js';
import { datasetPayload, datasetRefs, type DatasetRef } from './dcat/datasets.js';
import { ACCEPT_RDF, RDF_FORMATS, chooseFormat, type RdfFormat } from './dcat/formats.js';
import { nextPageOf, pageKey } from './dcat/hydra.js';
import type { PageGraph } from './dcat/page-graph.js';
import { DcatParseError, parsePage } from './dcat/parse.js';

/**
 * DCAT catalogues (W3C DCAT 2/3, DCAT-AP, GeoDCAT-AP) published as one RDF document or as Hydra
 * pages: `url` is the catalogue document (Turtle, RDF/XML or JSON-LD). Each page yields one
 * record per dcat:Dataset / dcat:DatasetSeries; the payload is that dataset's own subgraph as
 * canonical N-Quads (connectors/dcat/datasets.ts), mapped by src/mapping/dcat.ts. A catalogue
 * page's records go to the run RECORDS_PER_PAGE at a time, each part's payloads built only when
 * it is yielded: a national file of thousands of datasets never has every payload (nor every
 * mapped record) alive at once.
 * docs/connectors/dcat.md has the whole story.
 */
interface DcatOptions {
  /** Parse every page in this format whatever the server says (a server that mislabels everything). */
  format?: RdfFormat;
  /** Stop paging after this many pages (reported as a list failure, so nothing is withdrawn). */
  maxPages: number;
  /** Cut a dataset's subgraph at this many triples: one record must stay small. */
  maxQuadsPerDataset: number;
}

const DEFAULTS: DcatOptions = { maxPages: 1000, maxQuadsPerDataset: 20_000 };

/** What format sniffing reads of a document: enough for any prolog, comment lines or byte-order mark before the first statement. */
const SNIFF_BYTES = 1024 * 1024;

/** Records per RecordPage (one store transaction each). */
export const RECORDS_PER_PAGE = 250;

export const dcatConnector: ConnectorDefinition = {
  type: 'dcat',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      format: { enum: [...RDF_FORMATS] },
      maxPages: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      maxQuadsPerDataset: { type: 'integer', minimum: 10, maximum: 1_000_000 },
    },
  },
  create(source: SourceConfig): Connector {
    const options = { ...DEFAULTS, ...(source.options as Partial<DcatOptions>) };
    return new DcatConnector(source.id, source.url, options);
  },
};

class DcatConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly mappingDefaults = FOREIGN_MAPPING_CONTEXT;
  /** DCAT has no standard way to ask for what changed: every run reads the whole catalogue. */
  readonly incremental = false;
  /** A run without failures has read every page, so it has seen every dataset the catalogue holds. */
  readonly listsEverything = true;

  constructor(
    private readonly sourceId: string,
    private readonly url: string,
    private readonly options: DcatOptions,
  ) {}

  map(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
    return mapDcatRecord(payload, context);
  }

  /**
   * Page by page along the Hydra next links. A page that cannot be read ends the run (failed;
   * the pages before it are committed). A next link back to a page already read, or paging past
   * maxPages, ends the listing with a `list` failure: the run is partial and withdraws nothing.
   */
  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    const seenPages = new Set<string>();
    const listed = new Set<string>();
    let pageUrl: string | undefined = this.url;
    while (pageUrl !== undefined) {
      if (context.signal.aborted) return;
      if (seenPages.size >= this.options.maxPages) {
        yield listFailure('too-many-pages', `the catalogue has more than ${this.options.maxPages} pages (options.maxPages); stopped before ${pageUrl}`);
        return;
      }
      seenPages.add(pageKey(pageUrl));
      const graph = await this.readPage(context, pageUrl, seenPages.size === 1);
      const next = nextPageOf(graph, pageUrl);
      if (next && next.alternatives.length > 0) {
        context.log.warn({ source: this.sourceId, page: pageUrl, next: next.url, ignored: next.alternatives }, 'page has several next links; following one');
      }
      const loop = next !== undefined && seenPages.has(pageKey(next.url));
      const parts = this.recordPages(context, pageUrl, graph, listed);
      for await (const { page, last } of parts) {
        if (last && loop) {
          page.failures.push({
            stage: 'list',
            rule: 'paging-loop',
            message: `${pageUrl} links to ${next.url} as its next page, which was already read; paging stopped`,
          });
        }
        yield page;
      }
      if (loop) return;
      pageUrl = next?.url;
    }
  }

  /** The page's document, parsed into a PageGraph; a first page without triples fails the run. */
  private async readPage(context: HarvestContext, url: string, first: boolean): Promise<PageGraph> {
    const response = await context.http.get(url, { signal: context.signal, headers: { accept: ACCEPT_RDF } });
    const contentType = header(response.headers['content-type']);
    // The format from the document's first bytes (and what the server says): the rest is parsed
    // from the bytes as they are, never decoded whole (JSON-LD excepted: JSON.parse needs it all).
    const choice = chooseFormat(url, contentType, response.bytes.subarray(0, SNIFF_BYTES).toString('utf8'), this.options.format);
    if ('refused' in choice) {
      throw new DcatParseError(this.sourceId, url, undefined, 'not-rdf', undefined, `${choice.reason}; not an RDF catalogue`);
    }
    if (choice.contradicted)
      context.log.warn({ source: this.sourceId, page: url, reason: choice.reason }, 'content type contradicts the body; read as the body shows');
    const body = choice.format === 'jsonld' ? response.body : response.bytes;
    const graph = await parsePage({ sourceId: this.sourceId, url, body, format: choice.format });
    if (first && graph.size === 0) {
      // An empty first page would "list" an empty catalogue and withdraw everything.
      throw new DcatParseError(this.sourceId, url, choice.format, 'no-triples', undefined, 'the document holds no RDF triples; not a catalogue');
    }
    return graph;
  }

  /**
   * The page's datasets as RecordPages of RECORDS_PER_PAGE, in nativeId order; `last` marks the
   * final one (there is always one, if empty, so a page's failures have a page to travel in).
   */
  private async *recordPages(context: HarvestContext, url: string, graph: PageGraph, listed: Set<string>): AsyncIterable<{ page: RecordPage; last: boolean }> {
    const limits = { maxQuadsPerDataset: this.options.maxQuadsPerDataset };
    const fresh: DatasetRef[] = [];
    for (const ref of await datasetRefs(graph, limits)) {
      if (listed.has(ref.nativeId)) {
        context.log.warn({ source: this.sourceId, page: url, nativeId: ref.nativeId }, 'dataset described on more than one page; the first is kept');
        continue;
      }
      listed.add(ref.nativeId);
      fresh.push(ref);
    }
    for (let start = 0; start === 0 || start < fresh.length; start += RECORDS_PER_PAGE) {
      const records: RawRecord[] = [];
      const failures: SourceFailure[] = [];
      for (const ref of fresh.slice(start, start + RECORDS_PER_PAGE)) {
        if (context.signal.aborted) return;
        const { payload, truncated } = ref.built ?? (await datasetPayload(graph, ref.subject, limits));
        if (truncated) {
          failures.push({
            nativeId: ref.nativeId,
            stage: 'parse',
            rule: 'too-many-triples',
            message: `${ref.nativeId} on ${url} has more than ${this.options.maxQuadsPerDataset} triples (options.maxQuadsPerDataset); not harvested`,
          });
          continue;
        }
        records.push({ nativeId: ref.nativeId, payload });
      }
      yield { page: { records, unchanged: [], failures }, last: start + RECORDS_PER_PAGE >= fresh.length };
    }
  }
}

function listFailure(rule: string, message: string): RecordPage {
  return { records: [], unchanged: [], failures: [{ stage: 'list', rule, message }] };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
