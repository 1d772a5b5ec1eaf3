/**
 * DCAT-AP checks for tests: JSON-LD → RDF with a real processor (safe mode, a document loader
 * that refuses every URL), strict N-Quads parsing by n3, and validation against the DCAT-AP 3.0.1
 * SHACL shapes (test/fixtures/shacl). Shared by the view's tests and every connector's tests.
 */
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import type { JsonLdDocument } from 'jsonld';
import { Parser } from 'n3';
import type { ParserOptions, Quad } from 'n3';
import { projectPath } from '../../src/model/project-root.js';
import type { NationalRecord } from '../../src/model/record.js';
import { toDcatJsonLd } from '../../src/views/dcat-jsonld.js';

/** Any attempt to load a document (a remote @context) fails. */
export async function refuseEveryDocument(url: string): Promise<never> {
  throw new Error(`a JSON-LD document was requested: ${url}`);
}

/** Safe mode makes jsonld throw instead of silently dropping what it cannot map. */
export const PROCESSING_OPTIONS = { documentLoader: refuseEveryDocument, safe: true };

export async function toNQuads(document: Record<string, unknown>): Promise<string> {
  const nquads = await jsonld.toRDF(document as JsonLdDocument, { ...PROCESSING_OPTIONS, format: 'application/n-quads' });
  if (typeof nquads !== 'string') throw new Error('jsonld.toRDF did not return N-Quads');
  return nquads;
}

// shacl-engine and rdf-ext ship no type declarations: the few members used are typed here.
type RdfExtFactory = NonNullable<ParserOptions['factory']> & { dataset(quads?: Quad[]): object };

interface ShaclResult {
  path?: Array<{ predicates: Array<{ value: string }> }> | null;
  constraintComponent: { value: string };
}

interface ShaclValidator {
  validate(data: { dataset: object }): Promise<{ conforms: boolean; results: ShaclResult[] }>;
}

type ShaclValidatorClass = new (shapes: object, options: { factory: RdfExtFactory }) => ShaclValidator;

const rdf = ((await import('rdf-ext' as string)) as { default: RdfExtFactory }).default;
const { Validator } = (await import('shacl-engine' as string)) as { Validator: ShaclValidatorClass };

const shapes = rdf.dataset(new Parser({ factory: rdf }).parse(readFileSync(projectPath('test', 'fixtures', 'shacl', 'html_shacl_shapes.ttl'), 'utf8')));
const validator = new Validator(shapes, { factory: rdf });

const PREFIXES: Record<string, string> = {
  adms: 'http://www.w3.org/ns/adms#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
};

function shorten(value: string): string {
  for (const [prefix, namespace] of Object.entries(PREFIXES)) {
    if (value.startsWith(namespace)) return `${prefix}:${value.slice(namespace.length)}`;
  }
  return value;
}

/** DCAT-AP violations of a JSON-LD document, each as `path constraint`, e.g. `dct:description MinCount`. */
export async function dcatApViolations(document: Record<string, unknown>): Promise<string[]> {
  const data = rdf.dataset(new Parser({ format: 'N-Quads', factory: rdf }).parse(await toNQuads(document)));
  const report = await validator.validate({ dataset: data });
  return report.results.map((result) => {
    const path = (result.path ?? []).map((step) => step.predicates.map((p) => shorten(p.value)).join('|')).join('/');
    const constraint = result.constraintComponent.value.replace(/^.*#(.*)ConstraintComponent$/, '$1');
    return `${path} ${constraint}`;
  });
}

/** The DCAT-AP violations of a national record as the gateway serves it, sorted. */
export async function recordViolations(record: NationalRecord): Promise<string[]> {
  return (await dcatApViolations(toDcatJsonLd(record, { baseUrl: 'https://gateway.test' }))).sort();
}
