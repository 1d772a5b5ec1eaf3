import t from 'tap';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostLimiterSnapshot } from '../../src/http/host-limiter.js';
import { HttpClient, HttpError, parseRetryAfter } from '../../src/http/http-client.js';
import { rejection, serveLoopback } from '../helpers/loopback.js';

const limits = {
  timeoutMs: 2000,
  connectTimeoutMs: 1000,
  maxResponseBytes: 10_000,
  retries: 2,
  retryBaseDelayMs: 5,
  allowPrivateAddresses: true,
  maxConcurrentPerHost: 4,
  minIntervalMs: 0,
  maxRetryAfterMs: 120_000,
  userAgent: 'ogd-gateway-test',
};

type Teardown = { teardown(fn: () => unknown): void };

const serve = serveLoopback;

/** A server that counts requests in flight (and the most at once), answering each after `delayMs`. */
async function countingServer(t: Teardown, delayMs: number): Promise<{ url: string; host: string; stats: { inFlight: number; max: number; total: number } }> {
  const stats = { inFlight: 0, max: 0, total: 0 };
  const { url, host } = await serve(t, (_req, res) => {
    stats.inFlight += 1;
    stats.total += 1;
    stats.max = Math.max(stats.max, stats.inFlight);
    setTimeout(() => {
      stats.inFlight -= 1;
      res.end('{}');
    }, delayMs);
  });
  return { url, host, stats };
}

function client(t: Teardown, overrides: Partial<typeof limits> = {}): HttpClient {
  const http = new HttpClient({ ...limits, ...overrides });
  t.teardown(() => http.close());
  return http;
}

t.test('at most maxConcurrentPerHost requests are in flight to one host', async (t) => {
  const { url, host, stats } = await countingServer(t, 30);
  const http = client(t, { maxConcurrentPerHost: 3 });
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => http.get(`${url}/r${i}`)));
  t.equal(responses.length, 20);
  t.ok(responses.every((r) => r.status === 200));
  t.equal(stats.total, 20);
  t.equal(stats.max, 3, 'the cap is reached and never exceeded');
  t.same(hostLimiterSnapshot(host), { active: 0, waiting: 0, pausedForMs: 0 }, 'every slot is back');
});

t.test('without a tight cap the same load runs wider (the limiter is what held it)', async (t) => {
  const { url, stats } = await countingServer(t, 30);
  const http = client(t, { maxConcurrentPerHost: 64 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => http.get(`${url}/r${i}`)));
  t.ok(stats.max > 3, `max in flight ${stats.max}`);
});

t.test('the cap is shared by every client of the process', async (t) => {
  const { url, stats } = await countingServer(t, 20);
  const a = client(t, { maxConcurrentPerHost: 2 });
  const b = client(t, { maxConcurrentPerHost: 2 });
  await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).get(`${url}/r${i}`)));
  t.equal(stats.total, 10);
  t.equal(stats.max, 2);
});

t.test('waiting requests start in the order they asked (FIFO)', async (t) => {
  const order: string[] = [];
  const { url } = await serve(t, (req, res) => {
    order.push(req.url ?? '');
    setTimeout(() => res.end('{}'), 10);
  });
  const http = client(t, { maxConcurrentPerHost: 1 });
  const paths = Array.from({ length: 8 }, (_, i) => `/n${i}`);
  await Promise.all(paths.map((path) => http.get(`${url}${path}`)));
  t.same(order, paths);
});

t.test('request starts to one host are at least minIntervalMs apart', async (t) => {
  const starts: number[] = [];
  const { url } = await serve(t, (_req, res) => {
    starts.push(performance.now());
    res.end('{}');
  });
  const http = client(t, { minIntervalMs: 80 });
  const began = performance.now();
  await Promise.all(Array.from({ length: 5 }, (_, i) => http.get(`${url}/r${i}`)));
  t.equal(starts.length, 5);
  const gaps = starts.slice(1).map((s, i) => s - (starts[i] as number));
  // Slack for the loopback hop between the client's start and the server's clock (jitter on a busy machine).
  t.ok(
    gaps.every((gap) => gap >= 60),
    `gaps ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`,
  );
  t.ok((starts[4] as number) - (starts[0] as number) >= 4 * 80 - 15, 'five starts span four intervals');
  t.ok(performance.now() - began >= 4 * 80, 'and the client took at least that long');
  t.ok(performance.now() - began < 2000, 'and not much more');
});

