import t from 'tap';
import { HttpClient, HttpError } from '../../src/http/http-client.js';
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

t.test('a redirect loop is a too-many-redirects error naming the URL and the limit, not an HTTP 302', async (t) => {
  let requests = 0;
  const { url } = await serveLoopback(t, (_req, res) => {
    requests += 1;
    // /loop → /loop?1 → /loop?2 … never ending.
    res.writeHead(302, { location: `/loop?${requests}` });
    res.end();
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  const err = await rejection(client.get(`${url}/loop`));
  t.type(err, HttpError);
  t.equal(err.kind, 'too-many-redirects');
  t.equal(err.status, undefined, 'no status: the source never answered the request');
  t.match(err.message, `${url}/loop`, 'names the URL asked for');
  t.match(err.message, /\b5 redirects\b/, 'names the limit');
  t.notMatch(err.message, /HTTP 302/);
  t.equal(err.transient, false, 'not retried: the loop will still be there');
  t.equal(requests, 6, 'the first request and five redirects, once');
});

t.test('a chain within the limit is followed', async (t) => {
  const { url } = await serveLoopback(t, (req, res) => {
    const hop = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hop') ?? 0);
    if (hop < 5) {
      res.writeHead(301, { location: `/?hop=${hop + 1}` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  const client = new HttpClient(limits);
  t.teardown(() => client.close());
  const { json } = await client.getJson(url);
  t.same(json, { ok: true });
});

t.test('a 3xx without a Location is still the status it is', async (t) => {
  const { url } = await serveLoopback(t, (_req, res) => {
    res.writeHead(302);
    res.end();
  });
  const client = new HttpClient({ ...limits, retries: 0 });
  t.teardown(() => client.close());
  const err = await rejection(client.get(url));
  t.equal(err.kind, 'status');
  t.equal(err.status, 302);
});
