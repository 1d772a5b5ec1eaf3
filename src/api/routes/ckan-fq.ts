/**
 * The part of Solr's query syntax that CKAN clients send in package_search's `fq`: field
 * clauses combined with AND, which is what harvesters and portals use:
 *
 *   organization:moda                      bare value (Solr escapes with `\`)
 *   license_id:"政府資料開放授權條款-第1版"     quoted value
 *   metadata_modified:[2024-01-01T00:00:00Z TO *]
 *   +dataset_type:dataset                  `+` (required) is the same as AND here
 *   (organization:moda) AND (res_format:CSV)   what the gateway's own CKAN connector sends
 *   organization:moda metadata_modified:[…]    what ckanext-harvest sends (space = AND)
 *
 * Anything else (OR, NOT / `-` / `!`, wildcards, boosts, fuzzy or proximity `~`, exclusive
 * `{…}` ranges, `field:(a b)` groups) is refused with the position it was found at, rather than
 * half-understood: a filter read differently from what the client meant returns wrong datasets
 * without anyone noticing.
 */

export type FqClause =
  | { field: string; kind: 'term'; value: string }
  /** `null` for an open end (`*`). */
  | { field: string; kind: 'range'; from: string | null; to: string | null };

export class FqSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FqSyntaxError';
  }
}

/** Characters a bare value may hold only escaped: Lucene gives them a meaning we do not support. */
const SPECIAL = new Set(['(', ')', '"', '[', ']', '{', '}', ':', '^', '~', '*', '?', '\\', '/']);

const FIELD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const WORD_OPERATOR = /(AND|OR|NOT)(?=[\s(]|$)/y;
const RANGE_TO = /\s+TO\s+/y;
const RANGE_BOUND = /[^\s\]}]+/y;

/** The clauses of an fq, all of which a dataset must match; [] for an empty fq. */
export function parseFq(text: string): FqClause[] {
  return new FqParser(text).parse();
}

class FqParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): FqClause[] {
    const clauses = this.sequence(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected "${this.text[this.pos]}"`);
    return clauses;
  }

  private sequence(depth: number): FqClause[] {
    const clauses: FqClause[] = [];
    let pendingAnd = false;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) break;
      if (this.peek() === ')') {
        if (depth === 0) this.fail('")" without a matching "("');
        break;
      }
      const at = this.pos;
      const operator = this.operator();
      if (operator === 'AND') {
        if (clauses.length === 0 || pendingAnd) this.fail('AND must stand between two clauses', at);
        pendingAnd = true;
        continue;
      }
      if (operator === 'OR') this.fail('OR is not supported: clauses are combined with AND (ask once per value instead)', at);
      if (operator === 'NOT') this.fail('negation (NOT, -, !) is not supported', at);
      clauses.push(...this.clause(depth));
      pendingAnd = false;
    }
    if (pendingAnd) this.fail('AND must stand between two clauses');
    return clauses;
  }

  /** AND / && / OR / || / NOT / ! / a leading `-`, consumed; undefined when the next thing is a clause. */
  private operator(): 'AND' | 'OR' | 'NOT' | undefined {
    const word = this.match(WORD_OPERATOR)?.[1] as 'AND' | 'OR' | 'NOT' | undefined;
    if (word) {
      this.pos += word.length;
      return word;
    }
    if (this.text.startsWith('&&', this.pos)) return this.take(2, 'AND');
    if (this.text.startsWith('||', this.pos)) return this.take(2, 'OR');
    if (this.text.startsWith('!', this.pos) || this.text.startsWith('-', this.pos)) return this.take(1, 'NOT');
    return undefined;
  }

  /** A sticky pattern matched at the current position (no copy of the rest: a long fq stays linear). */
  private match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.pos;
    return pattern.exec(this.text);
  }

  private take<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private clause(depth: number): FqClause[] {
    if (this.peek() === '+') this.pos += 1;
    if (this.peek() === '(') {
      this.pos += 1;
      const inner = this.sequence(depth + 1);
      this.skipSpace();
      if (this.peek() !== ')') this.fail('"(" without a matching ")"');
      if (inner.length === 0) this.fail('empty parentheses');
      this.pos += 1;
      return inner;
    }
    const field = this.match(FIELD)?.[0];
    if (field === undefined) this.fail('expected field:value');
    this.pos += field!.length;
    if (this.peek() !== ':') this.fail(`expected ":" after the field name "${field}" (a bare word is not a filter: use q for text)`);
    this.pos += 1;
    this.skipSpace();
    const next = this.peek();
    if (next === '"') return [{ field: field!, kind: 'term', value: this.quoted() }];
    if (next === '[') return [this.range(field!)];
    if (next === '{') this.fail('exclusive ranges {…} are not supported; use […]');
    if (next === '(') this.fail(`${field}:(…) groups are not supported; give each value its own clause`);
    return [{ field: field!, kind: 'term', value: this.bare(field!) }];
  }

  private quoted(): string {
    this.pos += 1;
    let value = '';
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!;
      if (char === '\\' && this.pos + 1 < this.text.length) {
        value += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (char === '"') {
        this.pos += 1;
        return value;
      }
      value += char;
      this.pos += 1;
    }
    return this.fail('a quoted value is not closed with "');
  }

  private bare(field: string): string {
    let value = '';
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!;
      if (/\s/.test(char) || char === ')') break;
      if (char === '\\') {
        if (this.pos + 1 >= this.text.length) this.fail('"\\" at the end escapes nothing');
        value += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (char === '*' || char === '?') this.fail(`wildcards are not supported (${field}:${value}${char}…)`);
      if (SPECIAL.has(char)) this.fail(`"${char}" must be escaped with "\\" or the value quoted`);
      value += char;
      this.pos += 1;
    }
    if (value === '') this.fail(`${field}: has no value`);
    return value;
  }

  private range(field: string): FqClause {
    this.pos += 1;
    this.skipSpace();
    const from = this.bound();
    const to = this.match(RANGE_TO);
    if (!to) this.fail('expected "[from TO to]"');
    this.pos += to![0].length;
    const upper = this.bound();
    this.skipSpace();
    if (this.peek() === '}') this.fail('exclusive ranges {…} are not supported; use […]');
    if (this.peek() !== ']') this.fail('a range is not closed with "]"');
    this.pos += 1;
    return { field, kind: 'range', from, to: upper };
  }

  private bound(): string | null {
    if (this.peek() === '"') return this.quoted();
    const match = this.match(RANGE_BOUND);
    if (!match) this.fail('a range needs a value at each end (* for open)');
    this.pos += match![0].length;
    return match![0] === '*' ? null : match![0];
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos += 1;
  }

  private fail(message: string, at = this.pos): never {
    throw new FqSyntaxError(`${message} (at character ${Math.min(at, this.text.length) + 1})`);
  }
}
