/**
 * Mapping files (mappings/city/*.json): reading one, checking it against
 * mappings/mapping-file.schema.json with ajv, and compiling its paths. A bad file is a
 * ConfigError naming the file and the field, so an operator sees it before any harvest.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigError } from '../../config/load.js';
import { projectPath } from '../../model/project-root.js';
import { PathSyntaxError, parsePath, type ParsedPath } from './path.js';

/** National fields a mapping file can fill (gen-1 keys; distribution apart). */
export type MappedField =
  | 'categoryCode'
  | 'identifier'
  | 'title'
  | 'description'
  | 'fieldDescription'
  | 'type'
  | 'license'
  | 'licenseURL'
  | 'cost'
  | 'costURL'
  | 'costLaw'
  | 'organization'
  | 'organizationContactName'
  | 'organizationContactPhone'
  | 'organizationContactEmail'
  | 'publisher'
  | 'publisherContactName'
  | 'publisherContactPhone'
  | 'publisherContactEmail'
  | 'publisherOID'
  | 'publisherOrgCode'
  | 'accrualPeriodicity'
  | 'temporalCoverageFrom'
  | 'temporalCoverageTo'
  | 'issued'
  | 'modified'
  | 'spatial'
  | 'language'
  | 'landingPage'
  | 'keyword'
  | 'numberOfData'
  | 'notes';

export type MappedDistributionField =
  'resourceID' | 'resourceDescription' | 'format' | 'characterSetCode' | 'resourceModified' | 'accessURL' | 'downloadURL' | 'metadataSourceOfData';

export type DateFormat = 'auto' | 'epoch-seconds' | 'epoch-millis';

type FieldRuleJson = string | { path: string | string[]; valueMap?: string; dateFormat?: DateFormat; join?: string; split?: string; template?: string };

type PagingJson =
  | { style: 'none' }
  | { style: 'page'; pageParam: string; sizeParam: string; pageSize: number; firstPage?: number }
  | { style: 'offset'; offsetParam: string; limitParam: string; pageSize: number }
  | { style: 'next-link'; nextPath: string };

/** A mapping file as written (after schema validation). */
export interface MappingFileJson {
  platform: string;
  list: {
    url: string;
    query?: Record<string, string | number | boolean>;
    paging?: PagingJson;
    maxPages?: number;
    recordsPath: string;
    totalPath?: string;
    idPath?: string;
    modifiedPath?: string;
  };
  detail?: { url: string; query?: Record<string, string | number | boolean>; recordPath: string };
  fields: Partial<Record<MappedField, FieldRuleJson>> & {
    identifier: FieldRuleJson;
    title: FieldRuleJson;
    distribution?:
      | { path: string; fields: Partial<Record<MappedDistributionField, FieldRuleJson>> }
      | { parallel: Partial<Record<MappedDistributionField, FieldRuleJson>>; split?: string };
  };
  valueMaps?: Record<string, Record<string, string>>;
  constants?: Partial<Record<MappedField, string>>;
  sourceExtras?: 'unmapped' | 'none';
  ignore?: string[];
}

export interface FieldRule {
  paths: ParsedPath[];
  valueMap?: Readonly<Record<string, string>>;
  dateFormat: DateFormat;
  join: string;
  split?: string;
  template?: string;
}

export type DistributionRule =
  | { kind: 'objects'; path: ParsedPath; fields: Map<MappedDistributionField, FieldRule> }
  | { kind: 'parallel'; fields: Map<MappedDistributionField, FieldRule>; split?: string };

export type Paging = PagingJson;

