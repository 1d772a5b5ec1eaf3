import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { HttpLimits } from '../config/types.js';
import { BlockedAddressError, guardedConnector } from './address-guard.js';
import { hostKey, hostLimiter, onAbort, type HostPolicy } from './host-limiter.js';

export type HttpErrorKind = 'status' | 'timeout' | 'too-large' | 'network' | 'blocked-address' | 'cancelled' | 'bad-url' | 'too-many-redirects';

/** Redirects followed per request; one more is an error of its own kind ('too-many-redirects'). */
const MAX_REDIRECTIONS = 5;
/** The statuses undici's redirect interceptor follows (its redirectableStatusCodes). */
const REDIRECT_STATUSES = new Set([300, 301, 302, 303, 307, 308]);

/** A failed request, typed so run reports can group failures by cause. */
export class HttpError extends Error {
  /** What the server's Retry-After asked for, in ms, on a 429 or 503 that carried one. */
  readonly retryAfterMs: number | undefined;
  private readonly final: boolean;

  constructor(
    readonly kind: HttpErrorKind,
    readonly url: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; retryAfterMs?: number; final?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.retryAfterMs = options?.retryAfterMs;
    this.final = options?.final ?? false;
  }

  /** Worth another attempt: the source may answer next time (not if it asked to wait longer than allowed). */
  get transient(): boolean {
    if (this.final) return false;
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    return this.kind === 'status' && this.status !== undefined && (this.status >= 500 || this.status === 429 || this.status === 408);
  }
}

/** What a conditional GET sends back: ETag and Last-Modified, as the server wrote them. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /**
   * The body decoded as UTF-8; empty on a 304. Decoded when first read: a connector that parses
   * the bytes as they are (the DCAT connector's Turtle and RDF/XML) never holds a second copy of
   * a big document as a string.
   */
  readonly body: string;
  /** The body's raw bytes, for a source that is not UTF-8 (Big5 exports); empty on a 304. */
  bytes: Buffer;
  /** 304: the caller's validators still hold; keep what it has. */
  notModified: boolean;
  /** ETag and Last-Modified of the response, to store and send next time (on a 304 without them, the ones sent). */
  validators: Validators;
}

export interface GetOptions {
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for a vanished record). */
  acceptStatuses?: readonly number[];
  /** Make the request conditional (If-None-Match, If-Modified-Since); a 304 is returned, not thrown. */
  validators?: Validators | undefined;
}

type PolitenessKeys = 'maxConcurrentPerHost' | 'minIntervalMs' | 'maxRetryAfterMs';

/** The HTTP limits; the politeness ones may be left out (defaults as in the configuration). */
export interface HttpClientOptions extends Omit<HttpLimits, PolitenessKeys>, Partial<Pick<HttpLimits, PolitenessKeys>> {
  userAgent: string;
}

export const POLITENESS_DEFAULTS: Readonly<Pick<HttpLimits, PolitenessKeys>> = {
  maxConcurrentPerHost: 4,
  minIntervalMs: 0,
  maxRetryAfterMs: 120_000,
};

/** The abort reason of a request's own deadline, told apart from the caller's cancellation. */
const DEADLINE = new Error('request deadline exceeded');

/**
 * The only way connectors reach the network. Every request has a deadline covering connect,
 * headers and body (a source that drips a byte a second cannot hold a run forever), a size
 * cap enforced while streaming, the private-address guard, and bounded retries with
 * exponential backoff and jitter for transient failures.
 *
 * Politeness per host (`host:port`), shared with every other HttpClient of the process (see
 * host-limiter.ts): at most `maxConcurrentPerHost` requests in flight, `minIntervalMs` between
 * starts, and a 429/503 Retry-After (up to `maxRetryAfterMs`) pauses the whole host before the
 * retry. The deadline starts when the request leaves the queue; waiting in it is bounded by the
 * deadlines of the requests ahead and ends at once when the caller's signal aborts.
 */
