/**
 * The media type of a distribution's format name (`CSV` → `text/csv`), from the same file-type
 * table (mappings/eu-authorities.json) that src/model/formats.ts reads in the other direction
 * and the DCAT view writes dcat:mediaType from, so every view agrees. Publisher spellings
 * (`json-ld`, `ＣＳＶ`, `shapefile`) go through the table's aliases; a format the table does not
 * know, or one IANA registers no media type for (SHP, 7Z), has none.
 */
import { readFileSync } from 'node:fs';
import { projectPath } from '../model/project-root.js';

interface FileTypeTable {
  byFormat: Record<string, { fileType: string; mediaType?: string }>;
  aliases: Record<string, string>;
}

const TABLE = (JSON.parse(readFileSync(projectPath('mappings', 'eu-authorities.json'), 'utf8')) as { fileType: FileTypeTable }).fileType;

const MEDIA_TYPE_BY_KEY = new Map<string, string>();
for (const [format, entry] of Object.entries(TABLE.byFormat)) {
  if (entry.mediaType !== undefined) MEDIA_TYPE_BY_KEY.set(lookupKey(format), entry.mediaType);
}
for (const [alias, format] of Object.entries(TABLE.aliases)) {
  const mediaType = TABLE.byFormat[format]?.mediaType;
  if (!alias.startsWith('$') && mediaType !== undefined) MEDIA_TYPE_BY_KEY.set(lookupKey(alias), mediaType);
}

/** Publishers type full-width letters and any case: compare after NFKC, trimmed, upper-cased. */
function lookupKey(value: string): string {
  return value.normalize('NFKC').trim().toUpperCase();
}

export function mediaTypeOfFormat(format: string | undefined): string | undefined {
  if (typeof format !== 'string' || format.trim() === '') return undefined;
  return MEDIA_TYPE_BY_KEY.get(lookupKey(format));
}
