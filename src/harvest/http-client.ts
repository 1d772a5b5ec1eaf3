import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { HttpLimits } from '../config/types.js';
import { BlockedAddressError, guardedConnector } from './address-guard.js';

export type HttpErrorKind = 'status' | 'timeout' | 'too-large' | 'network' | 'blocked-address' | 'cancelled' | 'bad-url';

/** A failed request, typed so run reports can group failures by cause. */
export class HttpError extends Error {
  constructor(
    readonly kind: HttpErrorKind,
    readonly url: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }

  /** Worth another attempt: the source may answer next time. */
  get transient(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    return this.kind === 'status' && this.status !== undefined && (this.status >= 500 || this.status === 429 || this.status === 408);
  }
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface GetOptions {
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for a vanished record). */
  acceptStatuses?: readonly number[];
}

export interface HttpClientOptions extends HttpLimits {
  userAgent: string;
}

/**
 * The only way connectors reach the network. Every request has a deadline covering connect,
 * headers and body (a source that drips a byte a second cannot hold a run forever), a size
 * cap enforced while streaming, the private-address guard, and bounded retries with
 * exponential backoff and jitter for transient failures.
 */
export class HttpClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: HttpClientOptions) {
    const agent = new Agent({
      connect: options.allowPrivateAddresses ? { timeout: options.connectTimeoutMs } : guardedConnector({ timeout: options.connectTimeoutMs }),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 5 }));
  }

  async get(url: string, options: GetOptions = {}): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.getOnce(url, options);
      } catch (err) {
        if (!(err instanceof HttpError) || !err.transient || attempt >= this.options.retries) throw err;
        if (options.signal?.aborted) throw err;
        await sleep(this.backoffDelay(attempt), undefined, { signal: options.signal }).catch(() => undefined);
      }
    }
  }

  async getJson(url: string, options: GetOptions = {}): Promise<{ response: HttpResponse; json: unknown }> {
    const response = await this.get(url, { ...options, headers: { accept: 'application/json', ...options.headers } });
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

  private async getOnce(url: string, options: GetOptions): Promise<HttpResponse> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new HttpError('bad-url', url, `not a valid URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new HttpError('bad-url', url, `only http and https URLs are fetched, not ${parsed.protocol}`);
    }

    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: this.dispatcher,
        signal,
        headers: { 'user-agent': this.options.userAgent, ...options.headers },
      });
      const accepted = options.acceptStatuses?.includes(res.statusCode) ?? false;
      if ((res.statusCode < 200 || res.statusCode >= 300) && !accepted) {
        await res.body.dump().catch(() => undefined);
        throw new HttpError('status', url, `HTTP ${res.statusCode} from ${url}`, res.statusCode);
      }
      const body = await this.readCapped(res, url);
      return { url, status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      throw this.classify(err, url, options.signal, deadline);
    }
  }

  private async readCapped(res: Dispatcher.ResponseData, url: string): Promise<string> {
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
    return Buffer.concat(chunks, total).toString('utf8');
  }

  private classify(err: unknown, url: string, callerSignal: AbortSignal | undefined, deadline: AbortSignal): Error {
    if (err instanceof HttpError || err instanceof MalformedBodyError) return err;
    if (callerSignal?.aborted) return new HttpError('cancelled', url, `request to ${url} cancelled`, undefined, { cause: err });
    if (deadline.aborted) {
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
export class MalformedBodyError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'MalformedBodyError';
  }
}

function findCause(err: unknown, test: (e: unknown) => boolean): Error | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (test(current)) return current as Error;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
