import { fingerprint64, maskedTokens } from './index.js';

/**
 * What asking for a reasoning trace looks like, across phrasings and languages. A request is
 * elicitation when it asks the model to expose how it reached the answer (chain of thought,
 * intermediate steps, thinking out loud, a scratchpad), not merely for a procedure: "give me
 * step-by-step instructions to install X" asks for steps of a task, not for the model's reasoning.
 */
export const STRONG_PHRASES: readonly RegExp[] = [
  /chain[\s-]*of[\s-]*thoughts?/u,
  /\b(?:show|give|write|provide|include|output|display|lay out|spell out|expose|reveal|document)\b[^.?!\n]{0,40}\b(?:reasoning|rationale|thought process|thinking|workings?|derivation)\b/u,
  /\b(?:your|the|full|complete|entire|detailed|internal|step[\s-]by[\s-]step|explicit|intermediate)\s+(?:reasoning|thought process|thinking process|reasoning process|reasoning steps|reasoning trace|scratch\s?pad|inner monologue|internal monologue)\b/u,
  /\bshow (?:your|all|the|every|each) (?:work|steps?|calculations?)\b/u,
  /\bthink(?:ing)? (?:out loud|aloud|step[\s-]by[\s-]step|it through|through (?:it|this|the problem)|carefully before)\b/u,
  /\blet'?s think\b/u,
  /\breason(?:ing)? (?:step[\s-]by[\s-]step|through|it out|carefully|out loud)\b/u,
  /\b(?:before|prior to) (?:giving|stating|writing|answering|you answer|the final answer|your final answer)[^.?!\n]{0,60}\b(?:reason|think|explain|steps?|derive|work)/u,
  /\b(?:explain|walk (?:me|us) through|describe) (?:how|why) you (?:arrived|got|reached|came|derived|solved|decided)\b/u,
  /\bwalk (?:me|us) through (?:your|the) (?:reasoning|thinking|logic|thought process|solution)\b/u,
  /\b(?:justify|explain|verify) (?:each|every) step\b/u,
  /<\/?(?:think|thinking|reasoning|scratchpad|thought)>/u,
  /\bthen (?:give|state|write) (?:the|your) final answer\b/u,
  /\bintermediate (?:steps?|reasoning|results|calculations|work)\b/u,
  /\b(?:explain|describe|justify|show|list|detail|break down|narrate)\b[^.?!\n]{0,30}\b(?:each|every|all|the|your) (?:steps?|stages?)\b[^.?!\n]{0,40}\b(?:reasoning|thinking|solution|derivation|logic|answer|conclu)/u,
  /\b(?:explain|justify|describe)\b[^.?!\n]{0,20}\b(?:each|every) step of (?:your|the) (?:reasoning|thinking|solution|derivation|logic)\b/u,
  /\bbreak (?:it|this|the problem|every problem|each problem|problems?|the task) (?:down )?into (?:small |smaller |explicit )?steps\b/u,
  /\b(?:reason|think) (?:about|through) each (?:one|step|part)\b/u,
  /\bverify (?:your|each|the) (?:work|steps?|reasoning)\b/u,
  /\bhow you (?:arrive|arrived|got|reach|reached|came) (?:at|to) (?:the|your|this|that) (?:answer|result|conclusion|solution)\b/u,
  /\bfinal answer\b[^.?!\n]{0,40}\bafter\b[^.?!\n]{0,40}\b(?:reasoning|steps)\b/u,
  // Other languages (lower-cased, NFKC-normalised text).
  /paso a paso|razonamiento|proceso de pensamiento|muestra (?:tu|todo) (?:el )?(?:trabajo|proceso)/u,
  /[ée]tape par [ée]tape|raisonnement|d[ée]marche de pens[ée]e|montre(?:z)? (?:ton|votre) travail/u,
  /schritt f[üu]r schritt|schrittweise|gedankengang|denkprozess|begr[üu]nd(?:e|ung) (?:jeden|jeder|deine)/u,
  /passo a passo|racioc[íi]nio|passo dopo passo|ragionamento/u,
  /шаг за шагом|пошагово|ход (?:мысли|рассуждений)|рассуждени/u,
  /一步一步|逐步|思考过程|推理过程|思维链|详细推理|解题过程|中间步骤|推理步骤|展示.{0,8}(?:步骤|推理|思路)/u,
  /ステップバイステップ|段階的に|思考過程|推論過程|考え方を(?:示|説明)/u,
  /단계별로|차근차근|추론 과정|사고 과정/u,
  /adım adım|krok po kroku|stap voor stap|langkah demi langkah|từng bước/u,
];

// One scan instead of one per phrase (~30): most prompts match none, and each separate test
// walks the whole prompt. The alternation matches exactly when one of the phrases does.
const ANY_STRONG = new RegExp(STRONG_PHRASES.map((re) => `(?:${re.source})`).join('|'), 'u');

// "Step by step" alone often asks for a procedure; it counts only near words about solving,
// proving or reasoning, and not when it qualifies a guide, recipe or instructions.
const STEP_BY_STEP = /\bstep[\s-]*by[\s-]*step\b/u;
const REASONING_CONTEXT =
  /\b(?:solve|solution|prove|proof|derive|deriv|calculat|comput|reason|logic|explain|answer|why|figure out|work out)\w*/u;
const PROCEDURE_CONTEXT =
  /\bstep[\s-]*by[\s-]*step (?:guide|instructions?|tutorial|recipe|directions|plan|process to|walkthrough of how to)\b/u;

/** True when a (normalised, lower-case) prompt asks the model to write out its reasoning. */
export function asksForReasoningTrace(normalised: string): boolean {
  if (ANY_STRONG.test(normalised)) return true;
  return (
    STEP_BY_STEP.test(normalised) && REASONING_CONTEXT.test(normalised) && !PROCEDURE_CONTEXT.test(normalised)
  );
}

// Sentence ends in the scripts the phrases above cover; a colon ends a wrapper's instruction too.
const SENTENCE_END = /[.?!;:\n。！？；：]+/u;

/**
 * The sentences of a (normalised, lower-case) prompt that ask for a reasoning trace, in order.
 * Detection keys a wrapper by the first; intel shares it as a phrase (one definition for both).
 */
export function* elicitingSentences(normalised: string): Generator<string> {
  for (const sentence of normalised.split(SENTENCE_END))
    if (sentence.length >= 8 && asksForReasoningTrace(sentence)) yield sentence;
}

/**
 * Which sentence carries the request for reasoning, as a fingerprint of its masked tokens. A
 * wrapper repeats the same sentence around different tasks; a person asking for steps inside
 * their own question ("how do I solve this step by step") writes a new sentence each time, and
 * an app's fixed opening around a user's own words is no elicitation wrapper at all. Null when
 * nothing elicits, or when the eliciting sentence is all there is.
 */
export function elicitationSentenceKey(normalised: string): string | null {
  for (const sentence of elicitingSentences(normalised)) {
    const tokens = maskedTokens(sentence);
    // A wrapper wraps something: when the eliciting sentence is the whole request (a canned
    // question many students send), re-sending it is repetition, not a wrapper around tasks.
    if (maskedTokens(normalised).length - tokens.length < MIN_WRAPPED_TOKENS) return null;
    return fingerprint64(tokens.join(' '));
  }
  return null;
}
const MIN_WRAPPED_TOKENS = 4;