export class HttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly policy: HostPolicy;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.policy = {
      maxConcurrent: options.maxConcurrentPerHost ?? POLITENESS_DEFAULTS.maxConcurrentPerHost,
      minIntervalMs: options.minIntervalMs ?? POLITENESS_DEFAULTS.minIntervalMs,
    };
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? POLITENESS_DEFAULTS.maxRetryAfterMs;
    const agent = new Agent({
      connect: options.allowPrivateAddresses ? { timeout: options.connectTimeoutMs } : guardedConnector({ timeout: options.connectTimeoutMs }),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
  }

  async get(url: string, options: GetOptions = {}): Promise<HttpResponse> {
    const target = parseTarget(url);
    const host = hostKey(target);
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent };
    const credentials = basicCredentials(target);
    if (credentials) headers['authorization'] = credentials;
    if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
    if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
    Object.assign(headers, options.headers);
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.attempt(url, host, headers, options);
      } catch (err) {
        if (!(err instanceof HttpError) || !err.transient || attempt >= this.options.retries) throw err;
        if (options.signal?.aborted) throw err;
        // The host is paused until Retry-After has passed: the next attempt waits for it in the queue.
        if (err.retryAfterMs !== undefined) continue;
        await sleep(this.backoffDelay(attempt), undefined, { signal: options.signal }).catch(() => undefined);
      }
    }
  }

  /** A 304 gives `json: undefined`: nothing was sent to parse. */
  async getJson(url: string, options: GetOptions = {}): Promise<{ response: HttpResponse; json: unknown }> {
    const response = await this.get(url, { ...options, headers: { accept: 'application/json', ...options.headers } });
    if (response.notModified) return { response, json: undefined };
    try {
      return { response, json: JSON.parse(response.body) as unknown };
    } catch (err) {
      throw new MalformedBodyError(url, `response is not valid JSON: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private backoffDelay(attempt: number): number {
    const base = this.options.retryBaseDelayMs * 2 ** attempt;
    return base / 2 + Math.random() * (base / 2);
  }

  /** One try: a slot of the host (waiting in line if need be), the request, the slot given back. */
  private async attempt(url: string, host: string, headers: Record<string, string>, options: GetOptions): Promise<HttpResponse> {
    const signal = options.signal;
    if (signal?.aborted) throw cancelled(url);
    const limiter = hostLimiter(host);
    if (!limiter.tryAcquire(this.policy)) {
      try {
        await limiter.acquire(this.policy, signal);
      } catch (err) {
        // Only an abort rejects the wait, and a rejected wait took no slot: nothing to release.
        throw cancelled(url, err);
      }
    }
    // One timer and one controller per request (AbortSignal.timeout + AbortSignal.any cost
    // several times more); the caller's signal reaches the controller through one shared listener.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(DEADLINE), this.options.timeoutMs);
    const unlink = signal ? onAbort(signal, () => controller.abort(signal.reason)) : undefined;
    try {
      const res = await request(url, { method: 'GET', dispatcher: this.dispatcher, signal: controller.signal, headers });
      const status = res.statusCode;
      if (status === 304) {
        await res.body.dump().catch(() => undefined);
        const validators = validatorsOf(res.headers);
        return { url, status, headers: res.headers, body: '', bytes: Buffer.alloc(0), notModified: true, validators: { ...options.validators, ...validators } };
      }
      if ((status < 200 || status >= 300) && !(options.acceptStatuses?.includes(status) ?? false)) {
        await res.body.dump().catch(() => undefined);
        // The redirect interceptor follows every redirect it may; one that reaches us is past the limit.
        if (REDIRECT_STATUSES.has(status) && res.headers['location'] !== undefined) {
          throw new HttpError(
            'too-many-redirects',
            url,
            `more than ${MAX_REDIRECTIONS} redirects from ${url} (a redirect loop?); ask its publisher for the final URL and configure that`,
          );
        }
        throw this.statusError(url, status, res.headers, limiter);
      }
      const bytes = await this.readCapped(res, url);
      let text: string | undefined;
      return {
        url,
        status,
        headers: res.headers,
        get body() {
          return (text ??= bytes.toString('utf8'));
        },
        bytes,
        notModified: false,
        validators: validatorsOf(res.headers),
      };
    } catch (err) {
      throw this.classify(err, url, signal, controller.signal);
    } finally {
      clearTimeout(timer);
      unlink?.();
      limiter.release();
    }
  }

  /** An unaccepted status; a 429/503 with Retry-After pauses the host (or fails outright if it asks too much). */
  private statusError(url: string, status: number, headers: Dispatcher.ResponseData['headers'], limiter: ReturnType<typeof hostLimiter>): HttpError {
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers['retry-after']) : undefined;
    if (retryAfterMs === undefined) return new HttpError('status', url, `HTTP ${status} from ${url}`, status);
    if (retryAfterMs > this.maxRetryAfterMs) {
      const seconds = Math.ceil(retryAfterMs / 1000);
      return new HttpError(
        'status',
        url,
        `HTTP ${status} from ${url}: the server asked to wait ${seconds} s (Retry-After), longer than maxRetryAfterMs (${this.maxRetryAfterMs} ms)`,
        status,
        { retryAfterMs, final: true },
      );
    }
    // Set before this request's slot is released, so nobody slips in meanwhile.
    limiter.pauseFor(retryAfterMs);
    return new HttpError('status', url, `HTTP ${status} from ${url} (Retry-After: ${Math.ceil(retryAfterMs / 1000)} s)`, status, { retryAfterMs });
  }

  private async readCapped(res: Dispatcher.ResponseData, url: string): Promise<Buffer> {
    const cap = this.options.maxResponseBytes;
    const tooLarge = (detail: string): HttpError => {
      // Cutting the stream makes it emit an abort error; nobody else listens, so swallow it here.
      res.body.on('error', () => undefined);
      res.body.destroy();
      return new HttpError('too-large', url, `response ${detail} exceeds the cap of ${cap} bytes`);
    };
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) throw tooLarge(`of ${declared} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > cap) throw tooLarge(`body`);
      chunks.push(buffer);
    }
    return Buffer.concat(chunks, total);
  }

  private classify(err: unknown, url: string, callerSignal: AbortSignal | undefined, own: AbortSignal): Error {
    if (err instanceof HttpError || err instanceof MalformedBodyError) return err;
    if (callerSignal?.aborted) return cancelled(url, err);
    if (own.aborted && own.reason === DEADLINE) {
      return new HttpError('timeout', url, `no complete response from ${url} within ${this.options.timeoutMs} ms`, undefined, { cause: err });
    }
    const blocked = findCause(err, (e) => e instanceof BlockedAddressError);
    if (blocked) return new HttpError('blocked-address', url, blocked.message, undefined, { cause: err });
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('UND_ERR_') && code.includes('TIMEOUT')) {
      return new HttpError('timeout', url, `timed out talking to ${url} (${code})`, undefined, { cause: err });
    }
    return new HttpError('network', url, `cannot fetch ${url}: ${(err as Error).message}${code ? ` (${code})` : ''}`, undefined, { cause: err });
  }
}

