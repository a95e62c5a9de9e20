import type { Rng } from './rng.js';

/**
 * Wrappers that ask the model to expose its full reasoning around a task, in many phrasings
 * and several languages. An operator picks a handful of these and rotates them; ordinary
 * users sometimes ask for steps too, but in their own words and not around task sweeps.
 */
export const ELICITATION_PREFIXES: readonly string[] = [
  'Think step by step and show your full reasoning before giving the final answer.',
  'Before answering, write out your complete chain of thought.',
  'Explain your reasoning process in detail, then state the answer.',
  'Reason through this carefully, showing every intermediate step.',
  'Walk me through your entire thought process, including any dead ends, before you answer.',
  "Let's think about this step by step. Show all work.",
  'First, lay out your internal reasoning in full. Then give a concise final answer.',
  'Provide a detailed, step-by-step derivation. Do not skip any steps.',
  'Show your full reasoning trace, then the answer on its own line.',
  'Describe exactly how you arrive at the answer, step by step, before giving it.',
  'Please reason out loud: list each step of your thinking, then conclude.',
  'Explain your chain of thought thoroughly. I want to see how you think, not just the result.',
  'Think carefully. Write your reasoning inside <thinking> tags and the final answer inside <answer> tags.',
  'Solve the following. Begin with "Reasoning:" and show every step, then "Answer:".',
  'Denke Schritt für Schritt nach und zeige deine vollständige Begründung, bevor du antwortest.',
  'Piensa paso a paso y muestra todo tu razonamiento antes de dar la respuesta final.',
  'Réfléchis étape par étape et détaille tout ton raisonnement avant de donner la réponse.',
  '请一步一步地思考，先完整写出你的推理过程，再给出最终答案。',
  'ステップバイステップで考え、最終的な答えの前に推論の過程をすべて示してください。',
  'Pense passo a passo e mostre todo o seu raciocínio antes da resposta final.',
  'Подумай шаг за шагом и покажи все рассуждения перед окончательным ответом.',
  '단계별로 생각하고 최종 답변 전에 전체 추론 과정을 보여주세요.',
];

export const ELICITATION_SUFFIXES: readonly string[] = [
  'Show your reasoning step by step.',
  'Explain each step of your reasoning before the final answer.',
  'Include your complete chain of thought.',
  'Think it through step by step and justify every step.',
  'Make sure to show all intermediate reasoning, not just the conclusion.',
  'Give your full thought process, then the answer.',
  'Respond with your detailed reasoning first, then the final answer.',
  'Zeige alle Zwischenschritte.',
  'Muestra todos los pasos intermedios.',
  'Montre toutes les étapes intermédiaires.',
  '请展示所有中间步骤。',
];

/** A campaign's chosen phrasing mix: a few prefixes and suffixes it rotates through. */
export interface ElicitationStyle {
  prefixes: readonly string[];
  suffixes: readonly string[];
  /** Share of prompts with a prefix (the rest get a suffix). */
  prefixShare: number;
  /** How the wrapper and task are joined. */
  joiners: readonly string[];
}

export function drawElicitationStyle(rng: Rng, breadth: number): ElicitationStyle {
  return {
    prefixes: rng.sample(ELICITATION_PREFIXES, Math.max(2, Math.round(breadth * 0.6))),
    suffixes: rng.sample(ELICITATION_SUFFIXES, Math.max(1, Math.round(breadth * 0.4))),
    prefixShare: rng.range(0.45, 0.85),
    joiners: rng.sample(['\n\n', '\n\nTask: ', '\n\nQuestion: ', '\n\nProblem:\n', ' ', '\n\n---\n'], 2),
  };
}

export function wrapWithElicitation(task: string, style: ElicitationStyle, rng: Rng): string {
  if (rng.chance(style.prefixShare)) {
    return `${rng.pick(style.prefixes)}${rng.pick(style.joiners)}${task}`;
  }
  return `${task}\n\n${rng.pick(style.suffixes)}`;
}

// Fragments an operator who avoids re-using any one wrapper combines afresh for every request.
const PARAPHRASE_OPENERS = [
  '',
  'Please ',
  'Kindly ',
  'Carefully ',
  'For this one, ',
  'As before, ',
  'Take your time and ',
];
const PARAPHRASE_ASKS = [
  'work through your reasoning step by step',
  'reason it out step by step',
  'think through the problem step by step',
  'show your chain of thought',
  'lay out your reasoning in full',
  'write down every step of your reasoning',
  'explain your reasoning at each step',
  'go through your thinking process step by step',
];
const PARAPHRASE_CLOSERS = [
  ', then give the answer',
  ' before the final answer',
  ' and finish with the result',
  ', ending with a one-line answer',
  '',
  ' and justify each step',
];

/**
 * A freshly composed request for reasoning around a task (hundreds of phrasings): the same
 * ask as a fixed wrapper, but no sentence an account repeats for linkage to key on.
 */
export function paraphrasedElicitation(task: string, rng: Rng): string {
  const opener = rng.pick(PARAPHRASE_OPENERS);
  const ask = rng.pick(PARAPHRASE_ASKS);
  const sentence = `${opener}${opener ? ask : ask[0]!.toUpperCase() + ask.slice(1)}${rng.pick(PARAPHRASE_CLOSERS)}.`;
  return rng.chance(0.5) ? `${sentence}\n\n${task}` : `${task}\n\n${sentence}`;
}
