import { describe, expect, it } from 'vitest';
import { checkStixRegex, compileStixRegex, STIX_REGEX_LIMITS } from './stix-regex.js';

/** Whether `re` (as MATCHES reads it) matches `input`, with DistillGuard's engine. */
function matches(re: string, input: string): boolean {
  const c = compileStixRegex(re);
  if (!c.ok) throw new Error(`${re}: ${c.message}`);
  return c.regex.test(input);
}

describe('the linear-time MATCHES engine on catastrophic expressions', () => {
  const a10k = 'a'.repeat(10_000);
  // Each is exponential or high-degree polynomial for a backtracking engine on these inputs;
  // here each is one pass. The results are what PCRE (given unlimited time) answers.
  it.each([
    ['^(a+)+$', `${a10k}!`, false],
    ['^(a+)+$', a10k, true],
    ['^(a*)*$', `${a10k}!`, false],
    ['(a|aa)*b', a10k, false],
    ['(a|aa)*b', `${a10k}b`, true],
    ['^(a|aa)*$', `${a10k}!`, false],
    ['^(a|a)+$', `${a10k}!`, false],
    ['(x+x+)+y', 'x'.repeat(10_000), false],
    ['(x+x+)+y', `${'x'.repeat(10_000)}y`, true],
    [String.raw`^(\w+\s?)*$`, `${'word '.repeat(2_000)}!`, false],
    [String.raw`^(\w+\s?)*$`, 'word '.repeat(2_000), true],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', `${a10k}!`, false],
    ['(.*a){12}', a10k, true],
    ['(.*a){12}', `${'a'.repeat(11)}${'b'.repeat(9_989)}`, false],
    ['.*.*.*.*.*.*.*.*.*.*=', `${a10k}`, false],
    ['(a?){25}a{25}', 'a'.repeat(25), true],
    ['^(a?){25}a{25}$', 'a'.repeat(24), false],
    [String.raw`^(\d+)*$`, `${'1'.repeat(10_000)}x`, false],
    ['((a+)+)+b', a10k, false],
    ['^(?:a|a?)+$', `${a10k}!`, false],
    ['(?i)^(A+)+$', a10k, true],
  ] as const)('%s on %#', (re, input, expected) => {
    // The sharing check refuses most of these (for consumers with backtracking engines); the
    // engine itself evaluates them all.
    expect(matches(re, input)).toBe(expected);
  });

  it('refuses what is outside the subset, naming it', () => {
    for (const [re, reason] of [
      [String.raw`(a)\1`, /backreference/],
      ['a(?=b)', /lookaround/],
      ['(?>a+)b', /atomic group/],
      ['a++', /possessive/],
      ['(a|(?R))', /recursion/],
      ['(?(1)a|b)', /conditional/],
      [String.raw`\p{Klingon}`, /Unicode property \\p\{Klingon\}.*unknown/],
      ['(a{1000}){1000}', /more than 10000 instructions/],
      ['(abc', /never closed/],
    ] as const) {
      const c = compileStixRegex(re);
      expect(c.ok, re).toBe(false);
      if (!c.ok) expect(c.message).toMatch(reason);
      // The sharing check refuses everything the engine does.
      expect(checkStixRegex(re).ok, re).toBe(false);
    }
  });

  it('compiles what the sharing check refuses only for backtracking engines', () => {
    for (const re of ['^(a+)+$', '(a|aa)*b', '.*.*.*.*.*.*.*.*.*=']) {
      expect(checkStixRegex(re).ok).toBe(false);
      expect(compileStixRegex(re).ok).toBe(true);
    }
  });

  it('bounds the program a long expression compiles to', () => {
    expect(compileStixRegex('a'.repeat(STIX_REGEX_LIMITS.maxChars)).ok).toBe(true);
    expect(compileStixRegex('(?:a{100}){100}').ok).toBe(true);
    expect(compileStixRegex('(?:a{100}){101}').ok).toBe(false);
  });
});

