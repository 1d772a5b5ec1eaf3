/**
 * The canonical record: the national metadata standard (資料集詮釋資料標準規範, 2015),
 * generation-1 keys, plus the two keys the cross-platform spec adds for exchange
 * (publisherOID, publisherOrgCode).
 *
 * Values are normalised: strings trimmed; dates as ISO 8601 — a calendar date stays
 * `YYYY-MM-DD`, a date-time becomes UTC `YYYY-MM-DDThh:mm:ssZ` (Taiwan's local
 * `YYYY-MM-DD hh:mm:ss` is read as Asia/Taipei). A value that could not be normalised is
 * kept verbatim and reported as a ValidationIssue, so nothing a publisher sent is lost.
 *
 * What the standard lacks and another vocabulary has goes under `extensions`, named.
 */
export interface NationalDistribution {
  resourceID?: string;
  resourceDescription?: string;
  format?: string;
  characterSetCode?: string;
  resourceModified?: string;
  accessURL?: string;
  downloadURL?: string;
  metadataSourceOfData?: string;
  /** Named extension: what gen-2 (data.gov.tw v2) records carry per resource. */
  extensions?: DistributionExtensions;
}

export interface DistributionExtensions {
  /** gen-2 resourceField, as text in the standard's fieldDescription form. */
  resourceField?: string;
  /** gen-2 resourceAmount: number of data rows in this resource. */
  resourceAmount?: number;
  resourceNotes?: string;
  qcLevel?: string;
  /** True when resourceID was synthesised (gen-2 has no resource ids). */
  resourceIDSynthesised?: boolean;
  /** Languages of this resource's text where they differ from the default (src/model/text-language.ts). */
  textLanguages?: DistributionTextLanguages;
}

/**
 * BCP 47 tag per text field, '' for "untagged", present only where it differs from what the
 * text's script implies (zh-Hant for CJK text, none otherwise): src/model/text-language.ts.
 */
export interface TextLanguages {
  title?: string;
  description?: string;
  notes?: string;
  /** One per keyword, in the order of `keyword`. */
  keyword?: string[];
}

export interface DistributionTextLanguages {
  resourceDescription?: string;
  resourceNotes?: string;
}

export interface NationalRecord {
  categoryCode?: string;
  identifier: string;
  title: string;
  description?: string;
  fieldDescription?: string;
  type?: string;
  license?: string;
  licenseURL?: string;
  cost?: string;
  costURL?: string;
  costLaw?: string;
  organization?: string;
  organizationContactName?: string;
  organizationContactPhone?: string;
  organizationContactEmail?: string;
  publisher?: string;
  publisherContactName?: string;
  publisherContactPhone?: string;
  publisherContactEmail?: string;
  publisherOID?: string;
  publisherOrgCode?: string;
  accrualPeriodicity?: string;
  temporalCoverageFrom?: string;
  temporalCoverageTo?: string;
  issued?: string;
  modified?: string;
  spatial?: string;
  language?: string;
  landingPage?: string;
  keyword?: string[];
  numberOfData?: number;
  notes?: string;
  distribution?: NationalDistribution[];
  /** Named extension: what gen-2 and other vocabularies carry and the standard lacks. */
  extensions?: RecordExtensions;
}

export interface RecordExtensions {
  /** data.gov.tw platform id (gen-2 datasetId / nid): numeric string, immutable. */
  datasetId?: string;
  categoryTheme?: string;
  categoryDataset?: string;
  dataProvider?: string;
  detectFrequency?: string;
  dataQuality?: string;
  /** Which vocabulary the record arrived in. */
  sourceVocabulary?: SourceVocabulary;
  /** Keys the publisher sent that no vocabulary we know defines (e.g. viewCount). */
  unknownKeys?: Record<string, unknown>;
  /**
   * The named extras bag of a foreign vocabulary (CKAN, DCAT, DCAT-US, CSW, OAI-PMH, mapped JSON):
   * what the source sent that has no national field, keyed by the source's own names. Never
   * dropped silently.
   */
  sourceExtras?: Record<string, unknown>;
  /** Languages of the text fields where they differ from the default (src/model/text-language.ts). */
  textLanguages?: TextLanguages;
}

/** The vocabularies records arrive in; one mapping each. */
export type SourceVocabulary =
  'gen1' | 'gen2' | 'datagovtw-export' | 'ckan' | 'dcat' | 'dcat-us' | 'csw-dc' | 'iso19139' | 'oai-dc' | 'datacite' | 'mapped-json';

export type IssueSeverity = 'error' | 'warning';

/** One broken rule of the standard, or one value that could not be normalised. */
export interface ValidationIssue {
  /** Path of the field in the national record, e.g. `title` or `distribution[1].downloadURL`. */
  field: string;
  /** Short rule name: required, pattern, enum, url, email, date, maxLength, conditional, normalise ... */
  rule: string;
  message: string;
  severity: IssueSeverity;
}

/** Outcome of mapping one raw record to the national record. */
export type MappingResult =
  | { ok: true; record: NationalRecord; issues: ValidationIssue[] }
  /** Rejected: the raw value lacks what identity needs (identifier, title) or is not a record at all. */
  | { ok: false; issues: ValidationIssue[] };
