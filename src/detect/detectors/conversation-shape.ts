import { ATLAS, pct, type Detector } from '../detector.js';

/** One-shot prompts with no follow-up: a harvester never reads the answer and asks again. */
export const conversationShape: Detector = {
  id: 'conversation-shape',
  title: 'Conversation shape',
  atlas: ATLAS.inferenceApi,
  family: 'behaviour',
  measure(s) {
    if (s.n < 8) return null;
    const single = s.n - s.followUps;
    const [sys] = s.systemPrompts.top(1);
    return {
      stats: [{ kind: 'count', key: 'singleTurn', k: single, n: s.n }],
      evidence: `${single} of ${s.n} requests (${pct(single, s.n)}) are single-turn with no follow-up; ${s.withSystem} carry a system prompt${sys ? `, ${sys[1]} the same one` : ''}`,
      examples: s.samples.items.slice(0, 2).map((x) => x.id),
    };
  },
};
