/**
 * Canonical forms of the values that say which dataset a record is: URLs, free text (titles,
 * publishers, descriptions) and UUIDs. Two platforms that copy one dataset write these values
 * differently (http or https, a tracking parameter, 臺 or 台, full-width letters); the forms here
 * make those copies compare equal, and nothing else. Pure: no I/O, no state.
 */

/**
 * Query parameters that record how a visitor arrived (campaign, ad click, analytics session),
 * not what the server returns: two links to one file that differ only in these are one file.
 * Matched case-insensitively on the decoded name; any name starting with `utm_` is one too.
 */
export const TRACKING_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'fbclid', // Facebook click id
  'gclid', // Google Ads click id
  'dclid', // Google Display click id
  'msclkid', // Microsoft Ads click id
  'mc_cid', // Mailchimp campaign id
  'mc_eid', // Mailchimp subscriber id
  '_ga', // Google Analytics cross-domain linker
  '_gl', // Google Analytics 4 linker
  'yclid', // Yandex click id
  'igshid', // Instagram share id
  'spm', // Alibaba / Taobao traffic tracking
]);

/** Any parameter with this prefix (Urchin Tracking Module: utm_source, utm_medium ...). */
const TRACKING_PARAMETER_PREFIX = 'utm_';

/**
 * Ports that name the usual server of either scheme. Both are dropped whatever the scheme, because
 * the scheme is folded to https: `http://host:443/` and `https://host/` are then one resource, as
 * are `https://host:80/` and `http://host/`.
 */
const DEFAULT_PORTS: ReadonlySet<string> = new Set(['80', '443']);

interface CanonicalUrl {
  /** Lower-cased host without a trailing dot: `data.taipei`, `[::1]`. */
  hostname: string;
  /** The hostname and a non-default port: `data.taipei`, `[::1]:8080`. */
  authority: string;
  /** Path with repeated slashes collapsed and no trailing slash (except the root `/`). */
  path: string;
  /** Query without `?`: tracking parameters removed, the rest sorted. Empty when none. */
  query: string;
}

/**
 * The canonical form of an http(s) URL for identity comparison, or undefined when the value is
 * not an absolute http or https URL.
 *
 * `https://` whatever the scheme; host lower-cased (Unicode hosts in punycode, as WHATWG URL
 * serialises them) without a trailing dot; ports 80 and 443 dropped; user name and password
 * dropped (they do not name the resource, and identity keys are stored and shown); fragment
 * dropped; tracking parameters ({@link TRACKING_QUERY_PARAMETERS}) removed and the remaining
 * parameters sorted by name, then value; repeated slashes in the path collapsed and a trailing
 * slash removed from a non-root path. Percent-encoding is left as WHATWG URL serialises it: no
 * decoding, so `%41` and `A` stay different. Idempotent.
 *
 * @example normaliseUrl('HTTP://Data.Taipei./dataset/abc/?utm_source=fb&id=1#top') === 'https://data.taipei/dataset/abc?id=1'
 */
export function normaliseUrl(value: string): string | undefined {
  const url = canonicalUrl(value);
  if (url === undefined) return undefined;
  return `https://${url.authority}${url.path}${url.query === '' ? '' : `?${url.query}`}`;
}

/**
 * The canonical URL ({@link normaliseUrl}) without scheme and host: path and sorted query, e.g.
 * `/dataset/abc?id=1`. It shows that two hosts (a city platform and its mirror) serve one
 * resource path. Undefined when the value is not an http(s) URL, or when its path is the root
 * and it has no query: a bare host says nothing about which resource.
 */
export function hostlessUrl(value: string): string | undefined {
  const url = canonicalUrl(value);
  if (url === undefined || (url.path === '/' && url.query === '')) return undefined;
  return `${url.path}${url.query === '' ? '' : `?${url.query}`}`;
}

function canonicalUrl(value: string): CanonicalUrl | undefined {
  // Records arrive from untrusted JSON: the declared type is not a guarantee.
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || !URL.canParse(trimmed)) return undefined;
  const url = new URL(trimmed);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // `data.taipei.` is the fully qualified spelling of `data.taipei`: one host.
  const hostname = url.hostname.replace(/\.+$/, '');
  if (hostname === '') return undefined;
  const port = url.port === '' || DEFAULT_PORTS.has(url.port) ? '' : `:${url.port}`;
  let path = url.pathname.replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return { hostname, authority: `${hostname}${port}`, path, query: canonicalQuery(url.search) };
}

