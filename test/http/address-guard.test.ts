import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { LookupAddress } from 'node:dns';
import t from 'tap';
import {
  addressRange,
  assertLiteralHostAllowed,
  BlockedAddressError,
  createGuardedLookup,
  guardedConnector,
  isPublicAddress,
  type ResolveAll,
} from '../../src/http/address-guard.js';

t.test('address ranges: only public unicast passes', async (t) => {
  for (const address of ['8.8.8.8', '140.112.1.1', '2001:4860:4860::8888']) t.ok(isPublicAddress(address), address);
  for (const address of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fc00::1',
    '::ffff:10.0.0.1',
    '255.255.255.255',
    '224.0.0.1',
  ]) {
    t.notOk(isPublicAddress(address), `${address} (${addressRange(address)})`);
  }
});

// IPv6 forms that carry an IPv4 address, each judged by the IPv4 address it carries.
const embeddedBlocked: [address: string, range: string][] = [
  // IPv4-compatible ::/96 (deprecated, but still parsed and routed): the URL parser writes [::127.0.0.1] as [::7f00:1]
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::a9fe:a9fe', 'linkLocal'],
  ['::169.254.169.254', 'linkLocal'],
  ['::a00:1', 'private'],
  ['::c0a8:101', 'private'],
  ['::ac10:1', 'private'],
  ['::6440:1', 'carrierGradeNat'],
  ['::e000:1', 'multicast'],
  ['::ffff', 'unspecified'],
  ['0:0:0:0:0:0:7f00:1', 'loopback'],
  // IPv4-mapped ::ffff:0:0/96 and IPv4-translated ::ffff:0:0:0/96
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'linkLocal'],
  ['::ffff:0:a00:1', 'private'],
  ['::ffff:0:127.0.0.1', 'loopback'],
  // NAT64 well-known prefix 64:ff9b::/96 and local-use 64:ff9b:1::/48
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::169.254.169.254', 'linkLocal'],
  ['64:ff9b:1::a00:1', 'private'],
  ['64:ff9b:1:a08:8:808:808:808', 'private'], // 8.8.8.8 read as /56, /64 or /96, but 10.8.8.8 as /48
  // 6to4 2002::/16: the IPv4 address is bits 16-47
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::', 'linkLocal'],
  ['2002:c0a8:101:1::1', 'private'],
  // Teredo 2001::/32: server in bits 32-63, client inverted in the last 32 bits
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'],
  ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'],
  ['2001:0:4136:e378:8000:63bf:5601:5601', 'linkLocal'],
  ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'private'],
];

const embeddedPublic = [
  '::808:808',
  '::8.8.8.8',
  '::ffff:8.8.8.8',
  '::ffff:0:8c70:101',
  '64:ff9b::8.8.8.8',
  '64:ff9b:1:808:8:808:808:808',
  '2002:808:808::1',
  '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
];

t.test('IPv6 forms that embed an IPv4 address are judged by the address they embed', async (t) => {
  for (const [address, range] of embeddedBlocked) {
    t.notOk(isPublicAddress(address), `${address} is not public`);
    t.equal(addressRange(address), range, `${address} is in the ${range} range`);
  }
  for (const address of embeddedPublic) t.ok(isPublicAddress(address), `${address} (${addressRange(address)}) is public`);
});

t.test('every other special range stays blocked: only unicast is public', async (t) => {
  const special = [
    '::',
    '::1',
    '0.1.2.3',
    '192.0.0.8',
    '192.0.2.1',
    '198.18.0.1',
    '198.51.100.1',
    '203.0.113.1',
    '192.88.99.1',
    '240.0.0.1',
    '192.175.48.1',
    '192.52.193.1',
    '2001:db8::1',
    '100::1',
    'fec0::1',
    'fe80::1%eth0',
    'ff02::1',
    'fd12:3456::1',
    '2001:2::1',
    '2001:3::1',
    '2001:10::1',
    '2001:20::1',
    '2001:30::1',
    '2001:4:112::1',
    '2620:4f:8000::1',
    '5f00::1',
    '3fff::1',
    '2001:1::1',
  ];
  for (const address of special) t.notOk(isPublicAddress(address), `${address} (${addressRange(address)})`);
});