t.test('two hosts do not block each other', async (t) => {
  const held: ServerResponse[] = [];
  const slow = await serve(t, (_req, res) => {
    held.push(res);
  });
  const fast = await serve(t, (_req, res) => res.end('{}'));
  const http = client(t, { maxConcurrentPerHost: 1, minIntervalMs: 10_000 });
  const first = http.get(`${slow.url}/a`);
  const controller = new AbortController();
  const second = http.get(`${slow.url}/b`, { signal: controller.signal });
  await sleep(30);
  t.match(hostLimiterSnapshot(slow.host), { active: 1, waiting: 1 });
  const started = performance.now();
  const other = await http.get(`${fast.url}/c`);
  t.equal(other.status, 200);
  t.ok(performance.now() - started < 500, 'the other host answered while the first was full and in its interval');
  // Let the slow host go: free its held request, and cancel the one still waiting out the interval.
  for (const res of held) res.end('{}');
  t.equal((await first).status, 200);
  controller.abort();
  t.equal((await rejection(second)).kind, 'cancelled');
  t.equal(held.length, 1, 'the second request to the slow host never started');
});

t.test('429 with Retry-After in seconds: waits, then succeeds; the host is paused for everyone', async (t) => {
  let pausedAt = 0;
  const arrivals: Array<[string, number]> = [];
  const { url } = await serve(t, (req, res) => {
    arrivals.push([req.url ?? '', performance.now()]);
    if (req.url === '/limited' && pausedAt === 0) {
      pausedAt = performance.now();
      res.writeHead(429, { 'retry-after': '1' });
      res.end('slow down');
      return;
    }
    res.end('{"ok":true}');
  });
  const a = client(t);
  const b = client(t);
  const started = performance.now();
  const limited = a.getJson(`${url}/limited`);
  await sleep(100);
  const other = await b.get(`${url}/other`);
  t.equal(other.status, 200);
  const { json } = await limited;
  const elapsed = performance.now() - started;
  t.same(json, { ok: true });
  t.ok(elapsed >= 950 && elapsed < 3000, `waited ${elapsed.toFixed(0)} ms`);
  const otherAt = arrivals.find(([path]) => path === '/other')?.[1] ?? 0;
  t.ok(otherAt - pausedAt >= 950, `another client's request waited out the pause too (${(otherAt - pausedAt).toFixed(0)} ms)`);
  t.equal(arrivals.filter(([path]) => path === '/limited').length, 2, 'one retry');
});

t.test('503 with Retry-After as an HTTP-date', async (t) => {
  let calls = 0;
  let askedUntil = 0;
  const { url } = await serve(t, (_req, res) => {
    calls += 1;
    if (calls === 1) {
      const when = new Date(Date.now() + 1500).toUTCString();
      askedUntil = Date.parse(when);
      res.writeHead(503, { 'retry-after': when });
      res.end();
      return;
    }
    res.end('{"ok":true}');
  });
  const http = client(t);
  const response = await http.get(url);
  t.equal(response.status, 200);
  t.equal(calls, 2);
  t.ok(Date.now() >= askedUntil - 20, 'the retry came no earlier than the date asked');
});

t.test('Retry-After beyond maxRetryAfterMs fails fast, naming the wait', async (t) => {
  let calls = 0;
  const { url, host } = await serve(t, (req, res) => {
    calls += 1;
    if (req.url === '/busy') {
      res.writeHead(503, { 'retry-after': '300' });
      res.end();
      return;
    }
    res.end('{}');
  });
  const http = client(t, { maxRetryAfterMs: 5000 });
  const started = performance.now();
  const err = await rejection(http.get(`${url}/busy`));
  t.type(err, HttpError);
  t.equal(err.kind, 'status');
  t.equal(err.status, 503);
  t.match(err.message, /asked to wait 300 s/);
  t.equal(err.transient, false);
  t.equal(calls, 1, 'not retried');
  t.ok(performance.now() - started < 500, 'failed at once');
  t.equal(hostLimiterSnapshot(host)?.pausedForMs, 0, 'a refused pause does not stall the host');
  t.equal((await http.get(`${url}/ok`)).status, 200);

  // A 429 too.
  const tooLong = await serve(t, (_req, res) => {
    res.writeHead(429, { 'retry-after': '7200' });
    res.end();
  });
  const err429 = await rejection(client(t).get(tooLong.url));
  t.equal(err429.status, 429);
  t.match(err429.message, /asked to wait 7200 s/);
});

t.test('Retry-After values are read as seconds or HTTP-dates', async (t) => {
  const now = Date.parse('2024-05-01T00:00:00Z');
  t.equal(parseRetryAfter('120', now), 120_000);
  t.equal(parseRetryAfter(' 0 ', now), 0);
  t.equal(parseRetryAfter('Wed, 01 May 2024 00:00:30 GMT', now), 30_000);
  t.equal(parseRetryAfter('Tue, 30 Apr 2024 00:00:00 GMT', now), 0, 'a date in the past: no wait');
  t.equal(parseRetryAfter('soon', now), undefined);
  t.equal(parseRetryAfter(undefined, now), undefined);
  t.equal(parseRetryAfter('-5', now), undefined);
  t.equal(parseRetryAfter('2024', now), 2024_000, 'digits are seconds, not a year');
  t.equal(parseRetryAfter('Wednesday, 01-May-24 00:01:00 GMT', now), 60_000, 'RFC 850 form');
  t.equal(parseRetryAfter('Wed May  1 00:00:10 2024', now), 10_000, 'asctime form, read as GMT');
});