describe('PCRE meanings the engine keeps (where JavaScript differs)', () => {
  it.each([
    // $ and \Z also match before a final newline; \z only at the very end.
    ['abc$', 'abc\n', true],
    ['abc$', 'abc\n\n', false],
    [String.raw`abc\Z`, 'abc\n', true],
    [String.raw`abc\z`, 'abc\n', false],
    [String.raw`\Aabc`, 'xabc', false],
    // . is everything but \n (PCRE's default newline); (?s) takes \n too.
    ['a.b', 'a\rb', true],
    ['a.b', 'a\nb', false],
    ['(?s)a.b', 'a\nb', true],
    // (?m): ^ after an inner newline (not one that ends the string), $ before any newline.
    ['(?m)^b', 'a\nb', true],
    ['(?m)^$', 'a\n', false],
    ['(?m)a$', 'a\nb', true],
    ['^b', 'a\nb', false],
    // An option inside a group lasts to the group's end, later alternatives included.
    ['(a(?i)b|c)', 'aB', true],
    ['(a(?i)b|c)', 'C', true],
    ['(a(?i)b|c)', 'Ab', false],
    ['(?i:a)b', 'AB', false],
    ['(?i)straße', 'STRASSE', false],
    ['(?i)k', '\u212a', true],
    ['(?i)[a-z]+', 'ABC', true],
    ['(?i)[^a]', 'A', false],
    // \R reads \r\n whole.
    [String.raw`^\R$`, '\r\n', true],
    [String.raw`^\R\n$`, '\r\n', false],
    [String.raw`^\R\R$`, '\n\r', true],
    // \Q…\E is literal; a quantifier after it repeats its last character.
    [String.raw`^\Q(a+)\E+$`, '(a+)))', true],
    [String.raw`\h+\v`, '\u00a0\t\u2028', true],
    ['[[:alpha:]][[:^digit:]][[:punct:]]', 'ab!', true],
    [String.raw`^\p{Greek}+\P{L}\p{Lu}\p{L&}\pN$`, 'αβ!Ab7', true],
    [String.raw`\p{^Lu}`, 'ABC', false],
    [String.raw`\x{263A}\o{101}\cA\0\x41`, '\u263aA\u0001\u0000A', true],
    [String.raw`\bfoo\b`, 'a foo.', true],
    [String.raw`\bfoo\b`, 'afoo', false],
    [String.raw`\Bfoo`, 'afoo', true],
    ['x{ y}', 'x{ y}', true],
    ['a{,2}b', 'b', true],
    ['\u{1F600}+$', '\u{1F600}\u{1F600}', true],
    ['^.$', '\u{1F600}', true],
    ['', '', true],
    ['a|', 'zzz', true],
  ] as const)('%j on %j', (re, input, expected) => {
    expect(matches(re, input)).toBe(expected);
  });
});

/** A small seeded generator (mulberry32), so a failure names a case that can be rerun. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random expressions in the subset JavaScript and PCRE read alike on inputs without newlines:
 * literals, classes, \d \w \s \b, groups, alternation, greedy and lazy quantifiers, ^ and $.
 */