/** A mapping file ready to apply: paths parsed, value maps resolved. */
export interface CompiledMapping {
  /** Where it was read from, for messages. */
  file: string;
  platform: string;
  list: {
    url: string;
    query: Record<string, string>;
    paging: Paging;
    maxPages: number;
    recordsPath: ParsedPath;
    totalPath?: ParsedPath;
    idPath?: ParsedPath;
    modifiedPath?: ParsedPath;
    nextPath?: ParsedPath;
  };
  detail?: { url: string; query: Record<string, string>; recordPath: ParsedPath };
  fields: Map<MappedField, FieldRule>;
  distribution?: DistributionRule;
  constants: Partial<Record<MappedField, string>>;
  sourceExtras: 'unmapped' | 'none';
  ignore: ParsedPath[];
}

export const MAPPING_FILE_SCHEMA_FILE = projectPath('mappings', 'mapping-file.schema.json');
/** Where the mapping files named by `options.mapping` live. */
export const MAPPING_DIRECTORY = projectPath('mappings', 'city');
/** A mapping name: a file name in MAPPING_DIRECTORY, without `.json`, never a path. */
export const MAPPING_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';

const DEFAULT_MAX_PAGES = 10_000;

/**
 * Compiled on the first mapping file checked, not at import: every process that imports the
 * connectors imports this module, and only sources of type mapped-json read a mapping file.
 */
let validateFile: ValidateFunction<MappingFileJson> | undefined;
const fileValidator = (): ValidateFunction<MappingFileJson> =>
  (validateFile ??= new Ajv({ allErrors: true, strict: false }).compile<MappingFileJson>(JSON.parse(readFileSync(MAPPING_FILE_SCHEMA_FILE, 'utf8')) as object));

/** The mapping file `mappings/city/<name>.json`. */
export function loadNamedMapping(name: string): CompiledMapping {
  if (!new RegExp(MAPPING_NAME_PATTERN).test(name)) {
    throw new ConfigError(
      name,
      '(file)',
      `a mapping is named by a file name in mappings/city without .json (${MAPPING_NAME_PATTERN}), not ${JSON.stringify(name)}`,
    );
  }
  return loadMappingFile(`${MAPPING_DIRECTORY}/${name}.json`);
}

