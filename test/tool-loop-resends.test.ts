import { beforeAll, describe, expect, it } from 'vitest';
import { AccountState, type AccountFinding, type ApiEvent } from '../src/contracts/index.js';
import { DETECTORS } from '../src/detect/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import {
  corporaMissing,
  distillationTasks,
  eventFactory,
  humanConversations,
  peopleEngine,
  toolStep,
  START,
  HARVEST_WRAPPER as WRAPPER,
  PEOPLE_ASKING_REASONING as ASKS,
} from './real-corpora.js';

// An app whose assistant calls tools resends the whole conversation on every step of the loop:
// the same opener, then the tool's answers. Each resend is the one prompt it carries, counted
// once; a harvester that dresses its requests as tool steps is counted as before. Real text:
// people's conversations (hh-rlhf) and a real distillation query set (Alpaca).
const missing = corporaMissing('tool-loop resend tests');

const TOOL_STEPS = 6;

type Messages = ApiEvent['request']['messages'];

let findings: Map<string, AccountFinding>;
/** The tool-loop app's two measurements, in words, whether or not they became findings. */
const appEvidence = new Map<string, string>();

beforeAll(() => {
  if (missing) return;
  const tasks = distillationTasks();
  const convs = humanConversations();
  const { events, event, r, dayTime, engine, account, people, ...run } = peopleEngine(17);
  const old = (id: string): void => account(id, 400);
  // 300 ordinary people: a few conversations each, one in ten asking for reasoning.
  people(300, 2, 5, 0.1);
  // A maths-tutoring app whose model works with a calculator tool: a question asking to be
  // walked through a solution takes several tool steps, each resending the conversation so far;
  // small talk takes none. A quarter of its users' openers ask for reasoning, in a few common
  // phrasings, and a fifth of its conversations go on to a second message.
  old('tool-app');
  for (let k = 0; k < 80; k++) {
    const turns = convs[(900 + k) % convs.length]!;
    const asks = k % 4 === 0;
    const opener = asks ? `${turns[0]!}\n\n${ASKS[k % ASKS.length]!}` : turns[0]!;
    const history: Messages = [{ role: 'user', content: opener }];
    let ts = dayTime(k % 14);
    const loop = (label: string, steps: number): void => {
      events.push(event('tool-app', ts, [...history]));
      for (let step = 0; step < steps; step++) {
        history.push(...toolStep(`call_${k}_${label}_${step}`));
        events.push(event('tool-app', (ts += 1500 + r() * 2000), [...history]));
      }
    };
    loop('a', asks ? TOOL_STEPS : 0);
    if (k % 5 === 1 && turns[1]) {
      history.push(
        { role: 'assistant', content: 'Here is what I found.' },
        { role: 'user', content: turns[1] },
      );
      ts += (60 + r() * 200) * 1000;
      loop('b', 1);
    }
  }
  // Two harvesters running one recipe on different tasks: wrapped one-shot prompts. The second
  // appends a made-up tool step to every request, so none ends with a user message.
  for (const [id, from, masked] of [
    ['harvester', 2000, false],
    ['harvester-masked', 2000, true],
  ] as const) {
    old(id);
    for (let i = 0; i < 150; i++) {
      const messages: Messages = [{ role: 'user', content: `${tasks[from + i]!}\n\n${WRAPPER}` }];
      if (masked) messages.push(...toolStep(`call_${i}`));
      events.push(event(id, dayTime(i % 14), messages));
    }
  }
  // Two people blending the same harvest into the same conversations of their own, which they
  // answer; the second dresses every harvest request as a tool step.
  const own: [number, Messages][] = [];
  for (let k = 0; k < 60; k++) {
    const history: Messages = [];
    let ts = dayTime(k % 14);
    for (const turn of convs[(1500 + k) % convs.length]!) {
      history.push({ role: 'user', content: turn });
      own.push([ts, [...history]]);
      history.push({ role: 'assistant', content: 'I see. Here is what I can tell you.' });
      ts += (40 + r() * 300) * 1000;
    }
  }
  const harvest = tasks.slice(3000, 3048).map((task, i): [number, string] => [dayTime(i % 14), task]);
  for (const [id, masked] of [
    ['blender', false],
    ['blender-masked', true],
  ] as const) {
    old(id);
    for (const [ts, messages] of own) events.push(event(id, ts, messages));
    harvest.forEach(([ts, task], i) => {
      const messages: Messages = [{ role: 'user', content: `${task}\n\n${WRAPPER}` }];
      if (masked) messages.push(...toolStep(`call_${i}`));
      events.push(event(id, ts, messages));
    });
  }
  findings = run.findings();
  // Neither detector reads the context.
  const ctx = {
    record: undefined,
    referenceKernelSum: new Float64Array(0),
    referenceKernelCount: 0,
    nowMs: 0,
  };
  for (const d of DETECTORS.filter((x) => ['reasoning-elicitation', 'templating'].includes(x.id)))
    appEvidence.set(d.id, d.measure(engine.statsOf('tool-app')!, ctx)?.evidence ?? '');
}, 120_000);

