/**
 * The identity keys of one source record: the values that, shared by records of two sources,
 * say they are one dataset (src/identity/cluster.ts joins on them), and the weaker signals that
 * confirm a match on title and publisher alone. Pure: no I/O; the store saves what this returns.
 * Here in model, below the store, because the store computes them for each record it writes.
 *
 * Records arrive from untrusted sources, so every value is checked at run time whatever its
 * declared type, and the output is bounded: no key longer than {@link MAX_KEY_VALUE_LENGTH},
 * no more than {@link MAX_KEYS_PER_KIND} keys of one kind.
 */
import { IDENTIFIER_PATTERN } from './codelists.js';
import { formatTaipeiDateTime } from './dates.js';
import { canonicalIdentifier } from './identifier.js';
import type { NationalRecord } from './record.js';
import { createHash } from 'node:crypto';
import { hostlessUrl, isPlaceholderUrl, normaliseText, normaliseUrl, normaliseUuid } from './comparison-forms.js';

/**
 * What a key is made of, strongest first:
 *   - agency: the publisher's own identifier (機關代碼-流水號, or another identifier qualified by
 *     the publisher's code; a DCAT-US identifier that is no URI, qualified by the publisher's name);
 *   - datasetId: data.gov.tw's immutable numeric dataset id;
 *   - uri: a URI or UUID naming the dataset (dataset IRI, dct:identifier, CKAN package id, a
 *     DCAT-US identifier that is a URI);
 *   - landing: the canonical landing page URL (not on a placeholder host);
 *   - download: a canonical download or access URL of a distribution (not on a placeholder host);
 *   - fuzzy: normalised title and publisher; never enough alone (see corroborationSignals);
 *   - lookalike: normalised title and a digest of the normalised description, for a record that
 *     names no publisher (so has no fuzzy key): never joins, only lists candidates for review.
 */
export type IdentityKeyKind = 'agency' | 'datasetId' | 'uri' | 'landing' | 'download' | 'fuzzy' | 'lookalike';

/** Every kind, strongest first: the order in which keys are listed and clusters are joined. */
export const KEY_KINDS_BY_STRENGTH: readonly IdentityKeyKind[] = ['agency', 'datasetId', 'uri', 'landing', 'download', 'fuzzy', 'lookalike'];

/** The kinds that join records on their own (all but fuzzy and lookalike), strongest first. */
export const STRONG_KEY_KINDS: readonly IdentityKeyKind[] = KEY_KINDS_BY_STRENGTH.filter((kind) => kind !== 'fuzzy' && kind !== 'lookalike');

/**
 * The kinds that join on where a record points, not on what it is called: a join by one of them
 * (or by a corroborated fuzzy key) is refused when the two sides hold conflicting identifiers
 * ({@link vetoKeyOf}).
 */
export const URL_KEY_KINDS: ReadonlySet<IdentityKeyKind> = new Set(['landing', 'download']);

/**
 * The keys that can veto a join, as (kind, value prefix) ranges of the key table: UUIDs (a UUID
 * is minted once, so two different ones name two things) and data.gov.tw dataset ids (a dataset
 * has one). URL identifiers do not veto: every portal mints its own IRI for a dataset it copies.
 */
export const VETO_KEY_RANGES: ReadonlyArray<{ kind: IdentityKeyKind; prefix: string }> = [
  { kind: 'uri', prefix: 'urn:uuid:' },
  { kind: 'datasetId', prefix: '' },
];

/**
 * The veto class and value of a key (`uuid:<uuid>`, `datasetId:<id>`), or undefined when the key
 * vetoes nothing. Two clusters that each hold keys of one class and share none of them are two
 * datasets, whatever URL or title they share (src/identity/cluster.ts).
 */
export function vetoKeyOf(kind: string, value: string): string | undefined {
  if (kind === 'uri' && value.startsWith('urn:uuid:')) return `uuid:${value.slice('urn:uuid:'.length)}`;
  if (kind === 'datasetId') return `datasetId:${value}`;
  return undefined;
}

/**
 * URI schemes whose identifiers are global by construction (RFC 8141 URNs, DOIs, ARKs, tag URIs
 * of RFC 4151, info URIs, Handles): a DCAT-US identifier in one of them names the dataset
 * wherever it is published, as an http(s) one does.
 */
