/**
 * One DCAT dataset (its subgraph, as the DCAT connector stores it: src/mapping/dcat/payload.ts)
 * → the national record. A pure function of the payload: no lookups, no network.
 *
 * The field table is docs/connectors/dcat.md. In short: text fields take the literal in the
 * preferred language (zh-Hant … en, src/mapping/dcat/languages.ts), the other languages go to
 * extras; coded values (frequency, language, format, licence) are read through the EU authority
 * tables; every property the record has no field for goes to extensions.sourceExtras under its
 * compact IRI (`dct:spatial`, `dcat:theme`, …), so nothing is dropped.
 *
 * Deliberately not derived: categoryCode (服務分類 is a life-event taxonomy; no EU data theme
 * names one category for every dataset it covers), type, cost, organization: DCAT has no
 * statement that means them, so validation reports them missing.
 */
import { DataFactory, type Term } from 'n3';
import { IDENTIFIER_PATTERN } from '../model/codelists.js';
import type { MappingResult, NationalDistribution, NationalRecord, TextLanguages } from '../model/record.js';
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { MappingNotes, acceptedRecord, derivePublisherOrgCode, describeValue, missingIdentity } from './record-fields.js';
import { frequencyText, knownLicence, languageCode, readXsdDate } from './dcat/codes.js';
import { readDistribution } from './dcat/distribution.js';
import { DatasetGraph } from './dcat/graph.js';
import { pickPreferred, pickPreferredGroup } from './dcat/languages.js';
import { labelOf, placeText, readContact, readPeriod } from './dcat/nodes.js';
import { BLANK_DATASET_IRI, isDcatPayload, payloadGraph } from './dcat/payload.js';
import { RDF_TYPE, compactIri, term } from './dcat/vocab.js';

const { namedNode } = DataFactory;

export function mapDcatRecord(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
  if (!isDcatPayload(payload)) {
    return {
      ok: false,
      issues: [{ field: '', rule: 'type', message: `a DCAT payload must be {subject, nquads}, not ${describeValue(payload)}`, severity: 'error' }],
    };
  }
  const dataset = namedNode(payload.subject);
  let graph: DatasetGraph;
  try {
    graph = new DatasetGraph(payloadGraph(payload), dataset);
  } catch (err) {
    return {
      ok: false,
      issues: [{ field: '', rule: 'malformed-nquads', message: `the stored N-Quads do not parse: ${(err as Error).message}`, severity: 'error' }],
    };
  }
  return new DatasetMapping(graph, dataset, payload.subject === BLANK_DATASET_IRI, context).map();
}

/** One mapping run: the graph, the dataset node, and the notes and extras gathered on the way. */
class DatasetMapping {
  private readonly notes: MappingNotes;
  private readonly extras: Record<string, unknown> = {};
  /** The tags the source gave the chosen texts: settled against the source's default in acceptedRecord. */
  private readonly languages: TextLanguages = {};

  constructor(
    private readonly graph: DatasetGraph,
    private readonly dataset: Term,
    private readonly blank: boolean,
    context: MappingContext,
  ) {
    this.notes = new MappingNotes(context);
  }

  map(): MappingResult {
    const identifier = this.readIdentifier();
    const title = pickPreferred(this.values('dct', 'title'), this.notes.context.language);
    this.keepOthers('dct:title', title.others);
    const rejection = missingIdentity(identifier, title.text);
    if (rejection !== null) return rejection;

    const record: NationalRecord = { identifier: identifier!, title: title.text! };
    if (title.language !== undefined) this.languages.title = title.language;
    const description = pickPreferred(this.values('dct', 'description'), this.notes.context.language);
    if (description.text !== undefined) record.description = description.text;
    if (description.language !== undefined) this.languages.description = description.language;
    this.keepOthers('dct:description', description.others);

    this.readKeywords(record);
    this.readPublisher(record);
    this.readContactPoint(record);
    this.readFrequency(record);
    this.readDates(record);
    this.readTemporal(record);
    this.readSpatial(record);
    this.readLanguage(record);
    this.readLandingPage(record);
    const distributionLicences = this.readDistributions(record);
    this.readLicence(record, distributionLicences);
    this.readTypes();
    this.readCatalogueRecords();
    Object.assign(this.extras, this.graph.leftovers(this.dataset));

    record.extensions = { sourceVocabulary: 'dcat' };
    if (Object.keys(this.languages).length > 0) record.extensions.textLanguages = this.languages;
    if (Object.keys(this.extras).length > 0) record.extensions.sourceExtras = this.extras;
    derivePublisherOrgCode(record, this.notes);
    return acceptedRecord(record, this.notes);
  }

