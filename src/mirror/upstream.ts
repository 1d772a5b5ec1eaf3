import { createHash } from 'node:crypto';

/**
 * The gateway a mirror follows, as the operator named it: `https://gw.example.tw`,
 * `https://data.example.tw/ogd/` (a gateway behind a path prefix) or the feed's own URL
 * `…/api/changes`. One upstream is one source of the local store, `mirror-<host>[-<port>][-<path>]`,
 * so that naming it again resumes where the last sync stopped.
 */
export interface Upstream {
  /** The gateway's base URL, without a trailing slash (what the source row keeps). */
  baseUrl: string;
  /** Its change feed. */
  feedUrl: string;
  /** The local source its datasets are stored under. */
  sourceId: string;
}

export class UpstreamUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamUrlError';
  }
}

const FEED_PATH = '/api/changes';
const SOURCE_ID_MAX = 64;

export function parseUpstream(input: string): Upstream {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new UpstreamUrlError(`not a URL: "${input}" (expected the other gateway's base URL, e.g. https://gateway.example.tw)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UpstreamUrlError(`only http and https gateways can be mirrored, not ${url.protocol}`);
  if (url.username || url.password)
    throw new UpstreamUrlError('the URL carries a user name or password: they would be stored with the source; the change feed needs none');
  if (url.search) throw new UpstreamUrlError(`the URL carries a query (${url.search}): give the gateway's base URL; the mirror adds its own parameters`);
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith(FEED_PATH)) path = path.slice(0, -FEED_PATH.length);
  const baseUrl = `${url.protocol}//${url.host}${path}`;
  return { baseUrl, feedUrl: `${baseUrl}${FEED_PATH}`, sourceId: mirrorSourceId(url, path) };
}

/**
 * `mirror-` + host, port when one is given, path segments: within the configuration's source id
 * pattern ([a-z0-9][a-z0-9._-]{0,63}). Too long, it is cut and keeps a hash of the whole, so two
 * long names stay apart.
 */
function mirrorSourceId(url: URL, path: string): string {
  const parts = [url.hostname.replace(/^\[|\]$/g, ''), url.port, ...path.split('/')].filter((part) => part !== '');
  const name = `mirror-${parts.join('-')}`
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/-$/, '');
  if (name.length <= SOURCE_ID_MAX) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, SOURCE_ID_MAX - hash.length - 1).replace(/-$/, '')}-${hash}`;
}
