import { describe, expect, it } from 'vitest';
import { checkStixRegex, STIX_REGEX_LIMITS } from './stix-regex.js';

/** Regular expressions as they reach the check (the STIX string's own escapes undone). */
const ACCEPTED = [
  // The STIX 2.1 §9 examples.
  String.raw`.+\@example\.com$`,
  String.raw`^Final Report.+\.exe$`,
  String.raw`\xd4\xc3\xb2\xa1\x02\x00\x04\x00`,
  '^.+>-add GlobalSign.cer -c -s -r localMachine Root$',
  // What indicators in the wild hold.
  String.raw`^https?://[^/]+/wp-(?:admin|content)/.*\.php(?:\?.*)?$`,
  String.raw`^[a-z2-7]{16}\.onion$`,
  String.raw`(?i)^mozilla/5\.0 \(compatible; (?:bot|crawler|spider)\)`,
  String.raw`^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$`,
  String.raw`^([0-9a-f]{2}:){5}[0-9a-f]{2}$`,
  String.raw`^(?<user>[\w.-]+)@(?P<host>[^@\s]+)$`,
  String.raw`[[:alpha:]][[:digit:]]\p{L}\P{Lu}\pN[\]\-\\^]`,
  String.raw`\Q(a+)+\E literal`,
  String.raw`(?i:ab)(?-i)c(?#a comment)d{2,}e{,3}x{ y}`,
  String.raw`[-a][a-][^]]\x{263A}\o{101}\cA\0\n`,
  '(com|net|org)+\\.(a|b)*',
  '(a|aa){4}',
];

describe('MATCHES regular expressions', () => {
  it.each(ACCEPTED)('accepts %s', (re) => {
    expect(checkStixRegex(re)).toEqual({ ok: true });
  });

  it.each([
    // Not PCRE at all.
    ['(abc', 1, /never closed/],
    ['abc)', 4, /closes no group/],
    ['[abc', 1, /class .* never closed/],
    ['*abc', 1, /nothing to repeat/],
    ['a|*', 3, /nothing to repeat/],
    ['a**', 3, /nothing to repeat/],
    ['^*', 2, /repeats an anchor/],
    ['[z-a]', 4, /out of order/],
    [String.raw`[\d-z]`, 5, /a set .* at one end/],
    ['a{5,2}', 2, /out of order/],
    ['abc\\', 4, /lone backslash/],
    [String.raw`\y`, 1, /escape \\y/],
    ['[[:alphabet:]]', 2, /POSIX class/],
    ['(?<1a>x)', 1, /group name/],
    ['(?Z)', 3, /unknown group or option "Z"/],
    [String.raw`\x{110000}`, 1, /over U\+10FFFF/],
    [String.raw`\p{L`, 1, /not closed/],
  ] as const)('refuses %s, which does not compile', (re, position, message) => {
    const v = checkStixRegex(re);
    expect(v).toMatchObject({ ok: false, position });
    if (!v.ok) expect(v.message).toMatch(message);
  });

  it.each([
    // Constructs without a linear-time evaluation.
    [String.raw`(a)\1`, 4, /backreference/],
    [String.raw`(?<n>a)\k<n>`, 8, /backreference/],
    ['(?P<n>a)(?P=n)', 9, /backreference/],
    ['a(?=b)', 2, /lookaround/],
    ['(?<!a)b', 1, /lookaround/],
    ['(a|(?R))', 4, /recursion/],
    ['(a)(?1)', 4, /recursion/],
    ['(?>a+)b', 1, /atomic group/],
    ['a++b', 2, /possessive/],
    ['(?(1)a|b)', 1, /conditional/],
    ['(*LIMIT_MATCH=1)a', 1, /\(\*VERB\)/],
    ['(?C1)a', 1, /callout/],
    ['(?x) a b', 3, /extended/],
    // Catastrophic backtracking: the classic ReDoS shapes.
    ['^(a+)+$', 6, /nested quantifier/],
    ['^(a*)*$', 6, /nested quantifier/],
    [String.raw`^(\w+\s?)*$`, 10, /nested quantifier/],
    ['(a?){30}a{30}', 5, /nested quantifier/],
    ['^((ab)*c?)+$', 11, /nested quantifier/],
    ['((?:[0-9]{1,3}\\.){3})+', 22, /nested quantifier/],
    ['^(a|aa)*b$', 8, /overlapping alternatives/],
    ['^(a|a)+$', 7, /overlapping alternatives/],
    [String.raw`(\d|x)+`, 7, /overlapping alternatives/],
    ['((a|aa))*', 9, /nested quantifier/],
    ['.*.*.*.*.*.*.*.*.*=', 18, /more than 8/],
    ['(a+){4}b+c+d+e+f+', 17, /more than 8/],
  ] as const)('refuses %s, which has no bounded evaluation', (re, position, message) => {
    const v = checkStixRegex(re);
    expect(v).toMatchObject({ ok: false, position });
    if (!v.ok) expect(v.message).toMatch(message);
  });

  it('bounds length, depth and repeat counts', () => {
    const { maxChars, maxDepth, maxRepeat } = STIX_REGEX_LIMITS;
    expect(checkStixRegex('a'.repeat(maxChars)).ok).toBe(true);
    expect(checkStixRegex('a'.repeat(1024 * 1024))).toEqual({
      ok: false,
      message: `longer than ${maxChars} characters (${1024 * 1024})`,
      position: maxChars + 1,
    });
    expect(checkStixRegex(`${'('.repeat(maxDepth)}a${')'.repeat(maxDepth)}`).ok).toBe(true);
    expect(checkStixRegex(`${'('.repeat(maxDepth + 1)}a${')'.repeat(maxDepth + 1)}`)).toMatchObject({
      ok: false,
      position: maxDepth + 1,
    });
    expect(checkStixRegex(`a{${maxRepeat}}`).ok).toBe(true);
    expect(checkStixRegex(`a{${maxRepeat + 1}}`)).toMatchObject({ ok: false, position: 2 });
    expect(checkStixRegex(`a{1,${'9'.repeat(2000)}}`)).toMatchObject({ ok: false, position: 2 });
  });

  it('gives a short verdict on every hostile input near the length limit', () => {
    const n = STIX_REGEX_LIMITS.maxChars - 4;
    for (const re of [
      '('.repeat(n),
      ')'.repeat(n),
      '['.repeat(n),
      '[[:'.repeat(n / 3),
      '\\'.repeat(n + 1),
      '(?#'.repeat(n / 3),
      '\\1'.repeat(n / 2),
      `a${'{1,2}'.repeat(n / 5)}`,
      '(a|'.repeat(n / 3),
    ]) {
      const v = checkStixRegex(re);
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.message.length).toBeLessThan(300);
    }
  });
});