  private values(prefix: Parameters<typeof term>[0], local: string, node: Term = this.dataset): Term[] {
    return this.graph.objects(node, term(prefix, local));
  }

  private keep(key: string, value: unknown): void {
    const existing = this.extras[key];
    if (existing === undefined) this.extras[key] = value;
    else this.extras[key] = [...(Array.isArray(existing) ? (existing as unknown[]) : [existing]), ...(Array.isArray(value) ? (value as unknown[]) : [value])];
  }

  private keepOthers(key: string, others: Record<string, unknown>): void {
    if (Object.keys(others).length > 0) this.keep(key, others);
  }

  /** A Taiwan-pattern dct:identifier, else the dataset IRI, else (blank node) the first dct:identifier. */
  private readIdentifier(): string | undefined {
    const identifiers = this.values('dct', 'identifier')
      .filter((value) => value.termType === 'Literal' || value.termType === 'NamedNode')
      .map((value) => value.value.trim())
      .filter((value) => value !== '');
    const national = identifiers.find((value) => IDENTIFIER_PATTERN.test(value));
    const chosen = national ?? (this.blank ? identifiers[0] : this.dataset.value);
    const others = identifiers.filter((value) => value !== chosen);
    if (others.length > 0) this.keep('dct:identifier', others.length === 1 ? others[0] : others);
    if (!this.blank && chosen !== this.dataset.value) this.keep('@id', this.dataset.value);
    this.graph.consume(this.dataset, term('adms', 'identifier'));
    const admsIdentifiers = this.values('adms', 'identifier');
    if (admsIdentifiers.length > 0)
      this.keep(
        'adms:identifier',
        admsIdentifiers.map((value) => this.graph.describe(value)),
      );
    return chosen;
  }

  private readKeywords(record: NationalRecord): void {
    const keywords = pickPreferredGroup(this.values('dcat', 'keyword'), this.notes.context.language);
    if (keywords.texts.length > 0) record.keyword = keywords.texts;
    // One language for the group (pickPreferredGroup): tagged, or untagged and left to the source's default.
    if (keywords.languages[0] !== undefined) this.languages.keyword = keywords.languages.map((language) => language ?? '');
    this.keepOthers('dcat:keyword', keywords.others);
  }

  /** dct:publisher: a foaf:Agent (foaf:name), a skos:Concept (prefLabel), or GeoDCAT's vCard (fn / organization-name). */
  private readPublisher(record: NationalRecord): void {
    const publishers = this.values('dct', 'publisher');
    const [first, ...rest] = publishers;
    if (first === undefined) return;
    const name = labelOf(this.graph, first);
    if (name !== undefined) record.publisher = name;
    else
      this.notes.report(
        'publisher',
        'normalise',
        `dct:publisher ${first.value} has no name (foaf:name, skos:prefLabel, vcard:fn) in the catalogue; kept in sourceExtras`,
        'warning',
      );
    const remainder = first.termType === 'Literal' ? undefined : this.graph.remainder(first);
    if (remainder !== undefined) this.keep('dct:publisher', remainder);
    for (const other of rest) this.keep('dct:publisher', this.graph.describe(other));
  }

  private readContactPoint(record: NationalRecord): void {
    const [first, ...rest] = this.values('dcat', 'contactPoint');
    if (first === undefined) return;
    const contact = readContact(this.graph, first);
    if (contact.name !== undefined) record.publisherContactName = contact.name;
    if (contact.email !== undefined) record.publisherContactEmail = contact.email;
    if (contact.phone !== undefined) record.publisherContactPhone = contact.phone;
    const remainder = this.graph.remainder(first);
    if (remainder !== undefined) this.keep('dcat:contactPoint', remainder);
    for (const other of rest) this.keep('dcat:contactPoint', this.graph.describe(other));
  }

