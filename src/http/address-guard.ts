import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
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
    /** The IPv4 address an IPv6 form carries, when that is what was judged. */
    readonly embedded?: EmbeddedIPv4,
  ) {
    const carried = embedded ? `, ${embedded.form} form of ${embedded.ipv4}` : '';
    super(
      `refusing to connect to ${host} (${address}${carried}, ${range} range): private addresses are not allowed for this source ` +
        '(set allowPrivateAddresses if it is meant to be on a private network)',
    );
    this.name = 'BlockedAddressError';
  }
}

/** An IPv4 address carried inside an IPv6 one, and the name of the form that carries it. */
export interface EmbeddedIPv4 {
  form: string;
  ipv4: string;
}

/** What the guard makes of an address: its range (only `unicast` is public) and, for an IPv6 form carrying an IPv4 address, which one decided. */
export interface AddressClass {
  range: string;
  embedded?: EmbeddedIPv4;
}

/**
 * Classify an address. IPv6 forms that carry an IPv4 address are judged by that address, since
 * the packets end up there (through a kernel, a NAT64 gateway or a tunnel): IPv4-mapped
 * ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96 and
 * 64:ff9b:1::/48, 6to4 2002::/16 and Teredo 2001::/32. Where a form carries more than one
 * candidate (Teredo's server and client; the local-use NAT64 prefix, whose layout depends on the
 * prefix length its operator chose) every candidate must be public.
 */
export function classifyAddress(address: string): AddressClass {
  const parsed = ipaddr.parse(spellDottedTail(address));
  if (parsed.kind() === 'ipv4') return { range: parsed.range() };
  const v6 = parsed as ipaddr.IPv6;
  const embedding = embeddedIPv4(v6);
  if (!embedding) return { range: v6.range() };
  const candidates = embedding.candidates.map((octets) => new ipaddr.IPv4(octets));
  const decisive = candidates.find((ipv4) => ipv4.range() !== 'unicast') ?? candidates[0]!;
  return { range: decisive.range(), embedded: { form: embedding.form, ipv4: decisive.toString() } };
}

/** The range name that decides whether an address is public (`unicast`) or refused. */
export function addressRange(address: string): string {
  return classifyAddress(address).range;
}

export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/**
 * ipaddr.js reads `::a.b.c.d` as IPv4-mapped (::ffff:a.b.c.d); RFC 4291 makes it IPv4-compatible.
 * Spelling the dotted tail as two hex groups first keeps the two forms apart.
 */
function spellDottedTail(address: string): string {
  const match = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(%.*)?$/.exec(address);
  if (!match) return address;
  const octets = match.slice(2, 6).map(Number);
  if (octets.some((octet) => octet > 255)) return address; // left for ipaddr.parse to reject
  const [a, b, c, d] = octets as [number, number, number, number];
  return `${match[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${match[6] ?? ''}`;
}

type Octets = [number, number, number, number];

/** The IPv4 address(es) an IPv6 address carries, by form; undefined for a plain IPv6 address. */
function embeddedIPv4(v6: ipaddr.IPv6): { form: string; candidates: Octets[] } | undefined {
  const p = v6.parts;
  const octetsOf = (high: number, low: number): Octets => [high >> 8, high & 0xff, low >> 8, low & 0xff];
  const last32 = octetsOf(p[6]!, p[7]!);
  switch (v6.range()) {
    case 'ipv4Mapped':
      return { form: 'IPv4-mapped', candidates: [last32] };
    case 'rfc6145':
      return { form: 'IPv4-translated', candidates: [last32] };
    case 'rfc6052':
      if (p[2] === 0) return { form: 'NAT64', candidates: [last32] };
      // 64:ff9b:1::/48 is carved up locally: read the IPv4 address at each RFC 6052 position a
      // prefix of /96, /64, /56 or /48 puts it (bits 64-71 are the reserved u octet).
      return {
        form: 'local-use NAT64',
        candidates: [
          last32,
          [p[4]! & 0xff, p[5]! >> 8, p[5]! & 0xff, p[6]! >> 8],
          [p[3]! & 0xff, p[4]! & 0xff, p[5]! >> 8, p[5]! & 0xff],
          [p[3]! >> 8, p[3]! & 0xff, p[4]! & 0xff, p[5]! >> 8],
        ],
      };
    case '6to4':
      return { form: '6to4', candidates: [octetsOf(p[1]!, p[2]!)] };
    case 'teredo':
      // The client's address is stored inverted; packets go to it and to the server.
      return { form: 'Teredo', candidates: [octetsOf(~p[6]! & 0xffff, ~p[7]! & 0xffff), octetsOf(p[2]!, p[3]!)] };
    case 'unicast':
      // IPv4-compatible ::/96 (deprecated, still routed); :: and ::1 have ranges of their own.
      if (p.slice(0, 6).every((part) => part === 0)) return { form: 'IPv4-compatible', candidates: [last32] };
      return undefined;
    default:
      return undefined;
  }
}

/** Throw when a literal IP host is not public (literal hosts skip DNS, so the lookup hook never sees them). */
export function assertLiteralHostAllowed(hostname: string): void {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (!isIP(host)) return;
  const verdict = classifyAddress(host);
  if (verdict.range !== 'unicast') throw new BlockedAddressError(hostname, host, verdict.range, verdict.embedded);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;
/** dns.lookup asked for every address: what the guard resolves with. */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A drop-in for dns.lookup that fails when any address `resolve` gives is not public. */
export function createGuardedLookup(resolve: ResolveAll = dnsLookup): GuardedLookup {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, []);
      for (const { address } of list) {
        const verdict = classifyAddress(address);
        if (verdict.range !== 'unicast') {
          return callback(new BlockedAddressError(hostname, address, verdict.range, verdict.embedded) as NodeJS.ErrnoException, []);
        }
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}

/** dns.lookup, failing when any resolved address is not public. */
export const guardedLookup: GuardedLookup = createGuardedLookup();

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
