/**
 * File formats: the national standard's short format names (CSV, JSON, XLSX …) ⇄ IANA media
 * types, from the file-type table in mappings/eu-authorities.json (the same table the DCAT view
 * writes dcat:mediaType from), so reading and writing agree.
 */
import { readFileSync } from 'node:fs';
import { projectPath } from './project-root.js';

interface FileTypeTable {
  byFormat: Record<string, { fileType: string; mediaType?: string }>;
  /** Media types in use that IANA registers under another name (text/xml for application/xml …). */
  mediaTypeAliases?: Record<string, string>;
}

const FILE_TYPES = (JSON.parse(readFileSync(projectPath('mappings', 'eu-authorities.json'), 'utf8')) as { fileType: FileTypeTable }).fileType;

const FORMAT_BY_MEDIA_TYPE = new Map<string, string>();
for (const [format, entry] of Object.entries(FILE_TYPES.byFormat)) {
  // Where two formats share a media type (RDF, RDF_XML), the first listed is the plain name.
  if (entry.mediaType !== undefined && !FORMAT_BY_MEDIA_TYPE.has(entry.mediaType)) FORMAT_BY_MEDIA_TYPE.set(entry.mediaType, format);
}
for (const [mediaType, format] of Object.entries(FILE_TYPES.mediaTypeAliases ?? {})) {
  if (!mediaType.startsWith('$')) FORMAT_BY_MEDIA_TYPE.set(mediaType, format);
}

/** The format name of a media type (`text/csv; charset=utf-8` → CSV); undefined when the table has none. */
export function formatOfMediaType(mediaType: unknown): string | undefined {
  if (typeof mediaType !== 'string') return undefined;
  return FORMAT_BY_MEDIA_TYPE.get(mediaType.split(';')[0]!.trim().toLowerCase());
}