/** The source answered, but what it sent cannot be read. */
/**
 * A body that is not what its format says (JSON that does not parse). The message names the
 * source when the thrower knows it, and always the URL: `<source>: <url>: <problem>`, one line.
 */
export class MalformedBodyError extends Error {
  constructor(
    readonly url: string,
    problem: string,
    readonly sourceId?: string,
  ) {
    super(`${sourceId === undefined ? '' : `${sourceId}: `}${url}: ${oneLine(problem)}`);
    this.name = 'MalformedBodyError';
  }
}

/** A parser's message may quote the body, line breaks and all: an operator's message is one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function cancelled(url: string, cause?: unknown): HttpError {
  return new HttpError('cancelled', url, `request to ${url} cancelled`, undefined, cause === undefined ? undefined : { cause });
}

function parseTarget(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpError('bad-url', url, `not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HttpError('bad-url', url, `only http and https URLs are fetched, not ${parsed.protocol}`);
  }
  return parsed;
}

/**
 * `https://user:password@host/…` means HTTP Basic authentication, as for curl and browsers;
 * undici would drop the user information silently. The redirect interceptor drops the header
 * when a redirect leaves the origin.
 */
function basicCredentials(target: URL): string | undefined {
  if (!target.username && !target.password) return undefined;
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  return `Basic ${Buffer.from(`${decode(target.username)}:${decode(target.password)}`).toString('base64')}`;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function validatorsOf(headers: Dispatcher.ResponseData['headers']): Validators {
  const validators: Validators = {};
  const etag = firstHeader(headers['etag']);
  const lastModified = firstHeader(headers['last-modified']);
  if (etag) validators.etag = etag;
  if (lastModified) validators.lastModified = lastModified;
  return validators;
}

/** Retry-After as delta-seconds or an HTTP-date, in ms from now (never negative); undefined if absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = firstHeader(value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // All three HTTP-date forms start with a day name; Date.parse alone would take "-5" as a year.
  if (!/^[A-Za-z]{3,9},?\s/.test(text)) return undefined;
  // asctime carries no zone, but every HTTP-date is GMT.
  const date = Date.parse(/(GMT|UTC)$/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function findCause(err: unknown, test: (e: unknown) => boolean): Error | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (test(current)) return current as Error;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
