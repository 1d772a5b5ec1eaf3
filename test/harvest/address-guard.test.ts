import t from 'tap';
import { addressRange, BlockedAddressError, guardedConnector, isPublicAddress } from '../../src/harvest/address-guard.js';

t.test('address ranges: only public unicast passes', async (t) => {
  for (const address of ['8.8.8.8', '140.112.1.1', '2001:4860:4860::8888']) t.ok(isPublicAddress(address), address);
  for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '255.255.255.255', '224.0.0.1']) {
    t.notOk(isPublicAddress(address), `${address} (${addressRange(address)})`);
  }
});

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
