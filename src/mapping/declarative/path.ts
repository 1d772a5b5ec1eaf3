/**
 * The small path language of mapping files: where a value sits in a JSON document.
 *
 *   title                      a key
 *   payload.search_result      nested keys
 *   resources[*].url           every element of an array
 *   resources[0].url           one element
 *   ["資料 存取.網址"]          a key with dots, spaces or brackets, quoted
 *   $  (or "")                 the document itself
 *
 * Paths are parsed once (a syntax error names the path) and evaluated by walking the value;
 * nothing is ever evaluated as code.
 */

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

export type ParsedPath = readonly PathSegment[];

export class PathSyntaxError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`bad path ${JSON.stringify(path)}: ${detail}`);
    this.name = 'PathSyntaxError';
  }
}

export function parsePath(path: string): ParsedPath {
  const text = path.trim().replace(/^\$\.?/, '');
  const segments: PathSegment[] = [];
  let at = 0;
  let expectKey = true;
  while (at < text.length) {
    const char = text[at];
    if (char === '.') {
      if (expectKey) throw new PathSyntaxError(path, `empty key at position ${at}`);
      expectKey = true;
      at += 1;
      continue;
    }
    if (char === '[') {
      const close = findClose(text, at, path);
      const inner = text.slice(at + 1, close).trim();
      if (inner === '*') segments.push({ kind: 'wildcard' });
      else if (/^\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) segments.push({ kind: 'key', key: JSON.parse(inner) as string });
      else throw new PathSyntaxError(path, `[${inner}] is neither [*], [number] nor ["key"]`);
      at = close + 1;
      expectKey = false;
      continue;
    }
    if (!expectKey) throw new PathSyntaxError(path, `expected . or [ at position ${at}`);
    let end = at;
    while (end < text.length && text[end] !== '.' && text[end] !== '[') {
      if (text[end] === ']') throw new PathSyntaxError(path, `unexpected ] at position ${end} (quote the key: ["…"])`);
      end += 1;
    }
    const key = text.slice(at, end);
    segments.push(key === '*' ? { kind: 'wildcard' } : { kind: 'key', key });
    at = end;
    expectKey = false;
  }
  if (expectKey && segments.length > 0) throw new PathSyntaxError(path, 'ends with a dot');
  return segments;
}

function findClose(text: string, open: number, path: string): number {
  let inString = false;
  for (let at = open + 1; at < text.length; at += 1) {
    const char = text[at];
    if (inString && char === '\\') at += 1;
    else if (char === '"') inString = !inString;
    else if (!inString && char === ']') return at;
  }
  throw new PathSyntaxError(path, `unclosed [ at position ${open}`);
}

/** Every value the path reaches (several through wildcards), in document order; absent values are left out. */
export function evaluate(value: unknown, path: ParsedPath): unknown[] {
  let current: unknown[] = [value];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const item of current) {
      if (segment.kind === 'wildcard') {
        if (Array.isArray(item)) next.push(...(item as unknown[]));
        else if (isObject(item)) next.push(...Object.values(item));
      } else if (segment.kind === 'index') {
        if (Array.isArray(item) && segment.index < item.length) next.push(item[segment.index]);
      } else if (isObject(item) && Object.hasOwn(item, segment.key)) {
        next.push(item[segment.key]);
      }
    }
    current = next;
  }
  return current.filter((item) => item !== undefined);
}

/** The first value the path reaches, or undefined. */
export function evaluateOne(value: unknown, path: ParsedPath): unknown {
  return evaluate(value, path)[0];
}

/**
 * A copy of `value` without what the paths reach: what a mapping did not use. Emptied objects
 * and arrays are pruned (an array keeps its length while any element has something left, so
 * positions still line up with the source's).
 */
export function withoutPaths(value: unknown, paths: readonly ParsedPath[]): unknown {
  let rest = structuredClone(value);
  for (const path of paths) rest = remove(rest, path, 0);
  return prune(rest);
}

function remove(value: unknown, path: ParsedPath, depth: number): unknown {
  const segment = path[depth];
  if (segment === undefined) return undefined;
  const last = depth === path.length - 1;
  if (segment.kind === 'wildcard') {
    if (Array.isArray(value)) return value.map((item) => (last ? undefined : remove(item, path, depth + 1)));
    if (isObject(value)) {
      for (const key of Object.keys(value)) value[key] = last ? undefined : remove(value[key], path, depth + 1);
    }
    return value;
  }
  if (segment.kind === 'index') {
    if (Array.isArray(value) && segment.index < value.length) value[segment.index] = last ? undefined : remove(value[segment.index], path, depth + 1);
    return value;
  }
  if (isObject(value) && Object.hasOwn(value, segment.key)) {
    if (last) delete value[segment.key];
    else value[segment.key] = remove(value[segment.key], path, depth + 1);
  }
  return value;
}

function prune(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(prune);
    return items.every((item) => item === undefined) ? undefined : items.map((item) => (item === undefined ? null : item));
  }
  if (isObject(value)) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, prune(item)] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