  private readFrequency(record: NationalRecord): void {
    const [first, ...rest] = this.values('dct', 'accrualPeriodicity');
    if (first === undefined) return;
    const text = frequencyText(first);
    if (text !== undefined) record.accrualPeriodicity = text;
    else if (first.termType === 'Literal') record.accrualPeriodicity = first.value.trim();
    // The IRI itself is the publisher's statement: kept beside the text it was read as.
    if (first.termType !== 'Literal' || text === undefined) this.keep('dct:accrualPeriodicity', this.graph.describe(first));
    if (text === undefined && first.termType !== 'Literal') {
      this.notes.report(
        'accrualPeriodicity',
        'normalise',
        `dct:accrualPeriodicity ${first.value} names no frequency of the standard; kept in sourceExtras`,
        'warning',
      );
    }
    for (const other of rest) this.keep('dct:accrualPeriodicity', this.graph.describe(other));
  }

  private readDates(record: NationalRecord): void {
    for (const [field, local] of [
      ['issued', 'issued'],
      ['modified', 'modified'],
    ] as const) {
      const [first, ...rest] = this.values('dct', local);
      if (first === undefined) continue;
      const date = readXsdDate(first, 'point', this.notes.context.timeZone);
      if (date.ok) record[field] = date.value;
      else {
        this.keep(`dct:${local}`, this.graph.describe(first));
        this.notes.report(field, 'normalise', `dct:${local} could not be read as a date (${date.reason}); kept in sourceExtras`, 'warning');
      }
      for (const other of rest) this.keep(`dct:${local}`, this.graph.describe(other));
    }
  }

  /** Several periods: the coverage spans them all (earliest start, latest end). */
  private readTemporal(record: NationalRecord): void {
    const periods = this.values('dct', 'temporal');
    let start: string | undefined;
    let end: string | undefined;
    for (const node of periods) {
      const period = readPeriod(this.graph, node, this.notes.context.timeZone);
      if (period.start !== undefined && (start === undefined || period.start < start)) start = period.start;
      if (period.end !== undefined && (end === undefined || period.end > end)) end = period.end;
      for (const reason of period.unreadable) {
        this.notes.report('temporalCoverageFrom', 'normalise', `dct:temporal ${reason}; kept in sourceExtras`, 'warning');
      }
      const remainder = this.graph.remainder(node);
      if (remainder !== undefined || period.unreadable.length > 0)
        this.keep('dct:temporal', period.unreadable.length > 0 ? this.graph.describe(node) : remainder);
    }
    if (start !== undefined) record.temporalCoverageFrom = start;
    if (end !== undefined) record.temporalCoverageTo = end;
  }

  /**
   * Places by name (、-joined when several) for the record's text field; and every place whole
   * (its IRI, names with their language tags, geometry, bounding box, centroid) in extras, which
   * the DCAT views serve again in place of the text (src/views/dcat-source-statements.ts).
   */
  private readSpatial(record: NationalRecord): void {
    const places = this.values('dct', 'spatial');
    const texts = places.map((place) => placeText(this.graph, place)).filter((text): text is string => text !== undefined);
    if (texts.length > 0) record.spatial = [...new Set(texts)].join('、');
    const described = places.map((place) => this.graph.describe(place));
    if (described.length > 0) this.keep('dct:spatial', described.length === 1 ? described[0] : described);
  }

  private readLanguage(record: NationalRecord): void {
    const languages = this.values('dct', 'language');
    // A dct:LinguisticSystem written as a node names its language by skos:notation (the W3C examples).
    const codeOf = (language: Term): string | undefined =>
      languageCode(language) ??
      this.graph
        .firstOf(language, [term('skos', 'notation'), term('dct', 'identifier')])
        .map(languageCode)
        .find((code) => code !== undefined);
    const codes = languages.map((language) => ({ language, code: codeOf(language) }));
    const chosen = codes.find((entry) => entry.code === 'zh') ?? codes.find((entry) => entry.code !== undefined);
    if (chosen?.code !== undefined) record.language = chosen.code;
    const others = codes.filter((entry) => entry !== chosen);
    if (others.length > 0)
      this.keep(
        'dct:language',
        others.map((entry) => this.graph.describe(entry.language)),
      );
    if (languages.length > 0 && chosen === undefined) {
      this.notes.report(
        'language',
        'normalise',
        `dct:language ${languages.map((l) => (l.termType === 'BlankNode' ? '[a node]' : l.value)).join(', ')} names no language of the standard's list; kept in sourceExtras`,
        'warning',
      );
    }
  }