const GLOBAL_URI_SCHEME = /^(urn|doi|ark|tag|info|hdl):\S+$/i;

/** One identity key: records sharing kind and value are (subject to the rules of src/identity/cluster.ts) one dataset. */
export interface IdentityKey {
  kind: IdentityKeyKind;
  value: string;
}

/**
 * Longest key value or signal kept: a longer one is hostile or broken input, and is skipped
 * rather than truncated (a truncated URL could equal another URL's truncation).
 */
export const MAX_KEY_VALUE_LENGTH = 2_000;

/**
 * Most keys of one kind a record yields (in practice: download and uri keys), and most `path:`
 * signals: the first ones in the record's order, distinct after normalisation. A record with
 * 10,000 distributions must not put 20,000 rows in the key table; fifty URLs identify a dataset
 * as well as ten thousand do.
 */
export const MAX_KEYS_PER_KIND = 50;

/**
 * Longest source string examined. A URL or title this long cannot give a key within
 * MAX_KEY_VALUE_LENGTH in any sensible case; skipping it before parsing bounds the work a
 * hostile record causes.
 */
const MAX_SOURCE_VALUE_LENGTH = 16_384;

/** Most values read from one sourceExtras identifier entry (a hostile list may hold millions). */
const MAX_EXTRA_IDENTIFIER_VALUES = 200;

/** How deep inside a sourceExtras identifier value (node → notation → literal) strings are looked for. */
const MAX_EXTRA_IDENTIFIER_DEPTH = 4;

/**
 * UUIDs that placeholders and broken exporters write for every record: as identity keys they
 * would join unrelated datasets.
 */
const PLACEHOLDER_UUIDS: ReadonlySet<string> = new Set(['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);

/** sourceExtras entries that may hold identifiers of the dataset (see mapping/dcat.ts, mapping/ckan.ts). */
const EXTRA_IDENTIFIER_ENTRIES = ['dct:identifier', 'adms:identifier', 'id'] as const;

/**
 * Properties of an object value in EXTRA_IDENTIFIER_ENTRIES that hold the identifier's text: a
 * JSON-LD literal (`@value`), an adms:Identifier node's skos:notation (compacted or not), or a
 * plain `value`/`notation` property. An `@id` is not taken: on an adms:Identifier node it names
 * the identifier node, not the dataset.
 */
const IDENTIFIER_TEXT_PROPERTIES = ['@value', 'skos:notation', 'http://www.w3.org/2004/02/skos/core#notation', 'notation', 'value'] as const;

/** Fewest characters (code points) a normalised description needs to corroborate anything: shorter ones are boilerplate ("無", "詳見附件"). */
const MIN_DESCRIPTION_SIGNAL_LENGTH = 20;

/**
 * A description signal holds the first this-many UTF-16 code units of the normalised description
 * (one per common ideograph): long descriptions stay within MAX_KEY_VALUE_LENGTH, and a copy that
 * appended a sentence (「本資料每月更新」) still corroborates its original.
 */
const DESCRIPTION_SIGNAL_LENGTH = 1_000;

/** Raw description characters normalised for a signal: enough for DESCRIPTION_SIGNAL_LENGTH after stripping, bounded. */
const DESCRIPTION_SOURCE_LENGTH = 8 * DESCRIPTION_SIGNAL_LENGTH;

const CALENDAR_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])/;
const UTC_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The record's identity keys, each kind + value once, ordered by kind (strongest first) then by
 * value (code units). See {@link IdentityKeyKind} for what each kind is made of, and the
 * module's bounds ({@link MAX_KEY_VALUE_LENGTH}, {@link MAX_KEYS_PER_KIND}).
 *
 * Rules the caller may not expect:
 *   - an identifier in the national pattern is upper-cased (`a41000000g-000001` is A41000000G-000001);
 *   - any other identifier that is neither an http(s) URL nor a UUID (a local serial `001`, a
 *     `urn:isbn:` or `doi:` URI) is qualified by the publisher: `<PUBLISHERORGCODE>:<identifier>`
 *     and `<publisherOID>:<identifier>`, one key each when the record has both (so a copy that
 *     carries only one of them still matches); no agency key without either;
 *   - URLs that name only a host (`https://data.taipei/`) give no uri, landing or download key:
 *     many records point at their platform's home page, which identifies no dataset;
 *   - the nil and max UUIDs give no key (placeholders);
 *   - landing and download URLs on a placeholder host ({@link isPlaceholderUrl}: example.org,
 *     `*.test`, localhost ...) give no key: templates put them on unrelated records. URI
 *     identifiers on such hosts still do (an identifier claims to be unique; W3C's own DCAT
 *     examples name datasets under example.org);
 *   - a DCAT-US identifier (extensions.sourceVocabulary `dcat-us`) is unique within its
 *     publisher's catalogue (POD schema 1.1: "a unique identifier for the dataset … as maintained
 *     within an Agency catalog"): one that is no URI (a Socrata id `abcd-1234`, a serial `001`)
 *     is qualified by the normalised publisher name, `dcat-us:<publisher>:<identifier>`, which
 *     portals federating the dataset copy with it; one that is a URI of a global scheme
 *     (`urn:`, `doi:` …, see GLOBAL_URI_SCHEME) is a uri key as it stands;
 *   - the fuzzy key's publisher part is the first of publisher, organization, publisherOrgCode,
 *     publisherOID that is non-empty after normalisation; a record with none gets a lookalike
 *     key instead (when it has a title and a description of at least 20 characters).
 */
