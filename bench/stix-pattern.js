// STIX pattern check cost (node bench/stix-pattern.js [reps] [--compare <other build's dist>]): the
// grammar check the hub, `intel validate` and `intel pull` run on each indicator, on patterns
// DistillGuard writes and on hostile ones. Median and max time per call. Needs
// `npx tsc -p tsconfig.build.json`. --compare times another build (e.g. main's, built into a
// directory of its own) on the same cases, alternating call by call, and prints the ratio. Then:
// what V8's backtracking RegExp and DistillGuard's linear-time MATCHES engine spend on the same
// expressions and inputs.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { machineLine } from './machine.js';

const dist = new URL('../dist/', import.meta.url);
const { checkStixPattern, compileStixRegex, STIX_PATTERN_LIMITS } = await import(
  new URL('intel/index.js', dist).href
);
const compareAt = process.argv.indexOf('--compare');
const other =
  compareAt > 0
    ? await import(pathToFileURL(resolve(process.argv[compareAt + 1], 'intel/index.js')).href)
    : undefined;

const reps = Number(process.argv[2]?.startsWith('--') ? 200 : (process.argv[2] ?? 200));
const { maxChars, maxComparisons } = STIX_PATTERN_LIMITS;
const ext = "extensions.'extension-definition--0f5c2c7e-8d4b-4e7a-9b7e-5d3c2a1f0e9d'";
const cases = {
  'generated: asn': '[autonomous-system:number = 64512]',
  'generated: keyed prefix': `[ipv4-addr:${ext}.prefix_hmac = 'hmac-sha256:isac-1:${'ab'.repeat(32)}']`,
  'generated: template (16 band keys)': `[artifact:${ext}.lsh_band_keys[*] IN (${Array.from({ length: 16 }, (_, i) => `'b${i}:${'0f'.repeat(8)}'`).join(', ')})]`,
  'hostile: 10,000 nested (': `${'('.repeat(10_000)}[file:name = 'a']${')'.repeat(10_000)}`,
  'hostile: 1 MB string': `[file:name = '${'a'.repeat(1024 * 1024)}']`,
  'limit: 64 Ki-char string': `[file:name = '${'a'.repeat(maxChars - 20)}']`,
  [`limit: ${maxComparisons} comparisons`]: `[${Array.from({ length: maxComparisons }, (_, i) => `file:size = ${i}`).join(' OR ')}]`,
  "hostile: 64 Ki chars of \\' unclosed": `[file:name = '${"\\'".repeat((maxChars - 20) / 2)}`,
  'hostile: 64 Ki-char unclosed comment': `[file:name = 'a'] /*${'*'.repeat(maxChars - 30)}`,
  'hostile: MATCHES ^(a+)+$': "[file:name MATCHES '^(a+)+$']",
  'hostile: MATCHES 1,000 nested (': `[file:name MATCHES '${'('.repeat(1000)}a${')'.repeat(1000)}']`,
  'hostile: MATCHES 60 Ki-char expression': `[file:name MATCHES '${'a'.repeat(60_000)}']`,
  'limit: MATCHES 2 Ki-char expression': `[file:name MATCHES '${'[a-z]+x'.repeat(8)}${'a'.repeat(2048 - 56)}']`,
};

const timed = (f) => {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e3];
};
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];

process.stdout.write(machineLine(1));
for (const [name, p] of Object.entries(cases)) {
  const times = [];
  const otherTimes = [];
  let verdict;
  let otherVerdict;
  for (let i = 0; i < reps; i++) {
    let t;
    [verdict, t] = timed(() => checkStixPattern(p));
    times.push(t);
    if (other) {
      [otherVerdict, t] = timed(() => other.checkStixPattern(p));
      otherTimes.push(t);
    }
  }
  const max = Math.max(...times);
  const v = verdict.ok ? 'ok' : `${verdict.reason}`;
  let line = `${name.padEnd(42)} ${String(p.length).padStart(8)} chars  ${v.padEnd(6)} median ${median(times).toFixed(1).padStart(8)} µs  max ${max.toFixed(1).padStart(8)} µs`;
  if (other) {
    const same =
      JSON.stringify(verdict) === JSON.stringify(otherVerdict) ? 'same verdict' : 'VERDICT DIFFERS';
    line += `  | other ${median(otherTimes).toFixed(1).padStart(8)} µs  ×${(median(times) / median(otherTimes)).toFixed(2)}  ${same}`;
  }
  process.stdout.write(`${line}\n`);
}

// Why the MATCHES subset: what a backtracking engine (V8's, as a consumer's might be) spends on
// expressions the check refuses, against ones it accepts, on a short input built to fail late.
process.stdout.write(
  '\nV8 RegExp.test on "a" × n + "!" (one call; refused ones grow exponentially with n):\n',
);
for (const [re, verdictOf, sizes] of [
  ['^(a+)+$', 'refused', [16, 20, 24]],
  ['^(a|aa)*$', 'refused', [26, 30, 34]],
  ['^(a|b)*$', 'accepted', [24, 10_000, 100_000]],
  ['^a+$', 'accepted', [24, 10_000, 100_000]],
]) {
  for (const n of sizes) {
    const input = `${'a'.repeat(n)}!`;
    const t0 = process.hrtime.bigint();
    new RegExp(re).test(input);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(
      `${re.padEnd(12)} ${verdictOf.padEnd(9)} n=${String(n).padStart(6)} ${ms.toFixed(2).padStart(9)} ms\n`,
    );
  }
}

// The same and worse expressions through DistillGuard's engine (compileStixRegex), which keeps
// every state at once: time grows with the input's length only.
process.stdout.write('\nDistillGuard engine test() on "a" × n + "!" (median of 5 calls, compiled once):\n');
for (const re of ['^(a+)+$', '^(a|aa)*$', '(x+x+)+y', '^(\\w+\\s?)*$', '(.*a){12}', '^(a|b)*$', '^a+$']) {
  const compiled = compileStixRegex(re);
  if (!compiled.ok) throw new Error(`${re}: ${compiled.message}`);
  for (const n of [24, 10_000, 100_000]) {
    const input = `${'a'.repeat(n)}!`;
    // Median of 5 calls: the first also pays for V8 compiling the engine's loop.
    const runs = Array.from({ length: 5 }, () => timed(() => compiled.regex.test(input)));
    const result = runs[0][0];
    const us = median(runs.map((r) => r[1]));
    process.stdout.write(
      `${re.padEnd(14)} n=${String(n).padStart(6)} ${(us / 1e3).toFixed(2).padStart(9)} ms  ${result ? 'match' : 'no match'}\n`,
    );
  }
}
