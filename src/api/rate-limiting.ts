import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import ipaddr from 'ipaddr.js';
import type { RateLimitSettings } from '../config/types.js';

/**
 * Per-client rate limiting of the public API: at most `max` requests per `timeWindowMs` per
 * client address (the TCP peer, or the X-Forwarded-For client when `server.trustProxy` says
 * which proxies to believe: Fastify's `request.ip`). IPv6 clients are counted per /64, the
 * block one subscriber holds, so rotating addresses inside it does not escape the limit.
 *
 * Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds);
 * the request over the limit gets 429 with `Retry-After` (seconds) and the spec error body
 * (ER0429, built by the error handler from `TooManyRequestsError`). Routes opt out with
 * `config: { rateLimit: false }` (the health check does, so a load balancer is never refused).
 */

/** The error a request over its limit raises; the API's error handler turns it into the spec's 429 body. */
export class TooManyRequestsError extends Error {
  readonly statusCode = 429;

  constructor(message: string) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

/** Distinct clients remembered per window; past it the least recent are forgotten (and start afresh). */
const TRACKED_CLIENTS = 20_000;

/**
 * Registers rate limiting for every route registered afterwards, unless `max` is 0. Returns a
 * preHandler for the not-found handler, so probing unknown paths is counted too.
 */
export async function registerRateLimiting(app: FastifyInstance, settings: RateLimitSettings): Promise<preHandlerAsyncHookHandler | undefined> {
  if (settings.max === 0) return undefined;
  const allowed = addressMatcher(settings.allowList);
  const windowSeconds = Math.ceil(settings.timeWindowMs / 1000);
  await app.register(rateLimit, {
    global: true,
    max: settings.max,
    timeWindow: settings.timeWindowMs,
    cache: TRACKED_CLIENTS,
    // The IETF draft's RateLimit-* names rather than X-RateLimit-*.
    enableDraftSpec: true,
    allowList: (request) => allowed(request.ip),
    errorResponseBuilder: (_request, context) =>
      new TooManyRequestsError(`too many requests from this client: at most ${context.max} per ${windowSeconds} s; retry in ${context.after}`),
  });
  return app.rateLimit();
}

/** Whether an address is in a list of addresses and CIDR ranges (validated by the configuration loader). */
export function addressMatcher(entries: readonly string[]): (address: string) => boolean {
  const ranges = entries.map((entry) =>
    entry.includes('/') ? ipaddr.parseCIDR(entry) : ([ipaddr.parse(entry), entry.includes(':') ? 128 : 32] as [ipaddr.IPv4 | ipaddr.IPv6, number]),
  );
  if (ranges.length === 0) return () => false;
  return (address) => {
    if (!ipaddr.isValid(address)) return false;
    let parsed = ipaddr.parse(address);
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    return ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
  };
}