export function identityKeys(record: NationalRecord): IdentityKey[] {
  const keys = new KeyCollector();
  const identifier = sourceText(record.identifier);

  if (identifier !== undefined) {
    const identifierUri = datasetUri(identifier);
    const dcatUs = record.extensions?.sourceVocabulary === 'dcat-us';
    if (IDENTIFIER_PATTERN.test(identifier)) {
      keys.add('agency', canonicalIdentifier(identifier));
    } else if (dcatUs && !identifierUri.isUri && GLOBAL_URI_SCHEME.test(identifier)) {
      // A URN is case-insensitive in its scheme and namespace, not in the rest: only the scheme is folded.
      const colon = identifier.indexOf(':');
      keys.add('uri', `${identifier.slice(0, colon).toLowerCase()}${identifier.slice(colon)}`);
    } else if (!identifierUri.isUri) {
      if (dcatUs) keys.add('agency', dcatUsQualified(record, identifier));
      const orgCode = sourceText(record.publisherOrgCode);
      const oid = sourceText(record.publisherOID);
      // The code is upper-cased as national identifiers are: `379000000a` is agency 379000000A.
      if (orgCode !== undefined) keys.add('agency', `${orgCode.toUpperCase()}:${identifier}`);
      if (oid !== undefined) keys.add('agency', `${oid}:${identifier}`);
    }
    keys.add('uri', identifierUri.key);
  }

  keys.add('datasetId', dataGovTwKey(record.extensions?.datasetId));

  const extras = asObject(record.extensions?.sourceExtras);
  if (extras !== undefined) {
    for (const entry of EXTRA_IDENTIFIER_ENTRIES) {
      for (const text of identifierTexts(extras[entry], MAX_EXTRA_IDENTIFIER_DEPTH, { remaining: MAX_EXTRA_IDENTIFIER_VALUES })) {
        if (keys.isFull('uri')) break;
        keys.add('uri', datasetUri(text).key);
      }
    }
  }

  keys.add('landing', pointingUrl(record.landingPage));

  for (const url of distributionUrls(record)) {
    if (keys.isFull('download')) break;
    keys.add('download', pointingUrl(url));
  }

  const fuzzy = fuzzyKey(record);
  keys.add('fuzzy', fuzzy);
  if (fuzzy === undefined) keys.add('lookalike', lookalikeKey(record));
  return keys.sorted();
}

/**
 * Weaker signals that confirm a fuzzy (title + publisher) match between records of two sources;
 * two records are corroborated when they share one ({@link corroborates}). Deduplicated and
 * sorted.
 *   - `desc:<text>`: the normalised description's first 1,000 UTF-16 code units (never half a
 *     surrogate pair), when it has at least 20 characters;
 *   - `path:<path?query>`: the {@link hostlessUrl} of the landing page and of each distribution's
 *     downloadURL and accessURL (a mirror serves the same path under another host); at most
 *     {@link MAX_KEYS_PER_KIND}, the first in order;
 *   - `issued:<YYYY-MM-DD>`: the issue date. A UTC date-time is read as its Taipei calendar date,
 *     so that `2021-07-31T16:30:00Z` from one source matches `2021-08-01` from another.
 */