const signal = (id: string, detector: string) =>
  findings.get(id)?.signals.find((s) => s.detector === detector);

const strength = (id: string, detector: string): number =>
  findings.get(id)?.basis?.lines.find((l) => l.detector === detector)?.strength ?? 0;

describe.skipIf(missing)('tool-loop resends on real text', () => {
  it('counts each of a tool-loop app’s prompts once, and leaves the app unflagged', () => {
    // Counted per request, the 20 reasoning openers were 100 prompts asking for reasoning, most
    // "in a sentence the account has sent before", and their four phrasings a shared skeleton.
    for (const d of ['reasoning-elicitation', 'templating']) expect(signal('tool-app', d)).toBeUndefined();
    const lines = findings.get('tool-app')?.basis?.lines ?? [];
    for (const d of ['reasoning-elicitation', 'templating'])
      expect(lines.find((l) => l.detector === d)).toBeUndefined();
    // 80 openers and 12 second messages (some conversations have one turn); 20 openers ask,
    // in four phrasings, 3 of them answered by the user.
    expect(appEvidence.get('reasoning-elicitation')).toMatch(
      /^17 of 92 prompts \(18 %\) ask for step-by-step reasoning traces, 17 of them in a sentence/,
    );
    expect(appEvidence.get('templating')).toMatch(/^\d+ of 92 prompts /);
  });
  it('does not lower a harvester’s evidence when it appends a made-up tool step to every request', () => {
    for (const d of ['reasoning-elicitation', 'templating']) {
      const plain = signal('harvester', d);
      const masked = signal('harvester-masked', d);
      expect(plain, d).toBeDefined();
      expect(masked, d).toBeDefined();
      expect(masked!.evidence.replace(/"[^"]*"/, '')).toBe(plain!.evidence.replace(/"[^"]*"/, ''));
      expect(strength('harvester-masked', d)).toBeGreaterThanOrEqual(strength('harvester', d) - 1e-9);
    }
    expect(signal('harvester-masked', 'reasoning-elicitation')!.evidence).toMatch(/^150 of 150 prompts/);
    expect(findings.get('harvester-masked')!.level).toBe(findings.get('harvester')!.level);
    // Nor a blender's: its harvest is still conversations it never answers.
    const blender = signal('blender', 'elicitation-unanswered');
    expect(blender?.evidence).toMatch(/^48 of 48 conversations opened by asking for reasoning/);
    expect(signal('blender-masked', 'elicitation-unanswered')?.evidence).toBe(blender!.evidence);
    expect(strength('blender-masked', 'elicitation-unanswered')).toBeGreaterThanOrEqual(
      strength('blender', 'elicitation-unanswered') - 1e-9,
    );
    expect(findings.get('blender-masked')!.level).toBe(findings.get('blender')!.level);
  });
  it('never flags ordinary people on these lines', () => {
    for (let u = 0; u < 300; u++)
      for (const d of ['reasoning-elicitation', 'templating']) expect(signal(`user${u}`, d)).toBeUndefined();
  });
});

describe('resends across stored state', () => {
  const event = eventFactory();
  const opener: Messages = [{ role: 'user', content: 'Explain step by step how compound interest works.' }];
  const engine = new DetectionEngine();
  engine.addEvent(event('app', START, opener));
  engine.addEvent(event('app', START + 1000, [...opener, ...toolStep('c1')]));
  const stored = JSON.parse(JSON.stringify(engine.accountState('app'))) as unknown;

  it('a resumed worker still knows the prompt a tool loop resends', () => {
    const resumed = new DetectionEngine();
    resumed.restoreAccount(AccountState.parse(stored));
    resumed.addEvent(event('app', START + 2000, [...opener, ...toolStep('c1'), ...toolStep('c2')]));
    expect(resumed.statsOf('app')!.n).toBe(3);
    expect(resumed.statsOf('app')!.prompts).toBe(1);
    expect(resumed.statsOf('app')!.elicit).toBe(1);
  });
  it('restores state written before prompts were told apart as every request its own prompt', () => {
    const { stats } = stored as { stats: Record<string, unknown> };
    const { prompts, recentTurns, ...older } = stats;
    expect([prompts, (recentTurns as number[]).length]).toEqual([1, 1]);
    const resumed = new DetectionEngine();
    resumed.restoreAccount(AccountState.parse({ ...(stored as object), stats: older }));
    expect(resumed.statsOf('app')!.prompts).toBe(2);
  });
});
