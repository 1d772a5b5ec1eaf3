/**
 * The addresses a key may push from (the spec has agencies register their source IP): CIDR
 * ranges, IPv4 and IPv6, checked with node:net's BlockList. A bare address is a /32 (or /128).
 * An IPv4 client seen on a dual-stack socket as ::ffff:a.b.c.d matches its IPv4 range.
 */
import { BlockList, isIP } from 'node:net';

export class AllowlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowlistError';
  }
}

/** A CIDR range in its normal written form (`203.0.113.0/24`, `2001:db8::/32`); throws AllowlistError. */
export function normaliseCidr(text: string): string {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) throw new AllowlistError(`not an IPv4 or IPv6 address or CIDR range: ${JSON.stringify(text)}`);
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new AllowlistError(`the prefix length of ${JSON.stringify(text)} must be 0–${bits}`);
  }
  return `${address.toLowerCase()}/${prefix}`;
}

/** A test of client addresses against ranges; an empty list allows every address. */
export function addressAllowlist(cidrs: readonly string[]): (address: string) => boolean {
  if (cidrs.length === 0) return () => true;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = normaliseCidr(cidr).split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
