import { isIPv4, isIPv6 } from 'node:net';

/** IPv4 as a 32-bit number, IPv6 as a 128-bit bigint; undefined when not an address. */
function v4(ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  return ip.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

function v6(ip: string): bigint | undefined {
  if (!isIPv6(ip)) return undefined;
  let text = ip.toLowerCase().split('%')[0]!;
  const tail4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail4) {
    const n = v4(tail4[1]!)!;
    text = text.slice(0, -tail4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(Number.parseInt(g || '0', 16)), 0n);
}

const v4ToText = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
function v6ToText(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - i * 16)) & 0xffffn).toString(16));
  return groups
    .join(':')
    .replace(/(^|:)0(:0)+(:|$)/, '::')
    .replace(/:::+/, '::');
}

/** The network an address sits in, as CIDR: /24 for IPv4, /48 for IPv6 (typical allocation sizes). */
export function prefixOf(ip: string, v4Bits = 24, v6Bits = 48): string | undefined {
  const a = v4(ip);
  if (a !== undefined) {
    const mask = v4Bits === 0 ? 0 : (0xffffffff << (32 - v4Bits)) >>> 0;
    return `${v4ToText((a & mask) >>> 0)}/${v4Bits}`;
  }
  const b = v6(ip);
  if (b !== undefined) {
    const mask = ((1n << BigInt(v6Bits)) - 1n) << BigInt(128 - v6Bits);
    return `${v6ToText(b & mask)}/${v6Bits}`;
  }
  return undefined;
}

/** Whether an address lies inside a CIDR prefix (either family). */
export function inPrefix(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!net || !Number.isInteger(bits)) return false;
  const a = v4(ip);
  const n4 = v4(net);
  if (a !== undefined && n4 !== undefined) {
    if (bits < 0 || bits > 32) return false;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (a & mask) >>> 0 === (n4 & mask) >>> 0;
  }
  const b = v6(ip);
  const n6 = v6(net);
  if (b !== undefined && n6 !== undefined) {
    if (bits < 0 || bits > 128) return false;
    const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
    return (b & mask) === (n6 & mask);
  }
  return false;
}

export const ipFamily = (cidrOrIp: string): 4 | 6 | undefined => {
  const ip = cidrOrIp.split('/')[0] ?? '';
  return isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined;
};
