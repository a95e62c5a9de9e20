import type { Message } from '../contracts/index.js';
import type { Rng } from './rng.js';

/**
 * Agent loops: the user asks, the model calls a tool, the tool's result comes back as a `tool`
 * message and the model answers. Assistants, IDE agents and extraction operators harvesting
 * agentic behaviour all produce these traces.
 */
const TOOLS: readonly {
  name: string;
  args: (rng: Rng) => Record<string, unknown>;
  result: (rng: Rng) => string;
}[] = [
  {
    name: 'get_weather',
    args: (rng) => ({ city: rng.pick(['Paris', 'Austin', 'Tokyo', 'Berlin', 'Toronto']), unit: 'celsius' }),
    result: (rng) =>
      JSON.stringify({ temp: rng.int(-5, 33), condition: rng.pick(['rain', 'sunny', 'cloudy', 'snow']) }),
  },
  {
    name: 'search_docs',
    args: (rng) => ({
      query: rng.pick([
        'refund policy',
        'reset password',
        'api rate limits',
        'on-call rotation',
        'vacation policy',
      ]),
    }),
    result: (rng) =>
      JSON.stringify({
        results: [
          { title: rng.pick(['Policies', 'FAQ', 'Runbook']), snippet: 'See section 3 for the details.' },
        ],
      }),
  },
  {
    name: 'run_sql',
    args: (rng) => ({
      query: `SELECT count(*) FROM ${rng.pick(['orders', 'users', 'events', 'tickets'])} WHERE created_at > now() - interval '7 days'`,
    }),
    result: (rng) => JSON.stringify({ rows: [{ count: rng.int(10, 90000) }] }),
  },
  {
    name: 'get_order',
    args: (rng) => ({ order_id: String(rng.int(100000, 999999)) }),
    result: (rng) =>
      JSON.stringify({
        status: rng.pick(['shipped', 'processing', 'delivered', 'delayed']),
        eta_days: rng.int(0, 9),
      }),
  },
  {
    name: 'calendar_create_event',
    args: (rng) => ({
      title: rng.pick(['Team sync', 'Dentist', 'Flight', 'Review']),
      start: `2025-0${rng.int(1, 9)}-1${rng.int(0, 9)}T1${rng.int(0, 7)}:00:00`,
    }),
    result: () => JSON.stringify({ ok: true }),
  },
  {
    name: 'read_file',
    args: (rng) => ({ path: rng.pick(['src/index.ts', 'README.md', 'app/models.py', 'package.json']) }),
    result: () => JSON.stringify({ content: 'export function main() {\n  // ...\n}' }),
  },
];

export interface ToolTrace {
  toolCount: number;
  /** Messages of step `k` (0: the request; 1: the request plus call and result). */
  messages(step: number): Message[];
  steps: number;
}

export function toolTrace(systemPrompt: string | undefined, userText: string, rng: Rng): ToolTrace {
  const toolCount = rng.int(2, 8);
  const calls = rng.int(1, 3);
  const chosen = Array.from({ length: calls }, () => rng.pick(TOOLS));
  const base: Message[] = [];
  if (systemPrompt) base.push({ role: 'system', content: systemPrompt });
  base.push({ role: 'user', content: userText });
  const history: Message[][] = [base];
  let current = base;
  for (const tool of chosen) {
    const callId = `call_${rng.base36(16)}`;
    current = [
      ...current,
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: callId,
            type: 'function',
            function: { name: tool.name, arguments: JSON.stringify(tool.args(rng)) },
          },
        ],
      },
      { role: 'tool', content: tool.result(rng), tool_call_id: callId },
    ];
    history.push(current);
  }
  return {
    toolCount,
    steps: history.length,
    messages: (step) => history[Math.min(step, history.length - 1)] as Message[],
  };
}
