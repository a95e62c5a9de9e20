import { GATEWAY_DEFAULTS } from '../contracts/index.js';
import { nonNegInt, type Endpoint, type Json } from './exchange.js';

/** Default cap on output tokens for degraded accounts. */
export const DEFAULT_DEGRADE_MAX_TOKENS = GATEWAY_DEFAULTS.degradeMaxTokens;

/**
 * The request side of `degrade`: no logprobs, one completion, no reasoning summaries, and output
 * tokens capped (an absent limit becomes the cap). The response side is in ResponseShaper.
 */
export function degradeRequest(endpoint: Endpoint, body: Json, maxTokens: number): void {
  delete body.top_logprobs;
  if (endpoint === 'completions') delete body.logprobs;
  else body.logprobs = false;
  if (endpoint === 'responses') {
    if (typeof body.reasoning === 'object' && body.reasoning !== null)
      delete (body.reasoning as Json).summary;
    if (Array.isArray(body.include)) {
      body.include = body.include.filter((x) => typeof x !== 'string' || !/reasoning|logprobs/.test(x));
    }
    body.max_output_tokens = Math.min(nonNegInt(body.max_output_tokens) ?? maxTokens, maxTokens);
    return;
  }
  if (body.n !== undefined) body.n = 1;
  if (endpoint === 'chat.completions' && body.max_completion_tokens !== undefined) {
    body.max_completion_tokens = Math.min(nonNegInt(body.max_completion_tokens) ?? maxTokens, maxTokens);
    delete body.max_tokens;
  } else {
    body.max_tokens = Math.min(nonNegInt(body.max_tokens) ?? maxTokens, maxTokens);
  }
}
