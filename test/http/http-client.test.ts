import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import t from 'tap';
import { isPublicAddress } from '../../src/http/address-guard.js';
import { HttpClient, HttpError, MalformedBodyError } from '../../src/http/http-client.js';
import { rejection, serveLoopback } from '../helpers/loopback.js';

const limits = {
  timeoutMs: 2000,
  connectTimeoutMs: 1000,
  maxResponseBytes: 10_000,
  retries: 2,
  retryBaseDelayMs: 5,
  allowPrivateAddresses: true,
  userAgent: 'ogd-gateway-test',
};

const serve = async (...args: Parameters<typeof serveLoopback>): Promise<string> => (await serveLoopback(...args)).url;

t.test('a body that drips slowly is cut at the deadline', async (t) => {
  const url = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  });
  const client = new HttpClient({ ...limits, timeoutMs: 400, retries: 0 });
  t.teardown(() => client.close());
  const started = Date.now();
  const err = await rejection(client.get(url));
  t.type(err, HttpError);
  t.equal(err.kind, 'timeout');
  t.ok(Date.now() - started < 1500, 'did not wait for the body to end');
});

t.test('headers that never come time out', async (t) => {
  const url = await serve(t, () => {
    /* never answers */
  });
  const client = new HttpClient({ ...limits, timeoutMs: 300, retries: 0 });
  t.teardown(() => client.close());
  t.equal((await rejection(client.get(url))).kind, 'timeout');
});

t.test('an oversize body is refused, declared or streamed', async (t) => {
  const big = 'x'.repeat(20_000);
  const url = await serve(t, (req, res) => {
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-length': String(big.length) });
      res.end(big);
    } else {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 20; i += 1) res.write(big.slice(0, 1000));
      res.end();
    }
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  t.equal((await rejection(client.get(`${url}/declared`))).kind, 'too-large');
  t.equal((await rejection(client.get(`${url}/chunked`))).kind, 'too-large');
});

t.test('a truncated body is a network error, not a record', async (t) => {
  const url = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('{"success":true,');
    setTimeout(() => res.destroy(), 20);
  });
  const client = new HttpClient({ ...limits, retries: 0 });
  t.teardown(() => client.close());
  const err = await rejection(client.get(url));
  t.type(err, HttpError);
  t.equal(err.kind, 'network');
});

