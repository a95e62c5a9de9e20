import { z } from 'zod';
import { InlineAccount } from './account.js';
import { rfc3339 } from './timestamp.js';

export const MessageRole = z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
export type MessageRole = z.infer<typeof MessageRole>;

export const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
export type ContentPart = z.infer<typeof ContentPart>;

export const Message = z.looseObject({
  role: MessageRole,
  content: z.union([z.string(), z.array(ContentPart)]),
});
export type Message = z.infer<typeof Message>;

export const RequestParams = z.looseObject({
  temperature: z.number().min(0).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.int().min(0).optional(),
  n: z.int().min(1).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.int().min(0).optional(),
  stream: z.boolean().optional(),
  tools: z.int().min(0).optional(),
});
export type RequestParams = z.infer<typeof RequestParams>;

export const EventLabels = z.looseObject({
  role: z.enum(['benign', 'attacker']).optional(),
  actor: z.string().optional(),
  campaign: z.string().optional(),
});
export type EventLabels = z.infer<typeof EventLabels>;

/** One model-API exchange, version 1 (shared/spec/api-event.md). Unknown fields are kept. */
export const ApiEvent = z.looseObject({
  id: z.string().min(1).max(200),
  ts: rfc3339,
  account_id: z.string().min(1).max(200),
  api_key_id: z.string().max(200).optional(),
  end_user_id: z.string().max(200).optional(),
  model: z.string().min(1).max(200),
  endpoint: z.string().max(100).optional(),
  client: z
    .looseObject({
      ip: z.string().max(64).optional(),
      asn: z.int().min(0).optional(),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/, { message: 'country must be two capital letters (ISO 3166-1 alpha-2)' })
        .optional(),
      user_agent: z.string().max(1000).optional(),
    })
    .optional(),
  request: z.looseObject({
    messages: z.array(Message).min(1),
    conversation_id: z.string().max(200).optional(),
    params: RequestParams.optional(),
  }),
  response: z
    .looseObject({
      text: z.string().optional(),
      reasoning_tokens: z.int().min(0).optional(),
      finish_reason: z.string().optional(),
      refused: z.boolean().optional(),
    })
    .optional(),
  usage: z
    .looseObject({
      input_tokens: z.int().min(0).optional(),
      output_tokens: z.int().min(0).optional(),
    })
    .optional(),
  account: InlineAccount.optional(),
  labels: EventLabels.optional(),
});
export type ApiEvent = z.infer<typeof ApiEvent>;
