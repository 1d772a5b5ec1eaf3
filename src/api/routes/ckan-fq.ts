/**
 * The part of Solr's query syntax that CKAN clients send in package_search's `fq`, read into
 * clauses that all must hold. CKAN runs fq through Solr's standard parser with `q.op=AND`, so
 * clauses side by side are ANDed:
 *
 *   organization:moda                      bare value (Solr escapes with `\`)
 *   license_id:"政府資料開放授權條款-第1版"     quoted value
 *   metadata_modified:[2024-01-01T00:00:00Z TO *]   `[…]` inclusive, `{…}` exclusive, mixed too
 *   +dataset_type:dataset                  `+` (required) is the same as AND here
 *   (organization:moda) AND (res_format:CSV)   what the gateway's own CKAN connector sends
 *   organization:moda metadata_modified:[…]    what ckanext-harvest sends (space = AND)
 *   tags:公車 tags:路線                     both tags
 *   res_format:(CSV OR JSON)               any of the values of one field; also
 *   res_format:CSV OR res_format:JSON        written as clauses; `tags:(a b)` is both
 *   -tags:測試   NOT groups:i00   !x:y        negation, of a value, of `field:(a OR b)`
 *                                            (none of them) or of an open-ended range
 *
 * Anything else is refused with the position it was found at, rather than half-understood: OR
 * between different fields or around ranges, the negation of several clauses at once, AND and
 * OR mixed in one group without parentheses (Lucene gives that no boolean precedence),
 * wildcards, boosts, fuzzy or proximity `~`, nested groups in a field's values. A filter read
 * differently from what the client meant returns wrong datasets without anyone noticing.
 */

/** A range end: its text as written (`*` ends are null) and whether it belongs to the range. */
export interface FqBound {
  value: string;
  inclusive: boolean;
}

export type FqClause =
  /** The field has any of `values` (one value: that value); negated, none of them. */
  | { field: string; kind: 'term'; values: string[]; negated: boolean }
  /** `null` for an open end (`*`); negated: outside the range. */
  | { field: string; kind: 'range'; from: FqBound | null; to: FqBound | null; negated: boolean };

export class FqSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FqSyntaxError';
  }
}

/** The clauses of an fq, all of which a dataset must match; [] for an empty fq. */
export function parseFq(text: string): FqClause[] {
  return clausesOf(new FqParser(text).parse(), text.length);
}

// ---------------------------------------------------------------------------------------------
// Syntax: the text as a tree of AND / OR / NOT over field clauses
// ---------------------------------------------------------------------------------------------

type Node =
  | { kind: 'and' | 'or'; items: Node[]; at: number }
  | { kind: 'not'; item: Node; at: number }
  | { kind: 'term'; field: string; value: string; at: number }
  | { kind: 'range'; field: string; from: FqBound | null; to: FqBound | null; at: number };

/** Characters a bare value may hold only escaped: Lucene gives them a meaning we do not support. */
const SPECIAL = new Set(['(', ')', '"', '[', ']', '{', '}', ':', '^', '~', '*', '?', '\\', '/']);

const FIELD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const WORD_OPERATOR = /(AND|OR|NOT)(?=[\s()]|$)/y;
const RANGE_TO = /\s+TO\s+/y;
const RANGE_BOUND = /[^\s\]}]+/y;

type Connective = 'AND' | 'OR';

/** Parentheses and negations nest at most this deep: deeper is no filter anyone writes, and would exhaust the stack. */
export const MAX_FQ_DEPTH = 64;

class FqParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): Node {
    const node = this.sequence(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected "${this.text[this.pos]}"`);
    return node;
  }

  /** Clauses joined by AND (or nothing: q.op is AND) or by OR, up to a `)` or the end. */
  private sequence(depth: number): Node {
    const start = this.pos;
    if (depth > MAX_FQ_DEPTH) this.fail(`parentheses nested more than ${MAX_FQ_DEPTH} deep`);
    const items: Node[] = [];
    let connective: Connective | undefined;
    let pending: { word: Connective; at: number } | undefined;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) break;
      if (this.peek() === ')') {
        if (depth === 0) this.fail('")" without a matching "("');
        break;
      }
      const at = this.pos;
      const operator = this.operator();
      if (operator === 'AND' || operator === 'OR') {
        if (items.length === 0 || pending) this.fail(`${operator} must stand between two clauses`, at);
        pending = { word: operator, at };
        continue;
      }
      // A clause with no operator before it is ANDed (q.op=AND); NOT before a clause negates it.
      const joinedBy: Connective = pending?.word ?? 'AND';
      if (items.length > 0) {
        if (connective !== undefined && connective !== joinedBy) {
          this.fail('AND and OR mixed without parentheses: group them, e.g. a:x AND (b:y OR b:z)', pending?.at ?? at);
        }
        connective = joinedBy;
      }
      pending = undefined;
      items.push(operator === 'NOT' ? { kind: 'not', item: this.negatable(depth + 1, at), at } : this.clause(depth));
    }
    if (pending) this.fail(`${pending.word} must stand between two clauses`, pending.at);
    if (items.length === 1) return items[0]!;
    return { kind: connective === 'OR' ? 'or' : 'and', items, at: start };
  }

  /** What follows NOT, `-` or `!`: one clause (itself possibly negated or a group). */
  private negatable(depth: number, at: number): Node {
    if (depth > MAX_FQ_DEPTH) this.fail(`negations nested more than ${MAX_FQ_DEPTH} deep`, at);
    this.skipSpace();
    if (this.pos >= this.text.length || this.peek() === ')') this.fail('negation of nothing', at);
    const inner = this.pos;
    const operator = this.operator();
    if (operator === 'AND' || operator === 'OR') this.fail(`${operator} right after a negation`, inner);
    if (operator === 'NOT') return { kind: 'not', item: this.negatable(depth + 1, inner), at: inner };
    return this.clause(depth);
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

  private clause(depth: number): Node {
    if (this.peek() === '+') this.pos += 1;
    const at = this.pos;
    if (this.peek() === '(') {
      this.pos += 1;
      this.skipSpace();
      if (this.peek() === ')') this.fail('empty parentheses');
      const inner = this.sequence(depth + 1);
      this.skipSpace();
      if (this.peek() !== ')') this.fail('"(" without a matching ")"');
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
    if (next === '"') return { kind: 'term', field: field!, value: this.quoted(), at };
    if (next === '[' || next === '{') return this.range(field!, at);
    if (next === '(') return this.valueGroup(field!, at);
    return { kind: 'term', field: field!, value: this.bare(field!), at };
  }

  /** `field:(a OR b)`, `field:(a AND b)`, `field:(a b)`: values of one field, one connective, no nesting. */
  private valueGroup(field: string, at: number): Node {
    this.pos += 1;
    const items: Node[] = [];
    let connective: Connective | undefined;
    let pending: { word: Connective; at: number } | undefined;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) this.fail(`${field}:( without a matching ")"`);
      if (this.peek() === ')') break;
      const where = this.pos;
      const operator = this.operator();
      if (operator === 'AND' || operator === 'OR') {
        if (items.length === 0 || pending) this.fail(`${operator} must stand between two values`, where);
        pending = { word: operator, at: where };
        continue;
      }
      if (operator === 'NOT') this.fail(`negation inside ${field}:(…) is not supported; write -${field}:value`, where);
      const next = this.peek();
      if (next === '(' || next === '[' || next === '{') this.fail(`${field}:(…) holds values only (no nested groups or ranges)`);
      if (next === '+') this.fail(`"+" inside ${field}:(…) is not supported`);
      const joinedBy: Connective = pending?.word ?? 'AND';
      if (items.length > 0) {
        if (connective !== undefined && connective !== joinedBy) this.fail(`AND and OR mixed in ${field}:(…)`, pending?.at ?? where);
        connective = joinedBy;
      }
      pending = undefined;
      const value = next === '"' ? this.quoted() : this.bare(field);
      items.push({ kind: 'term', field, value, at: where });
    }
    if (pending) this.fail(`${pending.word} must stand between two values`, pending.at);
    if (items.length === 0) this.fail(`${field}:() has no value`);
    this.pos += 1;
    if (items.length === 1) return items[0]!;
    return { kind: connective === 'OR' ? 'or' : 'and', items, at };
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

  /** `[from TO to]`, `{from TO to}` or mixed: `[`/`]` include the end, `{`/`}` exclude it. */
  private range(field: string, at: number): Node {
    const fromInclusive = this.peek() === '[';
    this.pos += 1;
    this.skipSpace();
    const from = this.bound();
    const to = this.match(RANGE_TO);
    if (!to) this.fail('expected "[from TO to]"');
    this.pos += to![0].length;
    const upper = this.bound();
    this.skipSpace();
    const close = this.peek();
    if (close !== ']' && close !== '}') this.fail('a range is not closed with "]" or "}"');
    this.pos += 1;
    return {
      kind: 'range',
      field,
      from: from === null ? null : { value: from, inclusive: fromInclusive },
      to: upper === null ? null : { value: upper, inclusive: close === ']' },
      at,
    };
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

// ---------------------------------------------------------------------------------------------
// Meaning: the tree as clauses ANDed together, each on one field
// ---------------------------------------------------------------------------------------------

function clausesOf(node: Node, length: number): FqClause[] {
  const fail = (message: string, at: number): never => {
    throw new FqSyntaxError(`${message} (at character ${Math.min(at, length) + 1})`);
  };
  const clauses: FqClause[] = [];
  const add = (node: Node, negated: boolean): void => {
    switch (node.kind) {
      case 'and':
        if (negated) fail('the negation of several clauses at once is not supported; negate each value of one field: -a:x -a:y, or -a:(x OR y)', node.at);
        for (const item of node.items) add(item, false);
        return;
      case 'or':
        clauses.push({ ...anyOf(node, fail), negated });
        return;
      case 'not':
        add(node.item, !negated);
        return;
      case 'term':
        clauses.push({ field: node.field, kind: 'term', values: [node.value], negated });
        return;
      case 'range':
        clauses.push({ field: node.field, kind: 'range', from: node.from, to: node.to, negated });
        return;
    }
  };
  // An empty fq parses as an empty sequence: no clause at all.
  if (!(node.kind === 'and' && node.items.length === 0)) add(node, false);
  return clauses;
}

/** An OR: values of one field (clauses or a value group, possibly in parentheses of their own). */
function anyOf(node: Node, fail: (message: string, at: number) => never): { field: string; kind: 'term'; values: string[] } {
  const values: string[] = [];
  let field: string | undefined;
  const collect = (item: Node): void => {
    if (item.kind === 'or') {
      for (const inner of item.items) collect(inner);
      return;
    }
    if (item.kind !== 'term') {
      const what = item.kind === 'range' ? 'a range' : item.kind === 'not' ? 'a negation' : 'an AND group';
      fail(`OR between ${what} and other clauses is not supported: OR is for values of one field, e.g. res_format:(CSV OR JSON)`, item.at);
    }
    const term = item as Node & { kind: 'term' };
    if (field !== undefined && term.field !== field) {
      fail(`OR between different fields (${field}, ${term.field}) is not supported: OR is for values of one field, e.g. res_format:(CSV OR JSON)`, term.at);
    }
    field = term.field;
    if (!values.includes(term.value)) values.push(term.value);
  };
  collect(node);
  return { field: field!, kind: 'term', values };
}
