/** A chat completion request body as the gateway tests send it: a terse system prompt, one user turn. */
export const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'demo-1',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content },
  ],
  ...extra,
});