t.test('IP literal hosts carrying a private IPv4 address are refused, naming the address they carry', async (t) => {
  for (const hostname of ['[::127.0.0.1]', '[::7f00:1]', '[::a9fe:a9fe]', '[64:ff9b::a00:1]', '[2002:7f00:1::]', '[2001:0:4136:e378:8000:63bf:80ff:fffe]']) {
    t.throws(() => assertLiteralHostAllowed(hostname), BlockedAddressError, hostname);
  }
  const err = catching(() => assertLiteralHostAllowed('[::a9fe:a9fe]'));
  t.match(err?.message, /169\.254\.169\.254/, 'the message names the embedded IPv4 address');
  t.match(err?.message, /allowPrivateAddresses/, 'and says how to allow it');
  for (const hostname of ['[2001:4860:4860::8888]', '[64:ff9b::808:808]', '8.8.8.8', 'example.org', '[::808:808]']) {
    t.doesNotThrow(() => assertLiteralHostAllowed(hostname), hostname);
  }
});

function catching(fn: () => void): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

t.test('the connector refuses IP literals itself, as a redirect to one would reach it', async (t) => {
  const connect = guardedConnector({ timeout: 1000 });
  for (const hostname of ['127.0.0.1', '[::1]', '10.0.0.8', '[::ffff:192.168.1.1]']) {
    const err = await new Promise<Error | null>((resolve) => connect({ hostname, protocol: 'http:', port: '80' }, (...args) => resolve(args[0])));
    t.type(err, BlockedAddressError, hostname);
  }
});

t.test('the connector refuses host names that resolve to private addresses', async (t) => {
  const connect = guardedConnector({ timeout: 1000 });
  const err = await new Promise<Error | null>((resolve) => connect({ hostname: 'localhost', protocol: 'http:', port: '9' }, (...args) => resolve(args[0])));
  t.type(err, BlockedAddressError);
  t.match(err!.message, /refusing to connect to localhost/);
});

/** A resolver that answers `addresses` for any name, so no DNS query (nor any packet) is sent. */
const answering =
  (...addresses: string[]): ResolveAll =>
  (_hostname, _options, callback) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

function lookUp(resolve: ResolveAll, all: boolean): Promise<{ err: Error | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((done) => createGuardedLookup(resolve)('catalogue.example', { all }, (err, address, family) => done({ err, address, family })));
}

t.test('a host name resolving to an IPv6 form of a private IPv4 address is refused', async (t) => {
  for (const address of ['::a9fe:a9fe', '::ffff:a00:1', '64:ff9b::7f00:1', '2002:c0a8:101::1', '2001:0:4136:e378:8000:63bf:80ff:fffe']) {
    const { err } = await lookUp(answering('2001:4860:4860::8888', address), false);
    t.type(err, BlockedAddressError, address);
    t.match(err?.message, /refusing to connect to catalogue\.example/);
  }
  const metadata = await lookUp(answering('::169.254.169.254'), true);
  t.match(metadata.err?.message, /IPv4-compatible form of 169\.254\.169\.254, linkLocal range/);
});

t.test('a host name resolving only to public addresses passes, in either lookup shape', async (t) => {
  const one = await lookUp(answering('64:ff9b::808:808', '8.8.4.4'), false);
  t.same(one, { err: null, address: '64:ff9b::808:808', family: 6 });
  const all = await lookUp(answering('2002:808:808::1', '8.8.4.4'), true);
  t.equal(all.err, null);
  t.same(all.address, [
    { address: '2002:808:808::1', family: 6 },
    { address: '8.8.4.4', family: 4 },
  ]);
  const failing: ResolveAll = (_hostname, _options, callback) => callback(Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' }), []);
  t.match((await lookUp(failing, false)).err, { code: 'ENOTFOUND' }, 'a DNS failure is passed on as it is');
});

t.test('the connector refuses IPv6 literals carrying a private IPv4 address before opening a socket', async (t) => {
  const sockets: unknown[] = [];
  const onSocket = (message: unknown): void => void sockets.push(message);
  subscribe('net.client.socket', onSocket);
  t.teardown(() => unsubscribe('net.client.socket', onSocket));
  const connect = guardedConnector({ timeout: 1000 });
  for (const hostname of ['[::7f00:1]', '[::a9fe:a9fe]', '[::a00:1]', '[64:ff9b::a9fe:a9fe]', '[2002:a00:1::1]', '[2001:0:4136:e378:8000:63bf:5601:5601]']) {
    // These are not loopback: should the guard ever let one through, the test must not send it a packet.
    if (isPublicAddress(hostname.slice(1, -1))) {
      t.fail(`${hostname} passes the guard; not connecting to prove it`);
      continue;
    }
    const err = await new Promise<Error | null>((resolve) => connect({ hostname, protocol: 'http:', port: '80' }, (...args) => resolve(args[0])));
    t.type(err, BlockedAddressError, hostname);
  }
  t.same(sockets, [], 'no socket was opened');
});
