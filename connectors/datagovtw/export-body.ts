/**
 * Reading the body of data.gov.tw's export and change lists: bytes → text (UTF-8 with or
 * without a BOM, or Big5 as older agency tools write it) → rows keyed by the Chinese column
 * names, from JSON or CSV. Everything here is pure; the connector does the fetching.
 */
import iconv from 'iconv-lite';
import { parse as parseCsv } from 'csv-parse/sync';
import { SourceProtocolError } from '../connector.js';
import { MalformedBodyError } from '../../src/http/http-client.js';
import { isPlainObject } from '../../src/mapping/record-fields.js';

export type ExportFormat = 'json' | 'csv';
/** `auto`: UTF-8 when the bytes are valid UTF-8, else Big5. */
export type ExportEncoding = 'auto' | 'utf-8' | 'big5';

/** The body is in no encoding we can read (neither UTF-8 nor Big5, or not the one configured). */
export class ExportEncodingError extends SourceProtocolError {
  constructor(sourceId: string, url: string, detail: string) {
    super(sourceId, `${url}: ${detail}`);
    this.name = 'ExportEncodingError';
  }
}

const REPLACEMENT_CHARACTER = '\uFFFD';

/** The body as text, without a byte-order mark; decoded here from the raw bytes, since a Big5 body read as UTF-8 would be beyond repair. */
export function decodeBody(sourceId: string, url: string, bytes: Buffer, encoding: ExportEncoding): string {
  return stripBom(decodeBytes(sourceId, url, bytes, encoding));
}

function decodeBytes(sourceId: string, url: string, bytes: Buffer, encoding: ExportEncoding): string {
  if (encoding === 'big5') return decodeBig5(sourceId, url, bytes, 'the source is configured as Big5');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (encoding === 'utf-8') {
      throw new ExportEncodingError(
        sourceId,
        url,
        'the body is not valid UTF-8, as the source is configured (options.encoding "utf-8"); set options.encoding to "big5" or "auto" if the export is Big5',
      );
    }
    return decodeBig5(sourceId, url, bytes, 'the body is not valid UTF-8');
  }
}

function decodeBig5(sourceId: string, url: string, bytes: Buffer, why: string): string {
  const text = iconv.decode(bytes, 'big5');
  if (text.includes(REPLACEMENT_CHARACTER)) {
    throw new ExportEncodingError(sourceId, url, `${why}, and it is not valid Big5 either: the export cannot be decoded`);
  }
  return text;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** An HTML page (an error or maintenance page served with 200) where data was expected. */
function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(text);
}

export interface ParsedRows {
  rows: Array<Record<string, unknown>>;
  /** Entries that were not objects (JSON only), by position: the connector reports each. */
  notRows: Array<{ index: number; value: unknown }>;
}

/**
 * The rows of an export or a change list. `requiredColumn` is a column every such document
 * has: a body without it is not what was asked for (a login page, another API), and the whole
 * document is refused rather than read as an empty catalogue.
 */
export function parseRows(sourceId: string, url: string, text: string, format: ExportFormat, requiredColumn: string): ParsedRows {
  if (looksLikeHtml(text)) throw new SourceProtocolError(sourceId, `${url} answered an HTML page, not the ${format.toUpperCase()} data.gov.tw export`);
  const parsed = format === 'json' ? parseJsonRows(sourceId, url, text) : parseCsvRows(sourceId, url, text);
  if (parsed.rows.length > 0 && !parsed.rows.some((row) => Object.keys(row).some((key) => key.trim() === requiredColumn))) {
    const seen = Object.keys(parsed.rows[0] ?? {})
      .slice(0, 8)
      .join(', ');
    throw new SourceProtocolError(sourceId, `${url} is not the data.gov.tw export: no row has the column ${requiredColumn} (columns: ${seen})`);
  }
  return parsed;
}

/** A JSON array of rows, or one wrapped as `{ result | data | records | payload: [...] }`. */
function parseJsonRows(sourceId: string, url: string, text: string): ParsedRows {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MalformedBodyError(url, `response is not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(json)
    ? json
    : isPlainObject(json)
      ? ['result', 'data', 'records', 'payload'].map((key) => json[key]).find(Array.isArray)
      : undefined;
  if (!Array.isArray(list)) {
    throw new SourceProtocolError(sourceId, `${url} is neither a JSON array of rows nor an object holding one (result, data, records, payload)`);
  }
  const parsed: ParsedRows = { rows: [], notRows: [] };
  list.forEach((value: unknown, index) => {
    if (isPlainObject(value)) parsed.rows.push(value);
    else parsed.notRows.push({ index, value });
  });
  return parsed;
}

function parseCsvRows(sourceId: string, url: string, text: string): ParsedRows {
  try {
    const rows = parseCsv(text, {
      bom: true,
      columns: (header: string[]) => header.map((name) => name.trim()),
      // Rows with a missing trailing cell exist in real exports; the cells that are there are kept.
      relax_column_count: true,
      skip_empty_lines: true,
    }) as Array<Record<string, unknown>>;
    return { rows, notRows: [] };
  } catch (err) {
    throw new SourceProtocolError(sourceId, `${url} is not readable CSV: ${(err as Error).message}`);
  }
}
