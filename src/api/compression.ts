import { constants as zlib } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import compress from '@fastify/compress';

/**
 * Response compression by Accept-Encoding (brotli or gzip), for every text format the gateway
 * serves: JSON, JSON-LD, Turtle, N-Triples, RDF/XML, CSV, HTML. Streamed responses are
 * compressed as they stream (a zlib stream piped after them), never buffered whole.
 */

/**
 * Bodies smaller than this are sent as they are: compressing a 300-byte error costs more than it
 * saves, and a small body fits in one packet either way.
 */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * Text types, and the RDF ones mime-db does not mark compressible (application/n-triples,
 * n-quads, trig). Server-sent events are excluded: compression would hold events back.
 */
const COMPRESSIBLE_TYPE = /^text\/(?!event-stream)|[/+](?:json|xml)(?:\s*;|$)|^application\/(?:n-triples|n-quads|trig)(?:\s*;|$)/i;

export function isCompressibleType(contentType: string): boolean {
  return COMPRESSIBLE_TYPE.test(contentType);
}

export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    // Only these two: every client that compresses knows gzip, browsers prefer br, and the
    // choice does not depend on which Node release runs the gateway (zstd arrived in 22.15).
    encodings: ['br', 'gzip'],
    threshold: COMPRESSION_THRESHOLD_BYTES,
    customTypes: isCompressibleType,
    // Streams: flush after each chunk the route writes, so what it produced reaches the client
    // now. Without it brotli holds back up to its whole window (megabytes) before the first byte,
    // and a client of a slow export sees nothing for a long time. Routes write chunks of
    // hundreds of records, so the flushes cost little; buffered bodies are compressed in one go
    // and are not affected.
    brotliOptions: { flush: zlib.BROTLI_OPERATION_FLUSH },
    zlibOptions: { flush: zlib.Z_SYNC_FLUSH },
    // Read-only API: request bodies (CKAN POST actions) are small JSON, so compressed request
    // bodies are not accepted rather than inflated past the body limit.
    globalDecompression: false,
  });
}
