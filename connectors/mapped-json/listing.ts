/**
 * Paging through a JSON catalogue API's list as a mapping file describes it: no paging,
 * page/size, offset/limit, or a next link found in the response. Guarded: a page that repeats
 * the previous one, a next link seen before or pointing at another host, and a hard cap on
 * requests each end the listing with a `list` failure (the run is then partial and withdraws
 * nothing).
 */
import { SourceProtocolError, type HarvestContext, type SourceFailure } from '../connector.js';
import { evaluate, evaluateOne } from '../../src/mapping/declarative/path.js';
import type { CompiledMapping } from '../../src/mapping/declarative/mapping-file.js';

export type ListingStep = { items: unknown[]; failure?: undefined } | { items?: undefined; failure: SourceFailure };

export async function* listItems(context: HarvestContext, sourceId: string, base: string, mapping: CompiledMapping): AsyncIterable<ListingStep> {
  const { list } = mapping;
  const paging = list.paging;
  const firstUrl = resolveUrl(base, list.url, list.query);
  let url: string | undefined = firstUrl;
  const seenUrls = new Set<string>();
  let previousFingerprint: string | undefined;
  let listed = 0;

  for (let page = 0; url !== undefined; page += 1) {
    if (context.signal.aborted) return;
    if (page >= list.maxPages) {
      yield { failure: { stage: 'list', rule: 'page-cap', message: `listing stopped after ${list.maxPages} requests (list.maxPages of ${mapping.file})` } };
      return;
    }
    const requestUrl = pagedUrl(url, paging, page);
    seenUrls.add(requestUrl);
    const { json } = await context.http.getJson(requestUrl, { signal: context.signal });
    const found = evaluate(json, list.recordsPath);
    const items = found.length === 1 && Array.isArray(found[0]) ? (found[0] as unknown[]) : undefined;
    if (items === undefined) {
      throw new SourceProtocolError(
        sourceId,
        `${requestUrl}: no array of records at ${JSON.stringify(pathText(mapping, 'recordsPath'))} (mapping ${mapping.file}); the platform answered ${JSON.stringify(json)?.slice(0, 200)}`,
      );
    }
    const fingerprint = JSON.stringify(items);
    if (items.length > 0 && fingerprint === previousFingerprint) {
      yield {
        failure: {
          stage: 'list',
          rule: 'paging-loop',
          message: `${requestUrl} returned the same records as the previous page; the platform ignores the paging parameters, listing stopped`,
        },
      };
      return;
    }
    previousFingerprint = fingerprint;
    listed += items.length;
    yield { items };
    if (items.length === 0) return;

    const total = list.totalPath ? Number(evaluateOne(json, list.totalPath)) : Number.NaN;
    if (paging.style === 'none') return;
    if (paging.style === 'next-link') {
      const next = list.nextPath ? evaluateOne(json, list.nextPath) : undefined;
      if (typeof next !== 'string' || next.trim() === '') return;
      const nextUrl = new URL(next.trim(), requestUrl).toString();
      if (new URL(nextUrl).origin !== new URL(firstUrl).origin) {
        yield {
          failure: { stage: 'list', rule: 'foreign-next-link', message: `${requestUrl} points its next page at another host (${nextUrl}); listing stopped` },
        };
        return;
      }
      if (seenUrls.has(nextUrl)) {
        yield {
          failure: { stage: 'list', rule: 'paging-loop', message: `${requestUrl} points its next page back at ${nextUrl}, already read; listing stopped` },
        };
        return;
      }
      url = nextUrl;
      continue;
    }
    if (Number.isFinite(total) && listed >= total) return;
    // A page shorter than asked is the last; one longer means the platform ignores the size and sent everything.
    if (items.length !== paging.pageSize) return;
  }
}

/** The list or detail URL: a path under the source's url, or absolute; with the fixed query parameters. */
export function resolveUrl(base: string, target: string, query: Record<string, string>): string {
  const url = new URL(/^https?:\/\//i.test(target) ? target : `${base.replace(/\/+$/, '')}${target}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

function pagedUrl(url: string, paging: CompiledMapping['list']['paging'], page: number): string {
  if (paging.style === 'none' || paging.style === 'next-link') return url;
  const paged = new URL(url);
  if (paging.style === 'page') {
    paged.searchParams.set(paging.pageParam, String((paging.firstPage ?? 1) + page));
    paged.searchParams.set(paging.sizeParam, String(paging.pageSize));
  } else {
    paged.searchParams.set(paging.offsetParam, String(page * paging.pageSize));
    paged.searchParams.set(paging.limitParam, String(paging.pageSize));
  }
  return paged.toString();
}

function pathText(mapping: CompiledMapping, which: 'recordsPath'): string {
  return (
    mapping.list[which].map((segment) => (segment.kind === 'key' ? segment.key : segment.kind === 'index' ? `[${segment.index}]` : '[*]')).join('.') || '$'
  );
}
