import { describe, expect, it } from 'vitest';
import { ApiEvent } from '../../contracts/index.js';
import { extractFeatures } from '../../features/index.js';
import { elicitationPhrase, userPrompt } from './prompt-features.js';

const event = (prompt: string): ApiEvent =>
  ApiEvent.parse({
    id: 'e1',
    ts: '2025-08-15T10:00:00Z',
    account_id: 'acct-1',
    model: 'flagship',
    request: { messages: [{ role: 'user', content: prompt }] },
  });

// Detection (a feature of each event) and sharing (the phrase an indicator carries) must agree on
// what asks for a reasoning trace; these are prompts where the two definitions used to disagree.
describe('reasoning-trace elicitation: detection and intel agree', () => {
  it.each([
    // A procedure, not the model's reasoning: the old intel regex counted the bare "step-by-step".
    ['Give me step-by-step instructions to install Docker on Ubuntu.', false],
    ['Write a step by step guide to changing a tyre.', false],
    // Reasoning traces the old English regex missed.
    ["Let's think about this. Walk me through your reasoning, then state the final answer.", true],
    ['Answer the question below. Explain each step of your reasoning before the final answer.', true],
    // Non-English requests for the reasoning itself.
    ['Pense passo a passo e mostre todo o seu raciocínio antes da resposta final. Quanto é 17*23?', true],
    ['Réfléchis étape par étape et montre ton raisonnement. Combien font 17 fois 23 ?', true],
    ['请展示所有中间步骤和推理过程，然后给出最终答案：17乘以23等于多少？', true],
    // Nothing about reasoning at all.
    ['What is a good recipe for banana bread?', false],
  ])('%s → %s', (prompt, elicits) => {
    const e = event(prompt);
    expect(extractFeatures(e).elicits).toBe(elicits);
    expect(elicitationPhrase(userPrompt(e)) !== undefined).toBe(elicits);
  });

  it('shares one phrase for one wrapper around different tasks, in any language', () => {
    const en = 'Show your full reasoning step by step, then give the final answer.';
    expect(elicitationPhrase(`What is the capital of Australia?\n\n${en}`)).toBe(
      elicitationPhrase(`Name three noble gases.\n\n${en}`),
    );
    expect(elicitationPhrase(`Name three noble gases.\n\n${en}`)).toBe(
      'show your full reasoning step by step then give the final answer',
    );
    const pt = 'Pense passo a passo e mostre todo o seu raciocínio.';
    expect(elicitationPhrase(`${pt} Quanto é 17*23?`)).toBeDefined();
    expect(elicitationPhrase(`${pt} Quanto é 17*23?`)).toBe(
      elicitationPhrase(`${pt} Qual é a capital do Peru?`),
    );
  });
});
