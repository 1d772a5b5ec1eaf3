import { toWellFormedString } from '../src/model/well-formed-string.js';

/**
 * A listed id as a URL component. encodeURIComponent throws on a lone surrogate (an id a source
 * listed as "\ud800…"), which failed the whole run over one id; written repaired, the request is
 * sent, the source answers (a 404 most likely), and the id is one typed failure of its own.
 */
export function idInUrl(id: string): string {
  return encodeURIComponent(toWellFormedString(id));
}
