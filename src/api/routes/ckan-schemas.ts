/**
 * JSON Schemas of the CKAN-compatible actions, for /openapi.json: each action's parameters and
 * its result inside CKAN's envelope. They document; the parameters are checked by ckan-params.ts
 * (CKAN's messages, 409), and responses are written as built.
 */
import { ckanErrorSchema } from './ckan-envelope.js';

type Schema = Record<string, unknown>;

// ckan-params.ts refuses an integer past Number.MAX_SAFE_INTEGER either way ("Invalid integer"): the bound is documented.
const naturalNumber = (description: string): Schema => ({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const flag = (description: string): Schema => ({ type: 'boolean', description });

export const ACTION_PARAMETERS: Readonly<Record<string, Record<string, Schema>>> = {
  package_list: {
    limit: naturalNumber('At most this many names (absent: all).'),
    offset: naturalNumber('Skip this many names first.'),
  },
  package_show: {
    id: { type: 'string', description: 'The package id (UUID), its name, or the dataset identifier (資料集編號).' },
    name_or_id: { type: 'string', description: 'Read when `id` is absent, as CKAN does.' },
  },
  package_search: {
    q: {
      type: 'string',
      description:
        'Full text over title, description, keywords and publisher (Chinese works); every word must match. `*:*` or empty: everything. Solr syntax is not interpreted here: filter with fq.',
    },
    fq: {
      type: 'string',
      description:
        'Filter clauses combined with AND (space, AND, &&, `+`, parentheses): `organization:<name>`, `owner_org:<id>`, `groups:<服務分類 code>`, `res_format:<format>`, `license_id:<id>` (quote values with spaces), `metadata_modified:[<ISO date-time> TO *]`, `dataset_type:dataset`, `capacity:public`. Anything else (tags, OR, NOT, wildcards) is a 409.',
      examples: ['organization:a41000000g metadata_modified:[2024-01-01T00:00:00Z TO *]'],
    },
    fq_list: { type: 'string', description: 'A JSON list of further fq texts, each ANDed.' },
    rows: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 10,
      description: 'Page size; more than 1000 is capped at 1000 (CKAN: ckan.search.rows_max).',
    },
    start: naturalNumber('Offset of the first result.'),
    sort: {
      type: 'string',
      default: 'score desc, metadata_modified desc',
      description:
        '`score desc[, metadata_modified desc]`, `metadata_modified asc|desc`, `title_string asc|desc`, `name asc|desc`, `id asc|desc`, optionally followed by `, id asc` (ties are broken by identifier). `name`/`id` order is a stable order by dataset identifier.',
    },
    'facet.field': {
      type: 'string',
      description: 'JSON list of fields to count: `organization`, `groups`, `res_format`, `license_id` (e.g. `["organization","res_format"]`).',
    },
    'facet.limit': {
      type: 'integer',
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Values per facet, most frequent first; at most 50 (also for a negative value, CKAN\'s "all").',
    },
    fl: { type: 'string', description: 'Only these package fields in each result (comma- or space-separated), e.g. `id,metadata_modified`.' },
  },
  organization_list: {
    all_fields: flag('Organization dicts instead of names (default false).'),
    limit: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 1000, description: 'At most this many (capped at 1000).' },
    offset: naturalNumber('Skip this many first.'),
    sort: {
      type: 'string',
      default: 'title asc',
      description: '`name`, `title` or `package_count`, `asc` or `desc` (package_count alone: most datasets first).',
    },
    q: { type: 'string', description: 'Only organizations whose name or title contains this text (any case).' },
    organizations: { type: 'string', description: 'JSON list of names: only these.' },
    include_dataset_count: flag('With all_fields: include package_count (default true).'),
    include_extras: flag('With all_fields: include extras (publisherOID, publisherOrgCode) (default false).'),
  },
  organization_show: {
    id: { type: 'string', description: 'The organization name (its agency code lower-cased, when its datasets carry one), its id, or the publisher name.' },
    include_datasets: flag('Include `packages`: its datasets, most recently changed first, at most 1000 (default false).'),
    include_dataset_count: flag('Include package_count (default true).'),
    include_extras: flag('Include extras (default true).'),
  },
  help_show: {
    name: { type: 'string', description: 'The action name, e.g. package_search.' },
  },
};

const tagSchema: Schema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    display_name: { type: 'string' },
    state: { type: 'string' },
    vocabulary_id: { type: 'null' },
  },
};

const extrasSchema: Schema = {
  type: 'array',
  description:
    'National fields CKAN has no field for, under their national names (`identifier`, `categoryCode`, `publisherOrgCode`, `accrualPeriodicity`, `temporalCoverageFrom`, …; `national_type`, `national_organization`, `national_notes` where CKAN uses the name), sorted by key.',
  items: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string' }, value: { type: 'string' } } },
};