/**
 * Domains reserved for examples and documentation (RFC 2606 §3): they and their subdomains name
 * no one's resource. Templates, test catalogues and careless exporters fill landing pages with
 * them (`https://example.org/dataset`), so two unrelated records can carry the same one.
 */
const PLACEHOLDER_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org'];

/**
 * Top-level names that resolve nowhere on the public Internet: RFC 2606 and RFC 6761 (`test`,
 * `example`, `invalid`, `localhost`), RFC 6762 (`local`, multicast DNS), RFC 8375
 * (`home.arpa`) and ICANN's private-use `internal` (2024). A URL under one names a machine of
 * whoever wrote it, not a resource anyone else can reach.
 */
const PLACEHOLDER_SUFFIXES: readonly string[] = ['test', 'example', 'invalid', 'localhost', 'local', 'internal', 'home.arpa'];

/** Loopback and unspecified IP literals, as WHATWG URL serialises them: `localhost` by another name. */
const PLACEHOLDER_ADDRESS = /^(?:127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\])$/;

/**
 * True when the value is an http(s) URL whose host is a placeholder: an example domain or a
 * subdomain of one ({@link PLACEHOLDER_DOMAINS}), a reserved top-level name
 * ({@link PLACEHOLDER_SUFFIXES}, `localhost` itself included), or a loopback or unspecified
 * address. Such a URL says nothing about which dataset a record is: identity-keys.ts makes no landing or
 * download key of it. False for anything else, a value that is no URL included.
 *
 * @example isPlaceholderUrl('https://www.EXAMPLE.org./dataset') === true
 * @example isPlaceholderUrl('https://example.gov/dataset') === false
 */
export function isPlaceholderUrl(value: string): boolean {
  const url = canonicalUrl(value);
  if (url === undefined) return false;
  const host = url.hostname;
  if (PLACEHOLDER_ADDRESS.test(host)) return true;
  const isUnder = (name: string): boolean => host === name || host.endsWith(`.${name}`);
  return PLACEHOLDER_DOMAINS.some(isUnder) || PLACEHOLDER_SUFFIXES.some(isUnder);
}

interface QueryParameter {
  name: string;
  value: string;
  raw: string;
}

/** The query's parameters (raw, as URL serialised them) less tracking ones, in a stable order. */
function canonicalQuery(search: string): string {
  if (search === '') return '';
  const parameters: QueryParameter[] = [];
  for (const raw of search.slice(1).split('&')) {
    if (raw === '') continue;
    const equals = raw.indexOf('=');
    const name = equals < 0 ? raw : raw.slice(0, equals);
    if (isTrackingParameter(name)) continue;
    parameters.push({ name, value: equals < 0 ? '' : raw.slice(equals + 1), raw });
  }
  // Code-unit comparison, not localeCompare: the order must not depend on the machine's locale.
  // `raw` last tells `?a` from `?a=`, so the order is total and the result deterministic.
  parameters.sort((a, b) => compareCodeUnits(a.name, b.name) || compareCodeUnits(a.value, b.value) || compareCodeUnits(a.raw, b.raw));
  return parameters.map((parameter) => parameter.raw).join('&');
}

function isTrackingParameter(rawName: string): boolean {
  const name = decodeFormComponent(rawName).toLowerCase();
  return name.startsWith(TRACKING_PARAMETER_PREFIX) || TRACKING_QUERY_PARAMETERS.has(name);
}

