/**
 * The gateway's own error bodies, in the OpenAI error shape so existing SDKs surface them
 * (documented in docs/gateway.md). `code` is stable; `message` is for people.
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
  };
}

export function blockedBody(reason: string): GatewayErrorBody {
  return {
    error: {
      type: 'permission_error',
      code: 'account_blocked',
      message: `This account's access to the API has been suspended${reason ? ` (${reason})` : ''}. Contact support to appeal.`,
      param: null,
    },
  };
}

export function stepUpBody(verificationUrl: string): GatewayErrorBody {
  return {
    error: {
      type: 'permission_error',
      code: 'verification_required',
      message: `Additional verification is required before this account can continue. Complete it at ${verificationUrl} and retry.`,
      param: null,
      verification_url: verificationUrl,
    },
  };
}

export function throttledBody(retryAfter: number): GatewayErrorBody {
  return {
    error: {
      type: 'rate_limit_error',
      code: 'account_throttled',
      message: `This account is rate limited. Retry after ${retryAfter} seconds.`,
      param: null,
      retry_after_seconds: retryAfter,
    },
  };
}

export function upstreamUnavailableBody(detail: string): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'upstream_unavailable',
      message: `The model API behind the gateway could not be reached (${detail}). Retry later.`,
      param: null,
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
export function upstreamTimeoutBody(): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'upstream_timeout',
      message: 'The model API behind the gateway did not answer in time. Retry later.',
      param: null,
    },
  };
}

/** The upstream broke off an answer it had started. */
export function upstreamInterruptedBody(): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'upstream_interrupted',
      message: 'The model API behind the gateway broke off its answer. Retry.',
      param: null,
    },
  };
}

/** Every upstream connection is busy and the short wait for one ran out. */
export function overloadedBody(retryAfter: number): GatewayErrorBody {
  return {
    error: {
      type: 'api_error',
      code: 'gateway_overloaded',
      message: `The gateway is at its limit of requests to the model API. Retry after ${retryAfter} seconds.`,
      param: null,
      retry_after_seconds: retryAfter,
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