export const organizationSchema: Schema = {
  type: 'object',
  description: 'A publisher of the catalogue as a CKAN organization.',
  properties: {
    id: { type: 'string', format: 'uuid', description: 'UUID v5 of the publisher name: stable.' },
    name: {
      type: 'string',
      description:
        'The agency code (publisherOrgCode) lower-cased when its datasets carry one, else a slug; unique. `no-publisher`: the datasets whose records name no publisher.',
    },
    title: { type: 'string', description: 'The publisher name.' },
    display_name: { type: 'string' },
    type: { type: 'string', const: 'organization' },
    is_organization: { type: 'boolean', const: true },
    state: { type: 'string', const: 'active' },
    approval_status: { type: 'string', const: 'approved' },
    created: { type: 'string', description: 'When its first dataset was first harvested: UTC, CKAN form `YYYY-MM-DDThh:mm:ss.ffffff`.' },
    description: { type: 'string' },
    image_url: { type: 'string' },
    image_display_url: { type: 'string' },
    package_count: { type: 'integer' },
    num_followers: { type: 'integer' },
    extras: extrasSchema,
    groups: { type: 'array', items: { type: 'object' }, description: 'Groups the organization belongs to: always empty (organization_show, all_fields).' },
    packages: { type: 'array', items: { type: 'object' }, description: 'With include_datasets: package dicts.' },
  },
};

export const packageSchema: Schema = {
  type: 'object',
  description: 'A dataset as a CKAN package (CKAN 2.9–2.11 package_show shape).',
  properties: {
    id: { type: 'string', format: 'uuid', description: 'UUID v5 of the dataset identifier: never changes.' },
    name: { type: 'string', description: 'The identifier lower-cased (`a41000000g-000001`); other identifiers slugged with a hash suffix.' },
    title: { type: 'string' },
    notes: { type: ['string', 'null'], description: 'The description.' },
    url: { type: ['string', 'null'], description: 'landingPage.' },
    state: {
      type: 'string',
      enum: ['active', 'deleted'],
      description: '`deleted` for a withdrawn dataset, or one absorbed into another (extras `mergedInto` names it).',
    },
    type: { type: 'string', const: 'dataset' },
    private: { type: 'boolean', const: false },
    isopen: { type: 'boolean' },
    license_id: { type: 'string', description: 'The licence as the record names it (filter with fq license_id).' },
    license_title: { type: 'string' },
    license_url: { type: ['string', 'null'] },
    metadata_created: { type: 'string', description: 'First harvest, UTC, `YYYY-MM-DDThh:mm:ss.ffffff`.' },
    metadata_modified: { type: 'string', description: "The record's modified, else when the gateway last changed it; UTC, same form." },
    num_resources: { type: 'integer' },
    num_tags: { type: 'integer' },
    organization: { ...organizationSchema, description: 'The publisher; the organization `no-publisher` when the record names none.' },
    owner_org: { type: 'string', format: 'uuid', description: "The organization's id." },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string', description: '服務分類 code, lower-cased' }, title: { type: 'string' } },
      },
    },
    tags: { type: 'array', items: tagSchema },
    extras: extrasSchema,
    resources: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          package_id: { type: 'string', format: 'uuid' },
          url: { type: 'string', description: 'downloadURL, else accessURL.' },
          download_url: { type: 'string' },
          access_url: { type: 'string' },
          name: { type: ['string', 'null'], description: 'resourceDescription.' },
          description: { type: 'string' },
          format: { type: 'string' },
          mimetype: { type: ['string', 'null'] },
          last_modified: { type: ['string', 'null'], description: 'resourceModified, UTC.' },
          resource_type: { type: ['string', 'null'], description: '`api` for a service endpoint (accessURL only).' },
          resourceID: { type: 'string' },
          characterSetCode: { type: 'string' },
          metadataSourceOfData: { type: 'string' },
        },
      },
    },
  },
};

const facetItemsSchema: Schema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      title: { type: 'string' },
      items: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, display_name: { type: 'string' }, count: { type: 'integer' } } },
      },
    },
  },
};

export const ACTION_RESULTS: Readonly<Record<string, Schema>> = {
  package_list: { type: 'array', items: { type: 'string' }, description: 'Package names.' },
  package_show: packageSchema,
  package_search: {
    type: 'object',
    required: ['count', 'facets', 'results', 'sort', 'search_facets'],
    properties: {
      count: { type: 'integer', description: 'Matches before paging.' },
      sort: { type: 'string' },
      results: { type: 'array', items: packageSchema },
      facets: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } } },
      search_facets: facetItemsSchema,
    },
  },
  organization_list: {
    type: 'array',
    items: { anyOf: [{ type: 'string' }, organizationSchema] },
    description: 'Names, or organization dicts with all_fields.',
  },
  organization_show: organizationSchema,
  help_show: { type: 'string', description: 'What the action does and takes.' },
};

/** The envelope around an action's result. */
export function envelopeSchema(result: Schema): Schema {
  return {
    type: 'object',
    required: ['help', 'success', 'result'],
    properties: { help: { type: 'string', format: 'uri' }, success: { type: 'boolean', const: true }, result },
  };
}

export const ERROR_RESPONSES: Readonly<Record<number, Schema>> = {
  400: { description: 'The request could not be read: a body that is not a JSON object, an unreadable form.', ...ckanErrorSchema },
  404: { description: 'Not Found Error: no such package or organization.', ...ckanErrorSchema },
  409: {
    description: 'Validation Error: a parameter is invalid (CKAN answers 409 for these); the error lists each bad parameter under its name.',
    ...ckanErrorSchema,
  },
};