export function corroborationSignals(record: NationalRecord): string[] {
  const signals = new Set<string>();
  const addSignal = (signal: string | undefined): void => {
    if (signal !== undefined && signal.length <= MAX_KEY_VALUE_LENGTH) signals.add(signal);
  };

  addSignal(descriptionSignal(record.description));

  const paths = new Set<string>();
  for (const url of pageAndDistributionUrls(record)) {
    if (paths.size >= MAX_KEYS_PER_KIND) break;
    const text = sourceText(url);
    // A placeholder host's paths (`/dataset`, `/file.csv`) are a template's, not a dataset's.
    const path = text === undefined || isPlaceholderUrl(text) ? undefined : hostlessUrl(text);
    if (path !== undefined && path.length + 'path:'.length <= MAX_KEY_VALUE_LENGTH) paths.add(path);
  }
  for (const path of paths) addSignal(`path:${path}`);

  addSignal(issuedSignal(record.issued));
  return [...signals].sort(compareCodeUnits);
}

/** True when the two records' signals ({@link corroborationSignals}) share at least one. */
export function corroborates(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const [smaller, larger] = a.length <= b.length ? [a, b] : [b, a];
  const lookup = new Set(smaller);
  return larger.some((signal) => lookup.has(signal));
}

/** Collects keys once each, within the bounds, and lists them in the documented order. */
class KeyCollector {
  private readonly seen = new Set<string>();
  private readonly keys: IdentityKey[] = [];
  private readonly counts = new Map<IdentityKeyKind, number>();

