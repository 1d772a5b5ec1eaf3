import { nationalRecordSchema } from '../model/validate.js';

type Schema = { [key: string]: unknown };

/**
 * The gen-1 record as GET /api/v1/rest/dataset/{identifier} serves it, for OpenAPI: the
 * national record schema's fields and descriptions with its rules taken out. The API serves
 * every harvested record, including those that break a rule of the standard (they are kept
 * and flagged), so documenting the rules as a response contract would be false. Dates are
 * served in the standard's own form, not the store's ISO form.
 */
const RULE_KEYWORDS = new Set([
  'required',
  'enum',
  'const',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minItems',
  'minimum',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
  '$comment',
]);

const SERVED_DATE: Schema = {
  type: 'string',
  description:
    '`YYYY-MM-DD`, or `YYYY-MM-DD hh:mm:ss` in Asia/Taipei as the standard writes it; a value the gateway could not read is served as the publisher sent it.',
};

export function servedRecordSchema(): Schema {
  const source = nationalRecordSchema as Schema;
  const defs = (source.$defs ?? {}) as Record<string, Schema>;
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (!node || typeof node !== 'object') return node;
    const schema = node as Schema;
    const ref = typeof schema.$ref === 'string' ? /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1] : undefined;
    if (ref) {
      const target = ref === 'isoDateOrDateTime' ? SERVED_DATE : defs[ref];
      return { ...(resolve(target) as Schema), ...(schema.description ? { description: schema.description } : {}) };
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) {
      if (RULE_KEYWORDS.has(key) || key === '$defs' || key === '$id' || key === '$schema') continue;
      // Inside `properties` the keys are field names, never keywords: keep them all.
      out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, resolve(v)])) : resolve(value);
    }
    return out;
  };
  const served = resolve(source) as Schema;
  return {
    ...served,
    required: ['identifier', 'title'],
    description:
      'A dataset in the keys of 資料集詮釋資料標準規範 (gen-1) with publisherOID and publisherOrgCode. Fields follow the standard where the publisher did; a record that breaks a rule is still served (the gateway records the break), so only identifier and title are guaranteed.',
  };
}
