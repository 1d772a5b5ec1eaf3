import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import type { CatalogueStore } from '../../store/contract/catalogue.js';
import { findServedDataset } from '../served-dataset.js';
import { toDcatJsonLd } from '../../views/dcat-jsonld.js';
import { ERROR_CODES } from '../errors.js';
import { specError, specErrorSchema } from '../../views/spec-error.js';
import { addVary, negotiate, notAcceptable, RDF_REPRESENTATIONS, rdfResponseContent, sendRdf, splitSuffix, type Negotiated } from './rdf-negotiation.js';

/**
 * One dataset as DCAT-AP 3:
 *   GET /dataset/{identifier}                        syntax by Accept (JSON-LD by default)
 *   GET /dataset/{identifier}.jsonld|.ttl|.rdf|.nt   syntax by suffix
 * A dataset absorbed into another answers 301 to the same form of path, a withdrawn one 410,
 * an unknown one 404 (src/api/served-dataset.ts).
 */
export function dcatRoutes(app: FastifyInstance, store: Store, publicUrl: string): void {
  app.get<{ Params: { file: string } }>(
    '/dataset/:file',
    {
      schema: {
        tags: ['dcat'],
        operationId: 'getDatasetDcat',
        summary: 'One dataset as DCAT-AP 3 (JSON-LD, Turtle, RDF/XML or N-Triples)',
        description:
          'Path `/dataset/{identifier}` answers in the syntax Accept asks for: `application/ld+json` (also for `*/*`, `application/json` and no Accept), `text/turtle`, `application/rdf+xml`, `application/n-triples`; anything else is 406; the response varies by Accept. `/dataset/{identifier}.jsonld`, `.ttl`, `.rdf` and `.nt` name the syntax and ignore Accept. The dataset IRI is `{publicUrl}/dataset/{identifier}`. The JSON-LD carries its @context inline, so no remote context is needed to read it.',
        params: {
          type: 'object',
          required: ['file'],
          properties: {
            file: { type: 'string', description: '`{identifier}` or `{identifier}.{jsonld|ttl|rdf|nt}`, e.g. `A41000000G-000001.ttl`' },
          },
        },
        response: {
          200: { description: 'The dataset in DCAT-AP 3.', content: rdfResponseContent(RDF_REPRESENTATIONS) },
          301: {
            description:
              'The identifier now belongs to another dataset (their records were found to be one dataset): Location names it, in the same form of path.',
          },
          404: { description: 'No dataset with this identifier (ER0100).', ...specErrorSchema },
          406: { description: 'Accept names no syntax offered, on a path without suffix (ER0210).', ...specErrorSchema },
          410: { description: 'The dataset was withdrawn: no source publishes it any more (ER010001).', ...specErrorSchema },
        },
      },
    },
    async (request, reply) => {
      const { file } = request.params;
      const target = await resolvePath(store.catalogue, file);
      if (target.suffix === '') addVary(reply, 'Accept');
      const entry = target.entry;
      if ('movedTo' in entry) return reply.redirect(`/dataset/${encodeURIComponent(entry.movedTo)}${target.suffix}`, 301);
      if ('error' in entry) return reply.code(entry.status).send(entry.error);

      let negotiated: Negotiated | undefined = target.fixed;
      if (negotiated === undefined) {
        negotiated = negotiate(request.headers.accept);
        if (negotiated === undefined) return reply.code(406).send(notAcceptable(request.headers.accept));
      }
      const document = toDcatJsonLd(entry.record, { baseUrl: publicUrl });
      return sendRdf(reply, negotiated, { jsonLd: () => document, graphDocuments: () => [document] });
    },
  );
}

type Lookup = Awaited<ReturnType<typeof findServedDataset>>;

interface ResolvedPath {
  entry: Lookup;
  /** The suffix the path named ('' when none), kept on redirects. */
  suffix: string;
  fixed: Negotiated | undefined;
}

/**
 * `{identifier}.ttl` is the dataset `{identifier}` in Turtle. An identifier that itself ends in
 * one of the suffixes (nothing forbids `…-001.nt`) is still found: when the stem names no
 * dataset and the whole does, the whole is the identifier and Accept decides.
 */
async function resolvePath(catalogue: CatalogueStore, file: string): Promise<ResolvedPath> {
  const split = splitSuffix(file);
  if (split !== undefined && split.stem !== '') {
    const entry = await findServedDataset(catalogue, split.stem);
    const fixed = { representation: split.representation, mediaType: split.representation.mediaType };
    if (!isUnknown(entry)) return { entry, suffix: split.representation.suffix, fixed };
    const whole = await findServedDataset(catalogue, file);
    if (!isUnknown(whole)) return { entry: whole, suffix: '', fixed: undefined };
    return { entry, suffix: split.representation.suffix, fixed };
  }
  if (split !== undefined) {
    // `/dataset/.ttl`: a suffix and no identifier.
    return {
      entry: {
        status: 404,
        error: specError(ERROR_CODES.notFound, `no such document: /dataset/${file} (use /dataset/{identifier}${split.representation.suffix})`),
      },
      suffix: split.representation.suffix,
      fixed: undefined,
    };
  }
  return { entry: await findServedDataset(catalogue, file), suffix: '', fixed: undefined };
}

function isUnknown(entry: Lookup): boolean {
  return 'status' in entry && entry.status === 404;
}
