/**
 * The datagovtw connector's mapping: its payloads are either rows of the whole-catalogue export
 * (Chinese columns) or gen-2 records from the v2 detail API. Both come out identified the same
 * way, by data.gov.tw's dataset id (nid), so a dataset keeps its identifier whichever way a run
 * read it.
 *
 * Why not the agency identifier (A41000000G-000001) that gen-2 records carry: the export, which
 * full runs read, does not have it. Identifying detail records by it and export rows by the nid
 * would renumber a dataset every time a full run followed an incremental one. The agency
 * identifier is kept in extensions.sourceExtras.identifier (for cross-source identity later).
 */
import { mapNationalRecord } from '../../src/mapping/detect.js';
import { EXPORT_ID_COLUMN, mapDataGovTwExportRow } from '../../src/mapping/datagovtw-export.js';
import { isPlainObject, notARecord } from '../../src/mapping/record-fields.js';
import { IDENTIFIER_PATTERN } from '../../src/model/codelists.js';
import type { MappingResult, ValidationIssue } from '../../src/model/record.js';
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from '../../src/mapping/context.js';

export function mapDataGovTwPayload(payload: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
  if (isPlainObject(payload) && Object.keys(payload).some((key) => key.trim() === EXPORT_ID_COLUMN)) {
    return mapDataGovTwExportRow(payload, context);
  }
  return mapDataGovTwDetail(payload, context);
}

/** A v2 detail record (gen-2), identified by its datasetId; the agency identifier becomes an extra. */
export function mapDataGovTwDetail(payload: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
  if (!isPlainObject(payload)) return notARecord(payload);
  const datasetId = payload['datasetId'] ?? payload['datasetid'];
  const hasDatasetId = (typeof datasetId === 'string' && datasetId.trim() !== '') || typeof datasetId === 'number';
  if (!hasDatasetId) return mapNationalRecord(payload, context);

  const { identifier: agencyIdentifier, ...rest } = payload;
  const prepared: Record<string, unknown> = { ...rest, identifier: String(datasetId).trim() };
  const notes: ValidationIssue[] = [];
  const agencyCode =
    typeof agencyIdentifier === 'string' && IDENTIFIER_PATTERN.test(agencyIdentifier.trim()) ? agencyIdentifier.trim().slice(0, 10) : undefined;
  if (
    agencyCode !== undefined &&
    (prepared['publisherOrgCode'] === undefined || prepared['publisherOrgCode'] === null || prepared['publisherOrgCode'] === '')
  ) {
    prepared['publisherOrgCode'] = agencyCode;
    notes.push({
      field: 'publisherOrgCode',
      rule: 'derived',
      message: `publisherOrgCode was absent; derived from the agency identifier's agency code: ${JSON.stringify(agencyCode)}`,
      severity: 'warning',
    });
  }

  const result = mapNationalRecord(prepared, context);
  if (!result.ok) return result;
  if (agencyIdentifier !== undefined && agencyIdentifier !== null && agencyIdentifier !== '') {
    const extensions = result.record.extensions ?? {};
    extensions.sourceExtras = { ...extensions.sourceExtras, identifier: typeof agencyIdentifier === 'string' ? agencyIdentifier.trim() : agencyIdentifier };
    result.record.extensions = extensions;
  }
  return { ok: true, record: result.record, issues: [...notes, ...result.issues] };
}
