/**
 * Hydra paging of a DCAT catalogue: the next page's URL, from either generation of Hydra that
 * portals publish — hydra:PagedCollection with hydra:nextPage (piveau, the EU data portal) and
 * hydra:PartialCollectionView with hydra:next (Hydra Core today).
 */
import type { PageGraph } from './page-graph.js';

export interface NextPage {
  url: string;
  /** Several different next links were published: the one taken is named, the rest logged. */
  alternatives: string[];
}

/**
 * The next page after `pageUrl`, absolute; undefined on the last page. A link naming the page
 * itself is returned as is: the caller's loop guard reports it.
 */
export function nextPageOf(graph: PageGraph, pageUrl: string): NextPage | undefined {
  const links = new Set<string>();
  // hydra:next and hydra:nextPage, whoever states them (PageGraph gathers them as it is filled).
  for (const object of graph.nextLinks()) {
    // Parsers resolve relative IRIs against the page already; a literal link is resolved here.
    const resolved = resolveUrl(object.value, pageUrl);
    if (resolved !== undefined) links.add(resolved);
  }
  const sorted = [...links].sort();
  // Prefer a link that is not the page itself, so a view that also states its own URL still pages.
  const chosen = sorted.find((url) => !samePage(url, pageUrl)) ?? sorted[0];
  if (chosen === undefined) return undefined;
  return { url: chosen, alternatives: sorted.filter((url) => url !== chosen) };
}

/** Page identity for the loop guard: the URL without its fragment. */
export function pageKey(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

function samePage(a: string, b: string): boolean {
  return pageKey(a) === pageKey(b);
}

function resolveUrl(link: string, base: string): string | undefined {
  try {
    const url = new URL(link, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