function expression(next: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const ATOMS = [
    'a',
    'b',
    'c',
    'A',
    '1',
    ' ',
    '.',
    '[ab]',
    '[^a]',
    '[a-c1]',
    '[^ -]',
    String.raw`\d`,
    String.raw`\w`,
    String.raw`\s`,
    String.raw`\W`,
    String.raw`\.`,
    '-',
    '_',
  ];
  const QUANTIFIERS = ['', '', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?', '??', '{0,2}?'];
  const sequence = (): string => {
    let s = next() < 0.15 ? '^' : next() < 0.1 ? String.raw`\b` : '';
    const n = 1 + Math.floor(next() * 4);
    for (let i = 0; i < n; i++) {
      const atom =
        depth < 3 && next() < 0.25 ? `${pick(['(', '(?:'])}${expression(next, depth + 1)})` : pick(ATOMS);
      s += atom + pick(QUANTIFIERS);
    }
    return s + (next() < 0.15 ? '$' : next() < 0.05 ? String.raw`\b` : '');
  };
  const alternatives = 1 + Math.floor(next() * (depth ? 3 : 2));
  return Array.from({ length: alternatives }, sequence).join('|');
}

describe('the engine against JavaScript RegExp (differential)', () => {
  it('agrees on thousands of generated expressions and inputs', () => {
    const next = random(19);
    const alphabet = 'abcA1 _.-\tB';
    let compared = 0;
    let matched = 0;
    for (let p = 0; p < 5_000; p++) {
      const caseless = next() < 0.2;
      const re = expression(next);
      // V8 backtracks: on what the sharing check refuses (generated nested repeats), one call can
      // take minutes. The engine's own answer on those is tested above.
      if (!checkStixRegex(re).ok) continue;
      const js = new RegExp(re, caseless ? 'iu' : 'u');
      const c = compileStixRegex(caseless ? `(?i)${re}` : re);
      expect(c.ok, re).toBe(true);
      if (!c.ok) continue;
      for (let k = 0; k < 12; k++) {
        const len = Math.floor(next() * 10);
        let input = '';
        for (let j = 0; j < len; j++) input += alphabet[Math.floor(next() * alphabet.length)];
        const expected = js.test(input);
        expect(c.regex.test(input), `${caseless ? '(?i)' : ''}${re} on ${JSON.stringify(input)}`).toBe(
          expected,
        );
        compared++;
        if (expected) matched++;
      }
    }
    // Both answers are well represented.
    expect(compared).toBeGreaterThan(25_000);
    expect(matched / compared).toBeGreaterThan(0.2);
    expect(matched / compared).toBeLessThan(0.8);
  });

  it.each([
    [String.raw`.+@example\.com$`, ['alice@example.com', 'alice@example.org', '@example.com']],
    [String.raw`^Final Report.+\.exe$`, ['Final Report 2024.exe', 'Final Report.exe', 'final report x.exe']],
    [
      String.raw`^https?://[^/]+/wp-(?:admin|content)/.*\.php(?:\?.*)?$`,
      ['https://a.example/wp-admin/x/y.php?z=1', 'http://b/wp-content/a.php', 'https://a/wp-includes/a.php'],
    ],
    [
      String.raw`^[a-z2-7]{16}\.onion$`,
      ['abcdefghijklmnop.onion', 'abcdefghijklmno1.onion', 'abcdefghijklmnopq.onion'],
    ],
    [String.raw`^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$`, ['192.0.2.1', '192.0.2', '1.2.3.4.5', '999.999.999.999']],
    [
      String.raw`^([0-9a-f]{2}:){5}[0-9a-f]{2}$`,
      ['00:00:5e:00:53:af', '00:00:5e:00:53', '00-00-5e-00-53-af'],
    ],
    [String.raw`^(?<user>[\w.-]+)@(?<host>[^@\s]+)$`, ['a.b-c@example.com', 'a@b@c', 'a b@c']],
    [
      String.raw`^Mozilla/5\.0 \((?:Windows NT|Macintosh|X11)[^)]*\) .*(?:Chrome|Firefox)/\d+`,
      [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0',
        'Mozilla/5.0 (compatible; bot)',
        'curl/8.5.0',
      ],
    ],
    [String.raw`(com|net|org)+\.(a|b)*`, ['comnet.ab', 'edu.a', 'org.']],
    [
      String.raw`^python-requests/\d+\.\d+(\.\d+)?$`,
      ['python-requests/2.31.0', 'python-requests/2', 'python-requests/2.31'],
    ],
    [String.raw`[\]\-\\^]+`, ['a]b', 'x-y', 'q\\r', 'abc']],
  ] as const)('agrees on %s', (re, inputs) => {
    const js = new RegExp(re, 'u');
    for (const input of inputs) expect(matches(re, input), input).toBe(js.test(input));
  });
});
