import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { UserError } from '../contracts/index.js';

/** One resolved address of a webhook host. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the system resolver unless a test injects one). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolveHost: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * Addresses a webhook must never reach unless allow-listed: this host, private networks, link-local
 * (cloud metadata lives at 169.254.169.254 and fd00:ec2::254), CGNAT, multicast and reserved
 * ranges, and IPv6 forms that embed an IPv4 address (::/96 holds :: and ::1 and IPv4-compatible
 * addresses; NAT64, 6to4, Teredo). BlockList matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against the
 * IPv4 rules by itself (and an IPv4 address against a ::ffff:0:0/96 rule, so there is none).
 */
const FORBIDDEN: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 32, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const forbidden = new BlockList();
for (const [net, prefix, type] of FORBIDDEN) forbidden.addSubnet(net, prefix, type);

/** The CIDRs an operator allows despite the rules above (e.g. `10.20.0.0/16` for an in-house receiver). */
export class TargetAllowList {
  private readonly list = new BlockList();
  readonly cidrs: readonly string[];

  constructor(cidrs: readonly string[] = []) {
    this.cidrs = cidrs;
    for (const cidr of cidrs) {
      const [net = '', bits, extra] = cidr.trim().split('/');
      const type = isIP(net);
      const prefix = bits === undefined ? (type === 6 ? 128 : 32) : Number(bits);
      if (
        type === 0 ||
        extra !== undefined ||
        !Number.isInteger(prefix) ||
        prefix < 0 ||
        prefix > (type === 6 ? 128 : 32)
      )
        throw new UserError('INVALID_CONFIG', `webhook allow-list entry "${cidr}" is not an IP or CIDR.`);
      this.list.addSubnet(net, prefix, type === 6 ? 'ipv6' : 'ipv4');
    }
  }

  allows(address: string): boolean {
    return this.cidrs.length > 0 && this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Whether a webhook may connect to this address. */
export function addressAllowed(address: string, allow: TargetAllowList): boolean {
  const type = isIP(address);
  if (type === 0) return false;
  if (allow.allows(address)) return true;
  return !forbidden.check(address, type === 6 ? 'ipv6' : 'ipv4');
}

export type TargetCheck =
  { ok: true; addresses: ResolvedAddress[] } | { ok: false; reason: 'refused' | 'unresolvable' };

/**
 * Resolves a webhook URL's host and checks every address it resolves to: one forbidden address
 * refuses the whole target (an attacker's DNS may answer both). The WHATWG URL parser has already
 * normalised odd IPv4 spellings (0x7f000001, 2130706433, 0177.0.0.1, 127.1) to dotted form.
 */
export async function checkTarget(
  url: URL,
  allow: TargetAllowList,
  resolveHost: ResolveHost,
): Promise<TargetCheck> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await resolveHost(host);
    } catch {
      return { ok: false, reason: 'unresolvable' };
    }
    if (addresses.length === 0) return { ok: false, reason: 'unresolvable' };
  }
  return addresses.every((a) => addressAllowed(a.address, allow))
    ? { ok: true, addresses }
    : { ok: false, reason: 'refused' };
}

/**
 * A URL as it may be shown: user:password@ and every query value replaced, so a secret embedded
 * in the URL never reaches an API answer, a dead letter or a log line.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[invalid url]';
  }
  if (url.username || url.password) {
    url.username = 'redacted';
    url.password = '';
  }
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, 'redacted');
  return url.toString();
}
