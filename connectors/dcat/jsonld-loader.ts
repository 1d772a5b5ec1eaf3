/**
 * The JSON-LD document loader of the DCAT connector: it NEVER fetches. Remote @context URLs
 * that catalogues are known to use are served from local copies in mappings/jsonld-contexts/
 * (map.json names them); every other URL is refused, and the refusal names the URL so the
 * operator can add a local copy (with its SOURCES.md line) if the context is legitimate.
 *
 * Why refuse rather than fetch: a context is code for the JSON-LD processor. Fetching it lets
 * a catalogue make the harvester request any URL (a private address, an endless body), and a
 * context that changes upstream silently changes what every record means.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteDocument } from 'jsonld/jsonld-spec.js';
import { projectPath } from '../../src/model/project-root.js';

const CONTEXT_DIR = projectPath('mappings', 'jsonld-contexts');

interface ContextMapFile {
  contexts: Record<string, string>;
}

/** A JSON-LD document asked for a remote document that is not in the local map. */
export class RefusedContextError extends Error {
  constructor(readonly url: string) {
    super(`remote JSON-LD context ${url} is not in the local context map (mappings/jsonld-contexts/map.json); it was not fetched`);
    this.name = 'RefusedContextError';
  }
}

let cached: ReadonlyMap<string, unknown> | undefined;

/** The local contexts by the URL documents name them with, read once. */
export function localContexts(): ReadonlyMap<string, unknown> {
  if (cached !== undefined) return cached;
  const map = JSON.parse(readFileSync(join(CONTEXT_DIR, 'map.json'), 'utf8')) as ContextMapFile;
  const contexts = new Map<string, unknown>();
  for (const [url, file] of Object.entries(map.contexts)) {
    contexts.set(url, JSON.parse(readFileSync(join(CONTEXT_DIR, file), 'utf8')));
  }
  cached = contexts;
  return contexts;
}

export interface LocalDocumentLoader {
  load(url: string): Promise<RemoteDocument>;
  /** URLs asked for and refused, in order: jsonld wraps the loader's error, this keeps the URL. */
  readonly refused: string[];
}

/** A loader for one document's processing. */
export function localDocumentLoader(): LocalDocumentLoader {
  const contexts = localContexts();
  const refused: string[] = [];
  return {
    refused,
    async load(url: string): Promise<RemoteDocument> {
      const document = contexts.get(url);
      if (document === undefined) {
        refused.push(url);
        throw new RefusedContextError(url);
      }
      // A fresh copy each time: jsonld must never be able to alter the shared one.
      return { contextUrl: undefined, documentUrl: url, document: structuredClone(document) as RemoteDocument['document'] };
    },
  };
}
