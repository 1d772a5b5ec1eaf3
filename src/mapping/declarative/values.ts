/**
 * Turning what a path reached into one field's value, the way a mapping rule says: pick the
 * first path with a value, map it through a value table, read a date in the declared format,
 * join several values into text or split one text into a list, wrap it in a template.
 */
import { evaluate } from './path.js';
import type { FieldRule } from './mapping-file.js';

/** The values the rule's first productive path reaches in `record` (empty and null values skipped). */
export function reach(record: unknown, rule: FieldRule): unknown[] {
  for (const path of rule.paths) {
    const values = evaluate(record, path).filter((value) => value !== null && !(typeof value === 'string' && value.trim() === ''));
    if (values.length > 0) return values;
  }
  return [];
}

/** A scalar as text (numbers and booleans too); anything else is not text. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  return undefined;
}

/** One text value through the rule's value map and template. */
export function transformText(rule: FieldRule, text: string): string {
  const mapped = rule.valueMap && Object.hasOwn(rule.valueMap, text) ? (rule.valueMap[text] as string) : text;
  return rule.template ? rule.template.replace('{value}', mapped) : mapped;
}

/**
 * A date in the rule's format → what readDate expects (text in a form Taiwan writes). Epoch
 * numbers become ISO instants; anything unreadable is passed on for readDate to report.
 */
export function dateText(rule: FieldRule, value: unknown): unknown {
  if (rule.dateFormat === 'auto') return value;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return value;
  const ms = rule.dateFormat === 'epoch-seconds' ? number * 1000 : number;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().slice(0, 19)}Z`;
}
