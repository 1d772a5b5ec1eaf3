import { nationalRecordSchema } from '../model/validate.js';
import {
  DISTRIBUTION_EXTENSION_KINDS,
  DISTRIBUTION_FIELD_KINDS,
  RECORD_EXTENSION_KINDS,
  RECORD_FIELD_KINDS,
  SOURCE_VOCABULARIES,
  type FieldKind,
} from '../model/national-record-shape.js';

type Schema = { [key: string]: unknown };

/**
 * The national record as the gateway stores it (src/model/record.ts NationalRecord), for OpenAPI:
 * the change feed's `national` form, for gateway-to-gateway mirroring. Built from the same tables
 * a mirror checks that form with (src/model/national-record-shape.ts), so the document and the
 * check cannot drift apart; descriptions from mappings/national-record.schema.json. Types only:
 * a stored record may break the standard's rules (it is kept and flagged), never its types.
 */
const STORED_DATE_FIELDS = new Set(['temporalCoverageFrom', 'temporalCoverageTo', 'issued', 'modified', 'resourceModified']);

const STORED_DATE_NOTE =
  'ISO 8601: `YYYY-MM-DD`, or a UTC date-time `YYYY-MM-DDThh:mm:ssZ`; a value the gateway could not read is kept as the publisher sent it.';

const EXTENSION_DESCRIPTIONS: Readonly<Record<string, string>> = {
  datasetId: 'data.gov.tw platform id (gen-2 datasetId), numeric text',
  categoryTheme: 'gen-2 主題分類',
  categoryDataset: 'gen-2 資料集分類',
  dataProvider: 'gen-2 資料提供者',
  detectFrequency: 'gen-2 檢測頻率',
  dataQuality: 'gen-2 品質檢測 (e.g. 銀標章)',
  sourceVocabulary: 'The vocabulary the record arrived in',
  unknownKeys: 'Keys the publisher sent that no vocabulary the gateway knows defines, with their values',
  sourceExtras: 'A foreign vocabulary’s fields with no national counterpart, under the source’s own names',
  resourceField: 'gen-2 resourceField, as the standard’s fieldDescription text',
  resourceAmount: 'gen-2 resourceAmount: data rows in this resource',
  resourceNotes: 'gen-2 resourceNotes',
  qcLevel: 'gen-2 qcLevel',
  resourceIDSynthesised: 'True when resourceID was made up by the gateway (gen-2 resources have none)',
};

export function storedRecordSchema(): Schema {
  const properties = (nationalRecordSchema['properties'] ?? {}) as Record<string, Schema>;
  const defs = (nationalRecordSchema['$defs'] ?? {}) as Record<string, Schema>;
  const distributionProperties = (defs['distribution']?.['properties'] ?? {}) as Record<string, Schema>;
  return {
    type: 'object',
    required: ['identifier', 'title'],
    additionalProperties: false,
    description:
      'The dataset as this gateway stores it (its national record, gen-1 keys, with `extensions`): for gateway-to-gateway mirroring. Dates are ISO 8601 (UTC date-times), not the gen-1 view’s Taipei form. Fields follow the standard where the publisher did; only identifier and title are guaranteed.',
    properties: objectProperties(RECORD_FIELD_KINDS, properties, distributionProperties),
  };
}

function objectProperties(
  kinds: Readonly<Record<string, FieldKind>>,
  described: Record<string, Schema>,
  distributionProperties: Record<string, Schema>,
): Record<string, Schema> {
  return Object.fromEntries(
    Object.entries(kinds).map(([field, kind]) => {
      const base = valueSchema(kind, distributionProperties);
      const description = STORED_DATE_FIELDS.has(field)
        ? `${String(described[field]?.['description'] ?? field)}. ${STORED_DATE_NOTE}`
        : (described[field]?.['description'] ?? EXTENSION_DESCRIPTIONS[field]);
      return [field, description === undefined ? base : { ...base, description }];
    }),
  );
}

function valueSchema(kind: FieldKind, distributionProperties: Record<string, Schema>): Schema {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return { type: kind };
    case 'strings':
      return { type: 'array', items: { type: 'string' } };
    case 'vocabulary':
      return { type: 'string', enum: SOURCE_VOCABULARIES };
    case 'json-object':
      return { type: 'object', additionalProperties: true };
    case 'record-extensions':
      return { type: 'object', additionalProperties: false, properties: objectProperties(RECORD_EXTENSION_KINDS, {}, distributionProperties) };
    case 'distribution-extensions':
      return { type: 'object', additionalProperties: false, properties: objectProperties(DISTRIBUTION_EXTENSION_KINDS, {}, distributionProperties) };
    case 'distributions':
      return {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          properties: objectProperties(DISTRIBUTION_FIELD_KINDS, distributionProperties, distributionProperties),
        },
      };
  }
}
