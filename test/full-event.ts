/**
 * A valid event with every field the ingest readers look at set (ids, client, conversation,
 * params, response, usage), for the ingest unit tests to vary: a system prompt and one user
 * turn, no labels. A fresh object each call.
 */
export const fullEvent = () => ({
  id: 'req_1',
  ts: '2026-11-22T10:00:00.123Z',
  account_id: 'acct_1',
  api_key_id: 'key_1',
  end_user_id: 'u_1',
  model: 'helix-3',
  endpoint: 'chat.completions',
  client: { ip: '203.0.113.7', asn: 64500, country: 'DE', user_agent: 'OpenAI/Python 1.42.5' },
  request: {
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Explain entropy.' },
    ] as unknown[],
    conversation_id: 'c_1',
    params: {
      temperature: 0.7,
      top_p: 1,
      max_tokens: 512,
      n: 2,
      logprobs: true,
      top_logprobs: 5,
      stream: false,
      tools: 0,
    },
  },
  response: { text: 'Entropy is…', reasoning_tokens: 10, finish_reason: 'stop', refused: false },
  usage: { input_tokens: 12, output_tokens: 40 },
});

/** The smallest valid event: id, time, account, model and one user message. */
export const minimalEvent = () => ({
  id: 'e1',
  ts: '2026-11-22T10:00:00Z',
  account_id: 'acct-1',
  model: 'm',
  request: { messages: [{ role: 'user', content: 'hi' }] },
});