t.test('an abort while waiting in the host queue rejects at once and takes nothing', async (t) => {
  const held: ServerResponse[] = [];
  const seen: string[] = [];
  let inFlight = 0;
  let max = 0;
  const { url, host } = await serve(t, (req, res) => {
    seen.push(req.url ?? '');
    inFlight += 1;
    max = Math.max(max, inFlight);
    res.on('close', () => (inFlight -= 1));
    if (req.url === '/slow') held.push(res);
    else res.end('{}');
  });
  const http = client(t, { maxConcurrentPerHost: 1 });
  const first = http.get(`${url}/slow`);
  await sleep(30);
  const controller = new AbortController();
  const queued = http.get(`${url}/queued`, { signal: controller.signal });
  await sleep(30);
  t.same(hostLimiterSnapshot(host), { active: 1, waiting: 1, pausedForMs: 0 });
  const abortedAt = performance.now();
  controller.abort();
  const err = await rejection(queued);
  t.equal(err.kind, 'cancelled');
  t.ok(performance.now() - abortedAt < 100, 'promptly');
  t.same(hostLimiterSnapshot(host), { active: 1, waiting: 0, pausedForMs: 0 }, 'the running request still holds the only slot');

  const already = new AbortController();
  already.abort();
  t.equal((await rejection(http.get(`${url}/never`, { signal: already.signal }))).kind, 'cancelled');
  t.same(hostLimiterSnapshot(host), { active: 1, waiting: 0, pausedForMs: 0 });

  for (const res of held) res.end('{}');
  t.equal((await first).status, 200);
  t.equal((await http.get(`${url}/after`)).status, 200);
  t.same(seen, ['/slow', '/after'], 'neither cancelled request reached the server');
  t.equal(max, 1);
  t.same(hostLimiterSnapshot(host), { active: 0, waiting: 0, pausedForMs: 0 });
});

t.test('slots come back after timeouts, errors and cancellations', async (t) => {
  const { url, host } = await serve(t, (req, res) => {
    if (req.url === '/hang') return;
    if (req.url === '/500') {
      res.writeHead(500);
      res.end();
      return;
    }
    if (req.url === '/reset') {
      res.destroy();
      return;
    }
    if (req.url === '/big') {
      res.end('x'.repeat(20_000));
      return;
    }
    res.end('{}');
  });
  const http = client(t, { maxConcurrentPerHost: 1, timeoutMs: 200, retries: 0 });
  t.equal((await rejection(http.get(`${url}/hang`))).kind, 'timeout');
  t.equal((await http.get(`${url}/ok`)).status, 200);
  t.equal((await rejection(http.get(`${url}/500`))).status, 500);
  t.equal((await http.get(`${url}/ok`)).status, 200);
  t.equal((await rejection(http.get(`${url}/reset`))).kind, 'network');
  t.equal((await http.get(`${url}/ok`)).status, 200);
  t.equal((await rejection(http.get(`${url}/big`))).kind, 'too-large');
  t.equal((await http.get(`${url}/ok`)).status, 200);
  t.equal((await rejection(http.getJson(`${url}/500`))).status, 500);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  t.equal((await rejection(http.get(`${url}/hang`, { signal: controller.signal }))).kind, 'cancelled');
  t.equal((await http.get(`${url}/ok`)).status, 200);
  t.same(hostLimiterSnapshot(host), { active: 0, waiting: 0, pausedForMs: 0 });

  // With retries, the slot is not held through the backoff: another request runs meanwhile.
  // Backoffs of 200-400 then 400-800 ms: had the slot been held, /ok would wait 550 ms or more.
  const retrying = client(t, { maxConcurrentPerHost: 1, retries: 2, retryBaseDelayMs: 400 });
  const failing = rejection(retrying.get(`${url}/500`));
  await sleep(50);
  const started = performance.now();
  t.equal((await retrying.get(`${url}/ok`)).status, 200);
  t.ok(performance.now() - started < 300, 'ran during the backoff');
  t.equal((await failing).status, 500);
  t.same(hostLimiterSnapshot(host), { active: 0, waiting: 0, pausedForMs: 0 });
});

t.test('many requests sharing one signal raise no listener warning', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  process.on('warning', onWarning);
  t.teardown(() => {
    process.off('warning', onWarning);
  });
  const { url } = await countingServer(t, 5);
  const http = client(t, { maxConcurrentPerHost: 8 });
  const controller = new AbortController();
  await Promise.all(Array.from({ length: 40 }, (_, i) => http.get(`${url}/r${i}`, { signal: controller.signal })));
  await sleep(10);
  t.same(
    warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
    [],
  );
});