t.test('transient failures are retried, then succeed', async (t) => {
  let calls = 0;
  const url = await serve(t, (_req, res) => {
    calls += 1;
    res.writeHead(calls < 3 ? 503 : 200);
    res.end(calls < 3 ? 'busy' : '{"ok":true}');
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  const { json } = await client.getJson(url);
  t.same(json, { ok: true });
  t.equal(calls, 3);
});

t.test('a 404 is not retried; a 500 is retried only as configured', async (t) => {
  let calls = 0;
  const url = await serve(t, (req, res) => {
    calls += 1;
    res.writeHead(req.url === '/missing' ? 404 : 500);
    res.end();
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  const missing = await rejection(client.get(`${url}/missing`));
  t.equal(missing.status, 404);
  t.equal(calls, 1);
  calls = 0;
  const broken = await rejection(client.get(`${url}/broken`));
  t.equal(broken.status, 500);
  t.equal(calls, 3, 'one try and two retries');
});

t.test('malformed JSON is a typed error', async (t) => {
  const url = await serve(t, (_req, res) => res.end('{"success": tru'));
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  const err = await rejection(client.getJson(`${url}/api/v1/list?page=2`));
  t.type(err, MalformedBodyError);
  t.match(err.message, `${url}/api/v1/list?page=2`, 'the message names the URL that answered it');
  t.match(err.message, /not valid JSON/);
  t.equal(err.message.split('\n').length, 1, 'one line');
});

t.test('private and loopback addresses are refused unless allowed', async (t) => {
  let reached = 0;
  const url = await serve(t, (_req, res) => {
    reached += 1;
    res.end('{}');
  });
  const port = new URL(url).port;
  const guarded = new HttpClient({ ...limits, allowPrivateAddresses: false, retries: 0 });
  t.teardown(() => guarded.close());
  for (const host of ['127.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]', '10.0.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0']) {
    const err = await rejection(guarded.get(`http://${host}:${port}/`));
    t.equal(err.kind, 'blocked-address', host);
  }
  t.equal(reached, 0, 'no request reached the server');
  const bad = await rejection(guarded.get('file:///etc/passwd'));
  t.equal(bad.kind, 'bad-url');
});

t.test('an IPv6 literal carrying a loopback or private IPv4 address is refused before any socket opens', async (t) => {
  let reached = 0;
  const url = await serve(t, (_req, res) => {
    reached += 1;
    res.end('{}');
  });
  const port = new URL(url).port;
  const sockets: unknown[] = [];
  const onSocket = (message: unknown): void => void sockets.push(message);
  subscribe('net.client.socket', onSocket);
  t.teardown(() => unsubscribe('net.client.socket', onSocket));
  const guarded = new HttpClient({ ...limits, allowPrivateAddresses: false, retries: 0 });
  t.teardown(() => guarded.close());
  // [::127.0.0.1] is IPv4-compatible, not loopback: Linux routes it off the machine. Should the guard
  // ever pass one of these, the test fails without sending it a packet.
  for (const host of ['[::127.0.0.1]', '[::a9fe:a9fe]', '[::a00:1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::1]']) {
    const literal = new URL(`http://${host}/`).hostname.slice(1, -1);
    if (isPublicAddress(literal)) {
      t.fail(`${host} passes the guard; not requesting it`);
      continue;
    }
    const err = await rejection(guarded.get(`http://${host}:${port}/catalogue?x=1`));
    t.equal(err.kind, 'blocked-address', host);
    t.match(err.message, /refusing to connect/, host);
  }
  t.same(sockets, [], 'no socket was opened');
  t.equal(reached, 0, 'no request reached the loopback server');
});

t.test('user information in a URL is sent as Basic authentication, and not to another origin on redirect', async (t) => {
  const seen: Array<string | undefined> = [];
  const other = await serve(t, (req, res) => {
    seen.push(`other ${req.headers.authorization ?? 'none'}`);
    res.end('{}');
  });
  const url = await serve(t, (req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? 'none'}`);
    if (req.url === '/away') res.writeHead(302, { location: `${other}/landed` }).end();
    else if (req.url === '/here') res.writeHead(302, { location: '/final' }).end();
    else res.end('{}');
  });
  const client = new HttpClient({ ...limits, retries: 0 });
  t.teardown(() => client.close());
  const withUser = url.replace('http://', 'http://ha%40rvester:p%3Ass@');
  const basic = (pair: string): string => `Basic ${Buffer.from(pair).toString('base64')}`;
  await client.get(`${withUser}/plain?api_key=k`);
  await client.get(`${url.replace('http://', 'http://token@')}/only-user`);
  await client.get(`${withUser}/explicit`, { headers: { authorization: 'Bearer mine' } });
  await client.get(`${withUser}/here`);
  await client.get(`${withUser}/away`);
  t.same(seen, [
    `/plain?api_key=k ${basic('ha@rvester:p:ss')}`,
    `/only-user ${basic('token:')}`,
    '/explicit Bearer mine',
    `/here ${basic('ha@rvester:p:ss')}`,
    `/final ${basic('ha@rvester:p:ss')}`,
    `/away ${basic('ha@rvester:p:ss')}`,
    'other none',
  ]);
});

t.test('a cancelled request says so and is not retried', async (t) => {
  const url = await serve(t, () => {
    /* never answers */
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const err = await rejection(client.get(url, { signal: controller.signal }));
  t.equal(err.kind, 'cancelled');
});

t.test('conditional GET with an ETag: validators come back, a match is a 304 with no body', async (t) => {
  const etag = '"v1-abc"';
  const seen: Array<string | undefined> = [];
  const url = await serve(t, (req, res) => {
    seen.push(req.headers['if-none-match']);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag });
    res.end('{"v":1}');
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());

  const first = await client.get(url);
  t.equal(first.status, 200);
  t.equal(first.notModified, false);
  t.equal(first.body, '{"v":1}');
  t.same(first.validators, { etag });

  const second = await client.get(url, { validators: first.validators });
  t.equal(second.status, 304);
  t.equal(second.notModified, true);
  t.equal(second.body, '');
  t.same(second.validators, { etag });

  const json = await client.getJson(url, { validators: { etag } });
  t.equal(json.response.status, 304);
  t.equal(json.response.notModified, true);
  t.equal(json.json, undefined, 'nothing parsed on a 304');

  const changed = await client.getJson(url, { validators: { etag: '"v0-old"' } });
  t.equal(changed.response.status, 200);
  t.same(changed.json, { v: 1 });
  t.same(seen, [undefined, etag, etag, '"v0-old"'], 'If-None-Match sent only when asked');
});

t.test('conditional GET with Last-Modified: If-Modified-Since gets a 304', async (t) => {
  const lastModified = 'Wed, 01 May 2024 08:00:00 GMT';
  const seen: Array<string | undefined> = [];
  const url = await serve(t, (req, res) => {
    const since = req.headers['if-modified-since'];
    seen.push(since);
    if (since !== undefined && Date.parse(since) >= Date.parse(lastModified)) {
      res.writeHead(304);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'last-modified': lastModified });
    res.end('{"v":2}');
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());

  const first = await client.getJson(url);
  t.same(first.json, { v: 2 });
  t.same(first.response.validators, { lastModified });

  const second = await client.getJson(url, { validators: first.response.validators });
  t.equal(second.response.status, 304);
  t.equal(second.response.notModified, true);
  t.equal(second.response.body, '');
  t.equal(second.json, undefined);
  t.same(second.response.validators, { lastModified }, 'a 304 without validators keeps the ones sent');
  t.same(seen, [undefined, lastModified]);
});

t.test('a response without validators says so', async (t) => {
  const url = await serve(t, (_req, res) => res.end('{}'));
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  const response = await client.get(url);
  t.same(response.validators, {});
  t.equal(response.notModified, false);
});

t.test('a host that never completes the TCP handshake hits the connect timeout', async (t) => {
  // A listener with a full accept queue that never accepts: the kernel drops further SYNs, so a
  // connect hangs exactly as it does towards a firewalled host. Python makes that listener
  // (Node accepts connections by itself); the test needs python3, which this machine kind has.
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  const listener = spawn('python3', [
    '-c',
    "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)",
  ]);
  t.teardown(() => listener.kill());
  const port = await new Promise<number>((resolve, reject) => {
    listener.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    listener.once('error', reject);
  });
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined));
  t.teardown(() => fillers.forEach((socket) => socket.destroy()));
  await new Promise((resolve) => setTimeout(resolve, 200));

  const client = new HttpClient({ ...limits, connectTimeoutMs: 300, timeoutMs: 10_000, retries: 0 });
  t.teardown(() => client.close());
  const started = Date.now();
  const err = await rejection(client.get(`http://127.0.0.1:${port}/`));
  t.equal(err.kind, 'timeout');
  t.match(err.message, /timed out|within/);
  t.ok(Date.now() - started < 4000, `gave up at the connect timeout, not the request deadline (${Date.now() - started} ms)`);
});
