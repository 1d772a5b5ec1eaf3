import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';

/**
 * Refuse connections to loopback, private, link-local and other non-public addresses
 * unless the operator allowed them: a hostile catalogue must not make the gateway probe
 * the network it runs in (SSRF). The check runs on the resolved address, at connect time,
 * so DNS answers that change between check and use cannot slip past it.
 */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`refusing to connect to ${host} (${address}, ${range} range): private addresses are not allowed for this source`);
    this.name = 'BlockedAddressError';
  }
}

/** The ipaddr.js range name of an address, looking through IPv4-mapped IPv6. */
export function addressRange(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range();
}

export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/** Throw when a literal IP host is not public (literal hosts skip DNS, so the lookup hook never sees them). */
export function assertLiteralHostAllowed(hostname: string): void {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isPublicAddress(host)) throw new BlockedAddressError(hostname, host, addressRange(host));
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A drop-in for dns.lookup that fails when any resolved address is not public. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const blocked = list.find((a) => !isPublicAddress(a.address));
    if (blocked) return callback(new BlockedAddressError(hostname, blocked.address, addressRange(blocked.address)) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    return callback(null, first.address, first.family);
  });
}

/**
 * An undici connector that applies the guard to every connection, including those a redirect
 * opens: a host name goes through guardedLookup, and an IP literal (which skips DNS, so the
 * lookup hook never sees it) is checked here.
 */
export function guardedConnector(options: { timeout: number }): buildConnector.connector {
  const connect = buildConnector({ timeout: options.timeout, lookup: guardedLookup });
  return (connectOptions, callback) => {
    try {
      assertLiteralHostAllowed(connectOptions.hostname);
    } catch (err) {
      callback(err as Error, null);
      return;
    }
    connect(connectOptions, callback);
  };
}
