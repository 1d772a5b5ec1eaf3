/**
 * The door every record passes before any per-element work (mapping, validation, hashing,
 * storing): harvest runs for every connector, agency pushes and mirror pages.
 *
 * A source or a client is untrusted: one record must not cost time or memory out of proportion
 * to its size, nor store a value that breaks a reader later. So, in one linear walk with an
 * explicit stack (a deep record cannot overflow the walk itself):
 *
 * - **depth**: a value nested deeper than `maxDepth` is refused. Real records are a few levels
 *   deep (an ISO 19139 element tree about 20); SQLite's JSON functions stop at 1,000 levels and
 *   V8's JSON.stringify throws a RangeError somewhere past a few thousand, which used to fail a
 *   whole run over one record;
 * - **cardinality**: an array longer than `maxArrayLength` is refused before anything walks it
 *   element by element (a record of 20,000 empty distributions took 40 s to validate);
 * - **Unicode**: a string or key with a lone surrogate (`"\ud800"`, valid JSON, not a character)
 *   cannot be written as UTF-8, so every serialiser downstream either throws or writes garbage.
 *   Harvests and mirrors repair it (U+FFFD, the replacement character, as a UTF-8 decoder does)
 *   and the run flags the field; pushes refuse it, since the publisher is at the keyboard.
 *
 * The walk reports the first problem with the path of its field, in the record's own keys
 * (`distribution[3].title`), so an operator can find it in the source.
 */
import { isWellFormedString, repairStringsInPlace, toWellFormedString } from './well-formed-string.js';

export interface UntrustedRecordLimits {
  /** Deepest nesting of objects and arrays allowed (the record itself is depth 1). */
  maxDepth: number;
  /** Longest array allowed anywhere in the record. */
  maxArrayLength: number;
}

export const DEFAULT_UNTRUSTED_RECORD_LIMITS: UntrustedRecordLimits = { maxDepth: 64, maxArrayLength: 10_000 };

export type UntrustedRecordRule = 'too-deep' | 'too-many' | 'ill-formed-unicode';

export interface UntrustedRecordProblem {
  rule: UntrustedRecordRule;
  /** The field's path in the record's own keys; '' for the record itself. */
  field: string;
  message: string;
}

export type UntrustedRecordCheck = { ok: true; value: unknown; repaired: UntrustedRecordProblem[] } | { ok: false; problem: UntrustedRecordProblem };

/** How many repaired fields are named; the rest are counted. */
const MAX_NAMED_REPAIRS = 20;

/**
 * A value still to visit. Its path is not built as a string here: most records have no problem,
 * and building `distribution[3].title` for every value of every record was the walk's main cost
 * (about 13 KB of garbage per CKAN package). `pathOf` builds it from the parents when needed.
 */
interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  /** The index or key under which `parent` holds this value; unused at the root. */
  key: number | string;
}

/** The field's path in the record's own keys (`distribution[3].title`), '' for the record itself. */
function pathOf(frame: Frame): string {
  const steps: Array<number | string> = [];
  for (let at: Frame | undefined = frame; at?.parent !== undefined; at = at.parent) steps.push(at.key);
  let path = '';
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    const step = steps[i]!;
    // Paths are for messages: a key with a lone surrogate is named repaired, or the message could not be written either.
    path = typeof step === 'number' ? `${path}[${step}]` : path === '' ? toWellFormedString(step) : `${path}.${toWellFormedString(step)}`;
  }
  return path;
}

/**
 * Check a parsed record against the limits. Ill-formed Unicode is refused (`unicode: 'reject'`)
 * or repaired (`'repair'`: each lone surrogate, keys included, is replaced by U+FFFD in the
 * parsed value itself, which the harvest or mirror owns; it is returned).
 */
export function checkUntrustedRecord(value: unknown, options: { limits?: UntrustedRecordLimits; unicode: 'reject' | 'repair' }): UntrustedRecordCheck {
  const limits = options.limits ?? DEFAULT_UNTRUSTED_RECORD_LIMITS;
  const illFormed: string[] = [];
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value: current, depth } = frame;
    if (typeof current === 'string') {
      if (!isWellFormedString(current)) {
        const path = pathOf(frame);
        if (options.unicode === 'reject') return refuse('ill-formed-unicode', path, illFormedMessage(path));
        illFormed.push(path);
      }
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth > limits.maxDepth) {
      const path = pathOf(frame);
      return refuse(
        'too-deep',
        path,
        `${describe(path)} is nested more than ${limits.maxDepth} levels deep (the cap); records are refused before they are read further`,
      );
    }
    if (Array.isArray(current)) {
      if (current.length > limits.maxArrayLength) {
        const path = pathOf(frame);
        return refuse('too-many', path, `${describe(path)} has ${current.length} elements, over the cap of ${limits.maxArrayLength}`);
      }
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push({ value: current[i], depth: depth + 1, parent: frame, key: i });
      continue;
    }
    for (const key of Object.keys(current)) {
      const child: Frame = { value: (current as Record<string, unknown>)[key], depth: depth + 1, parent: frame, key };
      if (!isWellFormedString(key)) {
        const keyPath = pathOf(child);
        if (options.unicode === 'reject') return refuse('ill-formed-unicode', keyPath, `the key of ${illFormedMessage(keyPath)}`);
        illFormed.push(keyPath);
      }
      stack.push(child);
    }
  }
  if (illFormed.length === 0) return { ok: true, value, repaired: [] };
  return { ok: true, value: repairStringsInPlace(value), repaired: repairedProblems(illFormed) };
}

function refuse(rule: UntrustedRecordRule, field: string, message: string): UntrustedRecordCheck {
  return { ok: false, problem: { rule, field, message } };
}

function describe(path: string): string {
  return path === '' ? 'the record' : path;
}

function illFormedMessage(path: string): string {
  return `${describe(path)} contains a lone surrogate (ill-formed Unicode, e.g. "\\ud800"), which is not a character and cannot be written as UTF-8`;
}

function repairedProblems(paths: readonly string[]): UntrustedRecordProblem[] {
  const named = paths.slice(0, MAX_NAMED_REPAIRS).map((path) => ({
    rule: 'ill-formed-unicode' as const,
    field: path,
    message: `${illFormedMessage(path)}: each lone surrogate was replaced with U+FFFD (�)`,
  }));
  if (paths.length > MAX_NAMED_REPAIRS) {
    named.push({ rule: 'ill-formed-unicode', field: '', message: `${paths.length - MAX_NAMED_REPAIRS} more fields had lone surrogates, replaced with U+FFFD` });
  }
  return named;
}
