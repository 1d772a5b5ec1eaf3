/**
 * Credentials an operator puts in a source's URL (`https://user:pass@host/…`, `?api_key=…`) must
 * reach the source but never the logs, the terminal or the runs table, where anyone who reads
 * them would get the key. `redactCredentials` takes a URL or any text that carries URLs (error
 * messages quote the URL that failed, a log line is JSON) and replaces each secret by `***`,
 * leaving every other character as it was: text without secrets comes back unchanged, and
 * redacting twice changes nothing.
 *
 * It never turns valid JSON into invalid JSON: what it replaces contains no quote, backslash or
 * white space, so a log line can be redacted after it is serialised.
 */

const REDACTED = '***';

/**
 * Parameter names (compared in lower case, without `-`, `_` and `.`) whose value is a secret, and
 * endings that make a name one (`X-Amz-Signature`, `client_secret`). Paging tokens
 * (`resumptionToken`, `pageToken`) are not secrets and stay readable.
 */
const SECRET_NAMES = new Set(['key', 'token', 'sig', 'auth', 'pass', 'pwd', 'jwt', 'apikey', 'signature', 'secret', 'password']);
const SECRET_ENDINGS = [
  'apikey',
  'apitoken',
  'accesskey',
  'secretkey',
  'privatekey',
  'subscriptionkey',
  'accesstoken',
  'authtoken',
  'oauthtoken',
  'privatetoken',
  'securitytoken',
  'sessiontoken',
  'refreshtoken',
  'idtoken',
  'secret',
  'password',
  'passwd',
  'signature',
  'credential',
  'credentials',
];

/** Whether a query or fragment parameter of this name (as written, possibly percent-encoded) carries a secret. */
export function isSecretParameter(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape: judge the name as written.
  }
  const normal = decoded.toLowerCase().replace(/[-_.]/g, '');
  return SECRET_NAMES.has(normal) || SECRET_ENDINGS.some((ending) => normal.endsWith(ending));
}

// What an authority (user information, host, port) or a parameter can be made of inside text:
// not white space, not the delimiters that end it, not a quote, bracket or backslash of the text
// around it. Backslash and quotes stay out so that a JSON string is never cut in the middle of an
// escape.
const AUTHORITY_CHAR = String.raw`[^\s/?#\\"'<>` + '`' + ']';
const PARAMETER_VALUE_CHAR = String.raw`[^\s&#\\"'<>` + '`' + ']';

/**
 * `scheme://userinfo@`: the user information runs to the last `@` of the authority, as URL parsers
 * read it. http(s), ws(s) and ftp are also read with one, none or back slashes (`http:/u:p@h`),
 * as the WHATWG URL parser does. A scheme starts only where a word starts, which keeps the
 * search linear on long runs of letters.
 */
const USERINFO = new RegExp(String.raw`(?<![a-z0-9+.-])((?:(?:https?|wss?|ftp):[\\/]*)|(?:[a-z][a-z0-9+.-]*://))(${AUTHORITY_CHAR}+)@`, 'gi');

/** `name=` right after `?`, `&`, `#` or `;` (the query, the fragment, `&amp;`, matrix parameters). */
const PARAMETER_NAME = new RegExp(String.raw`[?&#;]([^\s=&#;?\\"'<>` + '`' + ']{1,64})=', 'g');
const PARAMETER_VALUE = new RegExp(`${PARAMETER_VALUE_CHAR}*`, 'y');
/** Punctuation that ends a sentence or a parenthesis around a URL rather than belonging to its value. */
const TRAILING_PUNCTUATION = /[.,:;!?)\]}]+$/;

export function redactCredentials(text: string): string {
  // Most log lines and messages carry neither: skip the regular expressions.
  if (!text.includes('@') && !text.includes('=')) return text;
  const withoutUserinfo = text.replace(USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon === -1 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`}@`;
  });
  return redactParameters(withoutUserinfo);
}

/**
 * Each secret parameter's value becomes `***`. The search goes on right after each `name=`, so a
 * parameter inside another's value (`;jsessionid=1;token=…`) is still found.
 */
function redactParameters(text: string): string {
  let out = '';
  let copied = 0;
  PARAMETER_NAME.lastIndex = 0;
  for (let match = PARAMETER_NAME.exec(text); match; match = PARAMETER_NAME.exec(text)) {
    if (!isSecretParameter(match[1]!)) continue;
    const valueStart = PARAMETER_NAME.lastIndex;
    PARAMETER_VALUE.lastIndex = valueStart;
    const value = PARAMETER_VALUE.exec(text)![0].replace(TRAILING_PUNCTUATION, '');
    if (value === '' || value === REDACTED) continue;
    out += `${text.slice(copied, valueStart)}${REDACTED}`;
    copied = valueStart + value.length;
    PARAMETER_NAME.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `redactCredentials` for a value that may be absent (a run's message). */
export function redactOptional<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? redactCredentials(text) : text) as T;
}
