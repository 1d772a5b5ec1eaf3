/**
 * Text for the full-text index, and queries against it, in one form, so that Chinese works with
 * SQLite's FTS5: Chinese has no spaces between words, and FTS5's unicode61 tokenizer would take
 * a whole run of Han characters as one token (`臺北市公共自行車` matched only as a whole). So
 * both sides are rewritten the same way before FTS5 sees them:
 *
 *   - folded like identity's fuzzy key (NFKC: full/half width; 臺→台 and the other variants of
 *     src/identity/normalise.ts; lower case), so 臺北/台北 and ＣＳＶ/csv match;
 *   - every run of CJK characters becomes its overlapping bigrams (`公共自行車` → `公共 共自 自行
 *     行車`), a single character stays itself; Latin words and numbers stay words.
 *
 * A query term of two or more CJK characters is the phrase of its bigrams, which the index
 * answers exactly; a one-character term cannot be (the character sits inside bigrams), so it is
 * left to a substring scan by the caller (`needsScan`). Latin terms become prefix queries
 * (`youb*`), so partial words match as users expect from a search box.
 */
import { normaliseTextKeepingSpaces } from '../identity/normalise.js';

/** CJK ideographs, kana, hangul and their extensions: the scripts written without spaces. */
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const CJK_ONLY = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;

/** Text as the index stores it. */
export function indexText(value: string): string {
  return normaliseTextKeepingSpaces(value).replace(CJK_RUN, (run) => ` ${bigrams(run).join(' ')} `).replace(/\s+/g, ' ').trim();
}

function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  const pairs: string[] = [];
  for (let i = 0; i + 1 < chars.length; i += 1) pairs.push(chars[i]! + chars[i + 1]!);
  return pairs;
}

export interface ParsedQuery {
  /** An FTS5 MATCH expression (all terms required), or undefined when no term can use the index. */
  match: string | undefined;
  /** Folded single-character CJK terms the index cannot answer: match them as substrings. */
  scanTerms: string[];
}

/**
 * A user's query (space-separated terms, all required) as an FTS5 expression. Every term is
 * quoted, so FTS5 syntax in user input (`AND`, `NEAR(`, `"`, `*`, `:`) is just text.
 */
export function parseQuery(query: string): ParsedQuery {
  const parts: string[] = [];
  const scanTerms: string[] = [];
  for (const raw of query.split(/\s+/)) {
    const folded = normaliseTextKeepingSpaces(raw).replace(/\s+/g, '');
    if (folded === '') continue;
    // A term mixing scripts (`YouBike站`) is split into its CJK runs and its other words.
    const pieces = folded.replace(CJK_RUN, (run) => ` ${run} `).trim().split(/\s+/);
    for (const piece of pieces) {
      if (CJK_ONLY.test(piece)) {
        const chars = [...piece];
        if (chars.length === 1) scanTerms.push(piece);
        else parts.push(quote(bigrams(piece).join(' ')));
      } else {
        parts.push(`${quote(piece)}*`);
      }
    }
  }
  return { match: parts.length > 0 ? parts.join(' AND ') : undefined, scanTerms };
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
