import { HttpError, type HttpClient } from '../http/http-client.js';
import { parseFeedPage, type FeedPage } from './feed-page.js';

/** Changes asked per page: the contract allows 1–1000; each page is one store transaction. */
export const DEFAULT_FEED_PAGE_SIZE = 500;

/**
 * Reads another gateway's change feed through the harvester's HTTP client, so the mirror gets
 * what every source gets: a whole-request deadline, the response size cap, retries with backoff
 * for transient failures, Retry-After, per-host politeness and the private-address guard
 * (loopback and private networks only when the operator allowed them).
 */
export class FeedClient {
  constructor(
    private readonly http: HttpClient,
    readonly feedUrl: string,
    private readonly pageSize = DEFAULT_FEED_PAGE_SIZE,
  ) {
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new RangeError(`page size must be 1–1000, got ${pageSize}`);
  }

  /** The URL of the page after `since` (undefined: from the beginning). */
  pageUrl(since: string | undefined, limit = this.pageSize): string {
    const params = new URLSearchParams({ limit: String(limit) });
    if (since !== undefined) params.set('since', since);
    return `${this.feedUrl}?${params.toString()}`;
  }

  /**
   * One page, checked against the contract: an HttpError, a MalformedBodyError or a FeedPageError
   * otherwise. A page over the response size cap (records of megabytes each) is asked again with
   * half the limit, down to one change: the feed's cursor does not care how the walk is cut, and
   * a mirror must not be stuck for ever behind one page of big records.
   */
  async page(since: string | undefined, signal?: AbortSignal): Promise<FeedPage> {
    for (let limit = this.pageSize; ; limit = Math.ceil(limit / 2)) {
      const url = this.pageUrl(since, limit);
      try {
        const { json } = await this.http.getJson(url, { signal });
        return parseFeedPage(json, url, since);
      } catch (err) {
        if (!(err instanceof HttpError && err.kind === 'too-large') || limit === 1) throw err;
      }
    }
  }
}