  add(kind: IdentityKeyKind, value: string | undefined): void {
    if (value === undefined || value === '' || value.length > MAX_KEY_VALUE_LENGTH || this.isFull(kind)) return;
    const id = `${kind}\u0000${value}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.keys.push({ kind, value });
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  isFull(kind: IdentityKeyKind): boolean {
    return (this.counts.get(kind) ?? 0) >= MAX_KEYS_PER_KIND;
  }

  sorted(): IdentityKey[] {
    const rank = (kind: IdentityKeyKind): number => KEY_KINDS_BY_STRENGTH.indexOf(kind);
    return [...this.keys].sort((a, b) => rank(a.kind) - rank(b.kind) || compareCodeUnits(a.value, b.value));
  }
}

/**
 * What an identifier says as a URI: `isUri` when it is an http(s) URL or a UUID (then it is no
 * agency identifier), and the uri key it gives (none for a bare host or a placeholder UUID).
 */
function datasetUri(identifier: string): { isUri: boolean; key: string | undefined } {
  const uuid = normaliseUuid(identifier);
  if (uuid !== undefined) return { isUri: true, key: PLACEHOLDER_UUIDS.has(uuid) ? undefined : `urn:uuid:${uuid}` };
  const url = normaliseUrl(identifier);
  if (url !== undefined) return { isUri: true, key: specificUrl(url) };
  return { isUri: false, key: undefined };
}

/** The canonical URL, unless it names only a host (or is not an http(s) URL, or is too long to examine). */
function specificUrl(value: unknown): string | undefined {
  const text = sourceText(value);
  if (text === undefined) return undefined;
  const url = normaliseUrl(text);
  return url !== undefined && hostlessUrl(url) !== undefined ? url : undefined;
}

/** A landing or download URL as a key: a specific URL ({@link specificUrl}) not on a placeholder host. */
function pointingUrl(value: unknown): string | undefined {
  const url = specificUrl(value);
  return url === undefined || isPlaceholderUrl(url) ? undefined : url;
}

/**
 * A DCAT-US identifier qualified by its publisher (`dcat-us:<publisher>:<identifier>`), the
 * scope in which DCAT-US makes it unique; undefined when the record names no publisher.
 */
function dcatUsQualified(record: NationalRecord, identifier: string): string | undefined {
  const publisher = normalisedField(record.publisher);
  return publisher === '' ? undefined : `dcat-us:${publisher}:${identifier}`;
}

/** data.gov.tw's dataset id as a key: digits only, without leading zeros (`00123` is dataset 123). */
function dataGovTwKey(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : sourceText(value);
  if (text === undefined || !/^\d{1,20}$/.test(text)) return undefined;
  return `data.gov.tw/${text.replace(/^0+(?=\d)/, '')}`;
}

/**
 * The strings an identifier entry of sourceExtras holds: itself when a string, its items when a
 * list, the text properties ({@link IDENTIFIER_TEXT_PROPERTIES}) of an object, down to `depth`
 * levels and at most `budget.remaining` strings.
 */
function* identifierTexts(value: unknown, depth: number, budget: { remaining: number }): Generator<string> {
  if (budget.remaining <= 0 || depth < 0) return;
  if (typeof value === 'string') {
    budget.remaining -= 1;
    yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) {
      if (budget.remaining <= 0) return;
      yield* identifierTexts(item, depth - 1, budget);
    }
  } else {
    const object = asObject(value);
    if (object === undefined) return;
    for (const property of IDENTIFIER_TEXT_PROPERTIES) {
      if (Object.hasOwn(object, property)) yield* identifierTexts(object[property], depth - 1, budget);
    }
  }
}

/** Each distribution's downloadURL then accessURL, in the record's order; entries that are not objects are skipped. */
function* distributionUrls(record: NationalRecord): Generator<unknown> {
  const distributions: unknown = record.distribution;
  if (!Array.isArray(distributions)) return;
  for (const distribution of distributions) {
    const fields = asObject(distribution);
    if (fields === undefined) continue;
    yield fields['downloadURL'];
    yield fields['accessURL'];
  }
}

function* pageAndDistributionUrls(record: NationalRecord): Generator<unknown> {
  yield record.landingPage;
  yield* distributionUrls(record);
}

function fuzzyKey(record: NationalRecord): string | undefined {
  const title = normalisedField(record.title);
  if (title === '') return undefined;
  // A title alone is too weak (every city publishes 「預算書」): no publisher, no fuzzy key.
  const publisher = [record.publisher, record.organization, record.publisherOrgCode, record.publisherOID].map(normalisedField).find((text) => text !== '');
  // normaliseText strips symbols, so `|` cannot occur inside either part.
  return publisher === undefined ? undefined : `${title}|${publisher}`;
}

/**
 * Normalised title and a digest of the normalised description (its first 8,000 characters):
 * records with this key in common read the same, whatever their identifiers and URLs. Only for
 * a record without a fuzzy key; none without a title or with a description shorter than
 * MIN_DESCRIPTION_SIGNAL_LENGTH (boilerplate). The digest keeps the key short: a description is
 * compared whole, not stored.
 */
function lookalikeKey(record: NationalRecord): string | undefined {
  const title = normalisedField(record.title);
  if (title === '' || typeof record.description !== 'string') return undefined;
  const description = normaliseText(record.description.slice(0, DESCRIPTION_SOURCE_LENGTH));
  if ([...description].length < MIN_DESCRIPTION_SIGNAL_LENGTH) return undefined;
  return `${title}|${createHash('sha256').update(description).digest('base64url').slice(0, 22)}`;
}

function normalisedField(value: unknown): string {
  const text = sourceText(value);
  return text === undefined ? '' : normaliseText(text);
}

function descriptionSignal(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let text = normaliseText(value.slice(0, DESCRIPTION_SOURCE_LENGTH)).slice(0, DESCRIPTION_SIGNAL_LENGTH);
  // Never end on half an ideograph outside the BMP (a high surrogate whose pair was cut off).
  if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
  return [...text].length < MIN_DESCRIPTION_SIGNAL_LENGTH ? undefined : `desc:${text}`;
}

function issuedSignal(value: unknown): string | undefined {
  const text = sourceText(value);
  if (text === undefined || !CALENDAR_DATE.test(text)) return undefined;
  if (UTC_DATE_TIME.test(text)) {
    try {
      return `issued:${formatTaipeiDateTime(text).slice(0, 10)}`;
    } catch {
      // Not a real instant (2021-02-30T...): fall back to the date as written.
    }
  }
  return `issued:${text.slice(0, 10)}`;
}

/** A trimmed, non-empty string within MAX_SOURCE_VALUE_LENGTH, or undefined. */
function sourceText(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_SOURCE_VALUE_LENGTH) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
