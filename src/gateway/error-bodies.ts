import { randomBytes } from 'node:crypto';

/**
 * The gateway's own error bodies, in the OpenAI error shape so existing SDKs surface them
 * (documented in docs/gateway.md). `code` is stable; `message` is for people and generic: a
 * refused caller learns nothing about why (no decision reason, cluster, detector or score) that
 * would help it evade. `support_reference` is a random id the gateway records beside the reason in
 * the event, so support can look the refusal up when a customer quotes it.
 */
export interface GatewayErrorBody {
  error: {
    type: string;
    code: string;
    message: string;
    param: null;
    /** Present on step_up: where the customer completes verification. */
    verification_url?: string;
    retry_after_seconds?: number;
    support_reference?: string;
  };
}

/** A fresh, opaque support reference: random, so it says nothing and cannot be correlated. */
export const newSupportReference = (): string => `ref_${randomBytes(10).toString('hex')}`;

export function blockedBody(ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'permission_error',
      code: 'account_blocked',
      message: `This account's access to the API has been suspended. Contact support to appeal and quote reference ${ref}.`,
      param: null,
      support_reference: ref,
    },
  };
}

export function stepUpBody(verificationUrl: string, ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'permission_error',
      code: 'verification_required',
      message: `Additional verification is required before this account can continue. Complete it at ${verificationUrl} and retry (reference ${ref}).`,
      param: null,
      verification_url: verificationUrl,
      support_reference: ref,
    },
  };
}

export function throttledBody(retryAfter: number, ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'rate_limit_error',
      code: 'account_throttled',
      message: `This account is rate limited. Retry after ${retryAfter} seconds (reference ${ref}).`,
      param: null,
      retry_after_seconds: retryAfter,
      support_reference: ref,
    },
  };
}

export function conflictingCredentialsBody(ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'authentication_error',
      code: 'conflicting_credentials',
      message: `The request carries more than one API key (in different headers or parameters). Send exactly one (reference ${ref}).`,
      param: null,
      support_reference: ref,
    },
  };
}

/** The upstream's address and error stay in the gateway's log and the event, never in the answer. */
export function upstreamUnavailableBody(ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'upstream_unavailable',
      message: `The model API behind the gateway could not be reached. Retry later (reference ${ref}).`,
      param: null,
      support_reference: ref,
    },
  };
}

export function tooLargeBody(limit: number): GatewayErrorBody {
  return {
    error: {
      type: 'invalid_request_error',
      code: 'request_too_large',
      message: `The request body is over ${limit} bytes (after decompression). Send a smaller request.`,
      param: null,
    },
  };
}

/** The upstream did not connect, answer or keep sending within the gateway's timeouts. */
export function upstreamTimeoutBody(ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'upstream_timeout',
      message: `The model API behind the gateway did not answer in time. Retry later (reference ${ref}).`,
      param: null,
      support_reference: ref,
    },
  };
}

/** The upstream broke off an answer it had started. */
export function upstreamInterruptedBody(ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'upstream_interrupted',
      message: `The model API behind the gateway broke off its answer. Retry (reference ${ref}).`,
      param: null,
      support_reference: ref,
    },
  };
}

/** Every upstream connection is busy and the short wait for one ran out. */
export function overloadedBody(retryAfter: number, ref: string): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'gateway_overloaded',
      message: `The gateway is at its limit of requests to the model API. Retry after ${retryAfter} seconds (reference ${ref}).`,
      param: null,
      retry_after_seconds: retryAfter,
      support_reference: ref,
    },
  };
}

export function internalErrorBody(): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'gateway_error',
      message: 'The gateway failed to handle this request. Retry; if it persists, contact the operator.',
      param: null,
    },
  };
}