/** A query name as a server reads it (`+` is a space); the raw text when its escapes are broken. */
function decodeFormComponent(raw: string): string {
  const spaced = raw.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Ideograph variants (異體字) folded to one form before comparing text. 臺/台 is the pair that
 * matters most: 臺 is the official form (臺北市政府, 臺灣) and 台 the everyday one, and both
 * spell the same agency on different platforms. The others are variants that reach Taiwanese
 * titles and agency names through Hong Kong, Japanese or simplified-Chinese input methods and
 * legacy Big5 conversions, each folded to the form Taiwan writes:
 *   衞→衛 (衛生局), 衆→眾 (大眾運輸), 綫→線 (公車路線), 温→溫 (氣溫), 册→冊 (名冊),
 *   録→錄 (名錄, 紀錄), 証→證 (證照), 汙→污 (空氣污染: the standard's 汙 and the common 污
 *   are both in use), 祕→秘 (秘書處: likewise).
 * Only pairs that are one word in every use are listed: 里/裡, 周/週 or 台/颱 mean different
 * things and stay apart. Folding a little too much costs little: text comparison alone never
 * joins two records (a fuzzy match needs corroboration).
 */
const IDEOGRAPH_VARIANTS: ReadonlyMap<string, string> = new Map([
  ['臺', '台'],
  ['衞', '衛'],
  ['衆', '眾'],
  ['綫', '線'],
  ['温', '溫'],
  ['册', '冊'],
  ['録', '錄'],
  ['証', '證'],
  ['汙', '污'],
  ['祕', '秘'],
]);

const IDEOGRAPH_VARIANT_PATTERN = new RegExp(`[${[...IDEOGRAPH_VARIANTS.keys()].join('')}]`, 'gu');

/**
 * What text comparison ignores: punctuation (P*), symbols (S*), white space, control and format
 * characters (zero-width spaces, soft hyphens and byte-order marks that copy-paste leaves in
 * titles and that no reader sees), and lone surrogates (broken encodings, not text).
 */
const IGNORED_CHARACTERS = /[\p{P}\p{S}\s\p{Cc}\p{Cf}\p{Cs}]/gu;

/**
 * Free text (a title, a publisher, a description) in the form compared across sources:
 * Unicode NFKC (full-width ＡＢＣ１２３ and half-width katakana to their usual forms), the
 * ideograph variants of {@link IDEOGRAPH_VARIANTS} folded (臺→台 ...), lower case, and no
 * white space, punctuation or symbols. The empty string when nothing is left.
 *
 * @example normaliseText('臺北市 公共自行車（YouBike）租賃站') === normaliseText('台北市公共自行車(youbike)租賃站')
 */
export function normaliseText(value: string): string {
  if (typeof value !== 'string') return '';
  return value
    .normalize('NFKC')
    .replace(IDEOGRAPH_VARIANT_PATTERN, (variant) => IDEOGRAPH_VARIANTS.get(variant) ?? variant)
    .toLowerCase()
    .replace(IGNORED_CHARACTERS, '');
}

/**
 * The same folding as {@link normaliseText}, but what it ignores becomes a space rather than
 * nothing, so word boundaries survive: the form of the full-text index (src/store/search-text.ts).
 */
export function normaliseTextKeepingSpaces(value: string): string {
  if (typeof value !== 'string') return '';
  return value
    .normalize('NFKC')
    .replace(IDEOGRAPH_VARIANT_PATTERN, (variant) => IDEOGRAPH_VARIANTS.get(variant) ?? variant)
    .toLowerCase()
    .replace(IGNORED_CHARACTERS, ' ');
}

/** 8-4-4-4-12 hexadecimal, optionally as a `urn:uuid:` URN (how DCAT sources often write it). */
const UUID_PATTERN = /^(?:urn:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * True when the value (trimmed) is a UUID in the 8-4-4-4-12 form, bare or as `urn:uuid:...`, in
 * any case. Purely syntactic: the nil UUID is one too. The 32-digit form without hyphens is not
 * accepted: it is as likely an MD5 checksum as a UUID.
 */
export function isUuid(value: string): boolean {
  return normaliseUuid(value) !== undefined;
}

/**
 * The UUID in canonical form (lower case, 8-4-4-4-12, no `urn:uuid:` prefix), or undefined when
 * the value is not a UUID ({@link isUuid}). CKAN package ids are UUIDs: globally unique, so the
 * same id on two platforms is one dataset.
 */
export function normaliseUuid(value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = UUID_PATTERN.exec(value.trim());
  return match?.[1]?.toLowerCase();
}
