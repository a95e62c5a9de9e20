import { isIPv4, isIPv6 } from 'node:net';

// Client addresses, parsed once for everyone: detection groups accounts by network prefix and
// intel shares and matches the same prefixes, so both must agree on what a prefix is. It lives in
// text/ (canonical forms of compared values, no I/O) because that is the lowest module both
// features/ and intel/ import; contracts/ holds shapes only.

/** An address: IPv4 as a 32-bit number, IPv6 as eight 16-bit groups. */
type Address = { family: 4; value: number } | { family: 6; groups: number[] };

function v4Value(ip: string): number {
  return ip.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

function parseAddress(ip: string): Address | undefined {
  if (isIPv4(ip)) return { family: 4, value: v4Value(ip) };
  if (!isIPv6(ip)) return undefined;
  let text = ip.toLowerCase().split('%')[0]!;
  const tail4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail4) {
    const n = v4Value(tail4[1]!);
    text = text.slice(0, -tail4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const parts = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const groups = parts.map((g) => Number.parseInt(g || '0', 16));
  // An IPv4 client seen through a dual-stack socket (::ffff:a.b.c.d) is that IPv4 client.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return { family: 4, value: ((groups[6]! << 16) | groups[7]!) >>> 0 };
  return { family: 6, groups };
}

const v4Mask = (bits: number): number => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
const v4Text = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

function v6Masked(groups: number[], bits: number): number[] {
  return groups.map((g, i) => {
    const keep = Math.min(16, Math.max(0, bits - i * 16));
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
  });
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups (leftmost) as "::". */
function v6Text(groups: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * The network an address sits in, as CIDR: IPv4 /24, IPv6 /48 (typical allocation sizes, the unit
 * a proxy pool or NAT rotates within). IPv4-mapped IPv6 counts as IPv4. Null when not an address.
 */
export function ipPrefix(ip: string): string | null {
  const a = parseAddress(ip);
  if (!a) return null;
  if (a.family === 4) return `${v4Text((a.value & v4Mask(24)) >>> 0)}/24`;
  return `${v6Text(v6Masked(a.groups, 48))}/48`;
}

/** Whether an address lies inside a CIDR prefix (either family; IPv4-mapped IPv6 as IPv4). */
export function inPrefix(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!net || !Number.isInteger(bits) || bits < 0) return false;
  const a = parseAddress(ip);
  const n = parseAddress(net);
  if (!a || !n) return false;
  if (a.family === 4 && n.family === 4) {
    // A network written as IPv4-mapped IPv6 (::ffff:a.b.c.0/120) counts its bits over 128.
    const b = isIPv6(net) ? bits - 96 : bits;
    return b >= 0 && b <= 32 && (a.value & v4Mask(b)) >>> 0 === (n.value & v4Mask(b)) >>> 0;
  }
  if (a.family === 6 && n.family === 6) {
    if (bits > 128) return false;
    const x = v6Masked(a.groups, bits);
    const y = v6Masked(n.groups, bits);
    return x.every((g, i) => g === y[i]);
  }
  return false;
}

/** The address family of an address or CIDR, undefined when it is neither. */
export const ipFamily = (cidrOrIp: string): 4 | 6 | undefined => {
  const ip = cidrOrIp.split('/')[0] ?? '';
  return isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined;
};
