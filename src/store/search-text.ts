/**
 * Text for the full-text index, and queries against it, in one form, so that Chinese works with
 * SQLite's FTS5: Chinese has no spaces between words, and FTS5's unicode61 tokenizer would take
 * a whole run of Han characters as one token (`臺北市公共自行車` matched only as a whole). So
 * both sides are rewritten the same way before FTS5 sees them:
 *
 *   - folded like identity's fuzzy key (NFKC: full/half width; 臺→台 and the other variants of
 *     src/model/comparison-forms.ts; lower case), so 臺北/台北 and ＣＳＶ/csv match; punctuation and
 *     symbols become spaces, so `COVID-19` is the words `covid 19`;
 *   - every run of CJK characters becomes its overlapping bigrams followed by its last
 *     character alone (`公共自行車` → `公共 共自 自行 行車 車`); Latin words and numbers stay words.
 *
 * A query term of two or more CJK characters is the phrase of its bigrams, which the index
 * answers exactly (a substring of the run is a run of consecutive bigrams). A one-character term
 * is the prefix query `"車"*`: every character of an indexed run begins a token (its bigram with
 * the next character, or, for the last one, the character alone), so "a token starts with 車"
 * is exactly "the text contains 車", answered from the index with no scan of the text. Latin
 * terms are prefix queries (`youb*`), so partial words match as users expect from a search box.
 */
import { normaliseTextKeepingSpaces } from '../model/comparison-forms.js';

/** CJK ideographs, kana, hangul and their extensions: the scripts written without spaces. */
const CJK_CLASS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const CJK_RUN = new RegExp(`[${CJK_CLASS}]+`, 'gu');
/** A query term's pieces: a CJK run, or a group of other words (`covid 19`) between CJK runs. */
const QUERY_PIECE = new RegExp(`[${CJK_CLASS}]+|[^${CJK_CLASS}]+`, 'gu');
const CJK_ONLY = new RegExp(`^[${CJK_CLASS}]+$`, 'u');
/** A piece FTS5 can match must hold a letter or a digit (a lone combining mark is no token). */
const SEARCHABLE = /[\p{L}\p{N}]/u;

/**
 * At most this many terms of one query are used (`truncated` says when there were more): each
 * term costs index lookups of its own (src/store/search.ts), so a pasted paragraph must not
 * become hundreds of them. The HTTP API refuses such a query rather than answer a broader one.
 */
export const MAX_QUERY_TERMS = 32;

/** Text as the index stores it. */
export function indexText(value: string): string {
  return normaliseTextKeepingSpaces(value)
    .replace(CJK_RUN, (run) => ` ${cjkTokens(run).join(' ')} `)
    .replace(/\s+/g, ' ')
    .trim();
}

/** How many tokens FTS5 makes of an indexText result: the length BM25 normalises by. */
export function tokenCount(indexed: string): number {
  if (indexed === '') return 0;
  let count = 1;
  for (let i = 0; i < indexed.length; i += 1) if (indexed.charCodeAt(i) === 32) count += 1;
  return count;
}

/** A run's bigrams and then its last character: every character begins one token. */
function cjkTokens(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  const tokens = bigrams(chars);
  tokens.push(chars[chars.length - 1]!);
  return tokens;
}

function bigrams(chars: readonly string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < chars.length; i += 1) pairs.push(chars[i]! + chars[i + 1]!);
  return pairs;
}

/** One required term of a query. */
export interface QueryTerm {
  /** The term as an FTS5 expression: a quoted phrase, `*` after it for a prefix query. */
  match: string;
}

export interface ParsedQuery {
  /** Every term required; empty when the query holds nothing searchable (only punctuation). */
  terms: QueryTerm[];
  /** All terms as one FTS5 MATCH expression, or undefined when there is none. */
  match: string | undefined;
  /** True when the query had more than MAX_QUERY_TERMS distinct terms and the rest were dropped. */
  truncated: boolean;
}

/**
 * A user's query (space-separated terms, all required) as FTS5 expressions. Every term is
 * quoted, so FTS5 syntax in user input (`AND`, `NEAR(`, `"`, `*`, `:`, `{title}`) is just text.
 * A term mixing scripts (`YouBike站`) becomes one term per script run (`youbike*` and `站*`).
 */
export function parseQuery(query: string): ParsedQuery {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  let truncated = false;
  const add = (term: QueryTerm): void => {
    if (seen.has(term.match)) return;
    if (terms.length >= MAX_QUERY_TERMS) {
      truncated = true;
      return;
    }
    seen.add(term.match);
    terms.push(term);
  };
  for (const raw of query.split(/\s+/)) {
    const folded = normaliseTextKeepingSpaces(raw);
    for (const [piece] of folded.matchAll(QUERY_PIECE)) {
      const text = piece.replace(/\s+/g, ' ').trim();
      if (text === '' || !SEARCHABLE.test(text)) continue;
      if (CJK_ONLY.test(text)) {
        const chars = [...text];
        add({ match: chars.length === 1 ? `${quote(text)}*` : quote(bigrams(chars).join(' ')) });
      } else {
        // FTS5 tokenizes the quoted words itself; `*` makes the last one a prefix.
        add({ match: `${quote(text)}*` });
      }
    }
  }
  return { terms, match: terms.length > 0 ? terms.map((term) => term.match).join(' AND ') : undefined, truncated };
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
