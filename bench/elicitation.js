// The reasoning-elicitation test on real prompts (node bench/elicitation.js, after npm run build):
// one alternation of every phrase (what detection runs) beside one test per phrase (what it ran
// before), alternated in the same run, in µs per prompt. Reads ../shared/corpora when present.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { asksForReasoningTrace, normalizeText, STRONG_PHRASES } from '../dist/text/index.js';

const dir = fileURLToPath(new URL('../../shared/corpora/', import.meta.url));
if (!existsSync(dir)) {
  console.log(`elicitation: skipped (${dir} is absent)`);
  process.exit(0);
}
const texts = ['distill-alpaca-5000.jsonl', 'human-hh-harmless.jsonl', 'human-seed-tasks.jsonl'].flatMap(
  (f) =>
    readFileSync(dir + f, 'utf8')
      .trim()
      .split('\n')
      .flatMap((l) => Object.values(JSON.parse(l)).flat())
      .filter((v) => typeof v === 'string')
      .map((v) => normalizeText(v)),
);
const perPhrase = (t) => STRONG_PHRASES.some((re) => re.test(t));
const time = (fn) => {
  const t0 = performance.now();
  let hits = 0;
  for (let k = 0; k < 3; k++) for (const t of texts) if (fn(t)) hits++;
  return { us: ((performance.now() - t0) * 1000) / (3 * texts.length), hits: hits / 3 };
};
console.log(`elicitation: ${texts.length} corpus texts, load ${loadavg()[0].toFixed(1)}`);
for (let round = 1; round <= 3; round++) {
  const a = time(perPhrase);
  const b = time(asksForReasoningTrace);
  console.log(
    `round ${round}: one test per phrase ${a.us.toFixed(2)} µs/text (${a.hits} hits); one alternation ` +
      `(+ the step-by-step rule) ${b.us.toFixed(2)} µs/text (${b.hits} hits); ratio ${(b.us / a.us).toFixed(2)}`,
  );
}
