/**
 * Action parameters, read the way CKAN's validators read them, from a query string (every value
 * a string, a repeated key an array) or a JSON / form body (numbers, booleans and lists as
 * themselves). Every problem is collected under the parameter's name and reported at once as
 * one 409 Validation Error, with CKAN's own messages where CKAN has one ("Invalid integer",
 * "Must be a natural number", "Missing value").
 */
import { validationError, type FieldErrors } from './ckan-envelope.js';

export type RawParams = Record<string, unknown>;

export class ParamReader {
  private readonly errors: FieldErrors = {};

  constructor(private readonly raw: RawParams) {}

  fail(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  /** A single text value; numbers are taken as their text (JSON bodies send ids as numbers too). */
  text(field: string): string | undefined {
    const value = this.single(field);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    this.fail(field, 'Must be a string');
    return undefined;
  }

  /** A present, non-empty text value. */
  requiredText(field: string): string | undefined {
    const value = this.text(field);
    if (value === undefined && !this.errors[field]) this.fail(field, 'Missing value');
    else if (value !== undefined && value.trim() === '') {
      this.fail(field, 'Missing value');
      return undefined;
    }
    return value?.trim();
  }

  /**
   * An integer ≥ 0 (CKAN's natural_number_validator). `max` caps it silently, as CKAN's
   * limit_to_configured_maximum does: asking for too much gets the most there is, not an error.
   */
  naturalNumber(field: string, options: { default?: number; max?: number } = {}): number | undefined {
    const value = this.integer(field);
    if (value === undefined) return this.errors[field] ? undefined : options.default;
    if (value < 0) {
      this.fail(field, 'Must be a natural number');
      return undefined;
    }
    return options.max !== undefined ? Math.min(value, options.max) : value;
  }

  /** Any integer (CKAN's int_validator): `10`, `"10"`, `" 10 "`; not `10.5`, `1e3` or `ten`. */
  integer(field: string): number | undefined {
    const value = this.single(field);
    if (value === undefined) return undefined;
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number)) {
      this.fail(field, 'Invalid integer');
      return undefined;
    }
    return number;
  }

  /** true/false as CKAN's boolean_validator spells them (`True`, `1`, `yes`, `on` …); anything else is an error, not a silent false. */
  boolean(field: string, defaultValue: boolean): boolean {
    const value = this.single(field);
    if (value === undefined) return defaultValue;
    if (typeof value === 'boolean') return value;
    const word = String(value).trim().toLowerCase();
    if (['true', 't', 'yes', 'y', 'on', '1'].includes(word)) return true;
    if (['false', 'f', 'no', 'n', 'off', '0', ''].includes(word)) return false;
    this.fail(field, 'Must be a boolean (true or false)');
    return defaultValue;
  }

  /**
   * A list of strings: a JSON list (a body's list, or the JSON text CKAN expects in a query
   * string: `facet.field=["organization","res_format"]`); a repeated query key; or, leniently,
   * one bare name.
   */
  jsonStringList(field: string): string[] | undefined {
    const value = this.raw[field];
    if (value === undefined || value === null) return undefined;
    let list: unknown = value;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed.startsWith('[')) {
        try {
          list = JSON.parse(trimmed) as unknown;
        } catch {
          this.fail(field, 'Could not parse as valid JSON');
          return undefined;
        }
      } else {
        list = trimmed === '' ? [] : [trimmed];
      }
    }
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
      this.fail(field, 'Not a list of strings');
      return undefined;
    }
    return list as string[];
  }

  /** A list of strings from a list, or from one text of names separated by commas or spaces (Solr's `fl`). */
  separatedList(field: string): string[] | undefined {
    const value = this.raw[field];
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value : [value];
    if (!items.every((item) => typeof item === 'string')) {
      this.fail(field, 'Not a list of strings');
      return undefined;
    }
    return (items as string[]).flatMap((item) => item.split(/[\s,]+/)).filter((item) => item !== '');
  }

  /** Throws the 409 Validation Error naming every bad parameter, if there was one. */
  done(): void {
    if (Object.keys(this.errors).length > 0) throw validationError(this.errors);
  }

  /** One value: a repeated query key (an array) is an error for a parameter that takes one. */
  private single(field: string): unknown {
    const value = this.raw[field];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) {
      if (value.length === 1) return value[0];
      this.fail(field, 'Must be given once');
      return undefined;
    }
    if (typeof value === 'object') {
      this.fail(field, 'Must be a single value, not an object');
      return undefined;
    }
    return value;
  }
}