  private readLandingPage(record: NationalRecord): void {
    const [first, ...rest] = this.values('dcat', 'landingPage');
    if (first === undefined) return;
    record.landingPage = first.value.trim();
    const remainder = first.termType === 'Literal' ? undefined : this.graph.remainder(first, false);
    if (remainder !== undefined) this.keep('dcat:landingPage', remainder);
    for (const other of rest) this.keep('dcat:landingPage', this.graph.describe(other));
  }

  /** dcat:distribution → distribution[]; returns the distributions' licences for readLicence. */
  private readDistributions(record: NationalRecord): Term[][] {
    const nodes = this.values('dcat', 'distribution');
    const distributions: NationalDistribution[] = [];
    const extras: Array<Record<string, unknown>> = [];
    const licences: Term[][] = [];
    nodes.forEach((node, index) => {
      const path = `distribution[${index}]`;
      if (node.termType === 'Literal') {
        this.keep('dcat:distribution', this.graph.describe(node));
        this.notes.report(path, 'type', `dcat:distribution must be a node, not the literal ${JSON.stringify(node.value)}; kept in sourceExtras`);
        return;
      }
      const mapped = readDistribution(
        this.graph,
        this.notes,
        node,
        `distribution[${distributions.length}]`,
        `${record.identifier}-${String(index + 1).padStart(3, '0')}`,
      );
      distributions.push(mapped.distribution);
      licences.push(mapped.licences);
      if (Object.keys(mapped.extras).length > 0) extras.push({ resourceID: mapped.distribution.resourceID, ...mapped.extras });
    });
    if (distributions.length > 0) record.distribution = distributions;
    if (extras.length > 0) this.keep('dcat:distribution', extras);
    return licences;
  }

  /**
   * dct:license → licenseURL (the IRI) and license (the gateway's name for a licence it knows,
   * else the licence document's title, else the IRI). DCAT-AP often states the licence only on
   * distributions: when the dataset has none and every distribution names the same one, it is
   * taken (and reported).
   */
  private readLicence(record: NationalRecord, distributionLicences: Term[][]): void {
    let [licence, ...rest] = this.values('dct', 'license');
    if (licence === undefined) {
      const named = distributionLicences.filter((licences) => licences.length > 0);
      const distinct = new Set(named.flat().map((value) => value.value));
      if (named.length === 0 || named.length !== distributionLicences.length || distinct.size !== 1) return;
      licence = named[0]![0]!;
      this.notes.report('license', 'derived', `the dataset states no dct:license; every distribution's licence is ${licence.value}`, 'warning');
    }
    const text = licence.value.trim();
    const known = knownLicence(text);
    const label = licence.termType === 'Literal' ? undefined : labelOf(this.graph, licence);
    if (licence.termType === 'NamedNode' && /^https?:\/\//i.test(text)) record.licenseURL = text;
    else if (known !== null) record.licenseURL = known.url;
    record.license = known?.name ?? label ?? text;
    if (licence.termType !== 'Literal') {
      const remainder = this.graph.remainder(licence, record.licenseURL !== text);
      if (remainder !== undefined) this.keep('dct:license', remainder);
    }
    for (const other of rest) this.keep('dct:license', this.graph.describe(other));
  }

  /** rdf:type beyond dcat:Dataset (a dcat:DatasetSeries, a schema:Dataset …) says what kind of record it is. */
  private readTypes(): void {
    this.graph.consume(this.dataset, RDF_TYPE);
    const types = this.graph.types(this.dataset).filter((type) => type !== term('dcat', 'Dataset'));
    if (types.length > 0) this.keep('@type', types.map(compactIri));
  }

  /** dcat:CatalogRecord nodes about this dataset: the catalogue's record of it (its own dates, status). */
  private readCatalogueRecords(): void {
    const records = this.graph.subjectsPointingAt(this.dataset, term('foaf', 'primaryTopic'));
    if (records.length > 0)
      this.keep(
        'dcat:CatalogRecord',
        records.map((node) => this.graph.describe(node)),
      );
  }
}
