import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoreUnavailableError } from '../store/store-errors.js';
import { ERROR_CODES } from './errors.js';
import { specError } from '../views/spec-error.js';

/** How long a client is asked to wait: an operator freeing disk space or fixing permissions takes minutes, a lock seconds. */
export const STORE_RETRY_AFTER_SECONDS = { busy: 5, other: 60 } as const;

/**
 * The store cannot be used (full, read-only, locked past the busy timeout, failing): 503 with
 * Retry-After, in the spec's error shape, and nothing stored. The log names the file and what the
 * operator should do; the client is told only what happened, not the server's paths.
 */
export function answerStoreUnavailable(error: StoreUnavailableError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.error({ store: error.path, code: error.code }, error.message);
  const retryAfter = error.condition === 'busy' ? STORE_RETRY_AFTER_SECONDS.busy : STORE_RETRY_AFTER_SECONDS.other;
  const what = CLIENT_TEXT[error.condition];
  return reply
    .code(503)
    .header('retry-after', String(retryAfter))
    .send(
      specError(
        ERROR_CODES.unavailable,
        `the gateway's store ${what}: the request was not carried out (nothing was stored); try again after ${retryAfter} seconds`,
      ),
    );
}

const CLIENT_TEXT: Record<StoreUnavailableError['condition'], string> = {
  full: 'is full',
  'read-only': 'is read-only',
  'cannot-open': 'cannot be opened',
  io: 'has a disk error',
  corrupt: 'is damaged',
  busy: 'is busy with another write',
};