export function loadMappingFile(file: string): CompiledMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '(file)', `cannot read the mapping file: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '(file)', `the mapping file is not valid JSON: ${(err as Error).message}`);
  }
  return compileMapping(json, file);
}

/** Check a parsed mapping file and compile it; `file` names it in errors. */
export function compileMapping(json: unknown, file: string): CompiledMapping {
  const validate = fileValidator();
  if (!validate(json)) {
    const error = mostSpecific(validate.errors ?? []);
    throw new ConfigError(file, fieldOf(error), describe(error));
  }
  const mapping = json;
  const valueMaps = mapping.valueMaps ?? {};
  const path = (field: string, text: string): ParsedPath => {
    try {
      return parsePath(text);
    } catch (err) {
      if (err instanceof PathSyntaxError) throw new ConfigError(file, field, err.message);
      throw err;
    }
  };
  const rule = (field: string, json: FieldRuleJson): FieldRule => {
    const spec = typeof json === 'string' ? { path: json } : json;
    const texts = Array.isArray(spec.path) ? spec.path : [spec.path];
    const compiled: FieldRule = {
      paths: texts.map((text, index) => path(Array.isArray(spec.path) ? `${field}.path[${index}]` : typeof json === 'string' ? field : `${field}.path`, text)),
      dateFormat: spec.dateFormat ?? 'auto',
      join: spec.join ?? '、',
    };
    if (spec.valueMap !== undefined) {
      const table = Object.hasOwn(valueMaps, spec.valueMap) ? valueMaps[spec.valueMap] : undefined;
      if (table === undefined) throw new ConfigError(file, `${field}.valueMap`, `no value map named ${JSON.stringify(spec.valueMap)} in valueMaps`);
      compiled.valueMap = table;
    }
    if (spec.split !== undefined) compiled.split = spec.split;
    if (spec.template !== undefined) compiled.template = spec.template;
    return compiled;
  };

  const fields = new Map<MappedField, FieldRule>();
  for (const [name, json] of Object.entries(mapping.fields)) {
    if (name === 'distribution' || json === undefined) continue;
    fields.set(name as MappedField, rule(`fields.${name}`, json as FieldRuleJson));
  }
  const compiled: CompiledMapping = {
    file,
    platform: mapping.platform,
    list: {
      url: mapping.list.url,
      query: stringQuery(mapping.list.query),
      paging: mapping.list.paging ?? { style: 'none' },
      maxPages: mapping.list.maxPages ?? DEFAULT_MAX_PAGES,
      recordsPath: path('list.recordsPath', mapping.list.recordsPath),
    },
    fields,
    constants: mapping.constants ?? {},
    sourceExtras: mapping.sourceExtras ?? 'unmapped',
    ignore: (mapping.ignore ?? []).map((text, index) => path(`ignore[${index}]`, text)),
  };
  if (mapping.list.totalPath !== undefined) compiled.list.totalPath = path('list.totalPath', mapping.list.totalPath);
  if (mapping.list.idPath !== undefined) compiled.list.idPath = path('list.idPath', mapping.list.idPath);
  if (mapping.list.modifiedPath !== undefined) compiled.list.modifiedPath = path('list.modifiedPath', mapping.list.modifiedPath);
  if (mapping.list.paging?.style === 'next-link') compiled.list.nextPath = path('list.paging.nextPath', mapping.list.paging.nextPath);
  if (mapping.detail !== undefined) {
    if (mapping.list.idPath === undefined)
      throw new ConfigError(file, 'list.idPath', 'a mapping with a detail request needs list.idPath: the {id} of the detail URL');
    compiled.detail = { url: mapping.detail.url, query: stringQuery(mapping.detail.query), recordPath: path('detail.recordPath', mapping.detail.recordPath) };
  }
  const distribution = mapping.fields.distribution;
  if (distribution !== undefined) {
    const distributionFields = (spec: Partial<Record<MappedDistributionField, FieldRuleJson>>, at: string): Map<MappedDistributionField, FieldRule> =>
      new Map(Object.entries(spec).map(([name, json]) => [name as MappedDistributionField, rule(`${at}.${name}`, json)]));
    compiled.distribution =
      'parallel' in distribution
        ? {
            kind: 'parallel',
            fields: distributionFields(distribution.parallel, 'fields.distribution.parallel'),
            ...(distribution.split ? { split: distribution.split } : {}),
          }
        : {
            kind: 'objects',
            path: path('fields.distribution.path', distribution.path),
            fields: distributionFields(distribution.fields, 'fields.distribution.fields'),
          };
  }
  return compiled;
}

function stringQuery(query: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(query ?? {}).map(([key, value]) => [key, String(value)]));
}

/**
 * ajv reports every branch of a failed oneOf; the deepest error that is not a oneOf summary is
 * the one that names what the author got wrong.
 */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const concrete = errors.filter((error) => error.keyword !== 'oneOf');
  const pool = concrete.length > 0 ? concrete : errors;
  return [...pool].sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0];
}

function depth(error: ErrorObject): number {
  return error.instancePath.split('/').length + (error.keyword === 'additionalProperties' || error.keyword === 'required' ? 1 : 0);
}

/** Among equally deep errors, prefer the ones that say most. */
function rank(error: ErrorObject): number {
  return ['additionalProperties', 'required', 'enum', 'const', 'pattern'].includes(error.keyword) ? 0 : 1;
}

function fieldOf(error: ErrorObject | undefined): string {
  if (error === undefined) return '(file)';
  const base = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`), '');
  const params = error.params as { additionalProperty?: string; missingProperty?: string };
  const leaf = params.additionalProperty ?? params.missingProperty;
  if (leaf === undefined) return base || '(file)';
  return base === '' ? leaf : `${base}.${leaf}`;
}

function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'invalid mapping file';
  if (error.keyword === 'additionalProperties') return 'unknown key';
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'enum')
    return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? 'invalid';
}
