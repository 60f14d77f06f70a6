import { RetryableError } from '#lambdas/shared/domain-error';
/**
 * What to do about a failed Graph call:
 * - `retryable`: throughput, pair-rate and app/business rate limits, Meta's transient errors,
 *   5xx, network failures — the same request may succeed later;
 * - `permanent`: the request itself is refused (closed 24-hour window, invalid parameter,
 *   unsupported type, missing template, policy block, …) — sending it again cannot help;
 * - `auth`: the access token is invalid or expired (190) — the account needs re-authorisation.
 */
export type GraphErrorClassification = 'retryable' | 'permanent' | 'auth';

export interface GraphErrorFacts {
  httpStatus?: number;
  code?: number;
  subcode?: number;
  /** Meta's own `is_transient` hint, present on some errors. */
  isTransient?: boolean;
  /** True when no HTTP response arrived at all. */
  network?: boolean;
}

const AUTH_CODES = new Set([190, 102]);

/**
 * Codes Meta documents as "try again later": 1/2 (unknown/temporary service error), 4 (app rate
 * limit), 17 (user rate limit), 32 (page rate limit), 613 (call rate limit), 80007 (WABA rate
 * limit), 130429 (throughput), 131000 (something went wrong), 131016 (service unavailable),
 * 131056 (business/consumer pair rate limit), 133004 (server temporarily unavailable).
 */
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131056, 133004]);

export function classifyGraphError(facts: GraphErrorFacts): GraphErrorClassification {
  if (facts.code !== undefined && AUTH_CODES.has(facts.code)) return 'auth';
  if (facts.code !== undefined && RETRYABLE_CODES.has(facts.code)) return 'retryable';
  if (facts.isTransient === true) return 'retryable';
  // A code Meta explains is a refusal of this request, whatever the HTTP status says.
  if (facts.code !== undefined) return 'permanent';
  if (facts.network) return 'retryable';
  if (facts.httpStatus !== undefined && (facts.httpStatus >= 500 || facts.httpStatus === 429)) return 'retryable';
  return 'permanent';
}

/** A Graph API call that failed, with Meta's error body parsed and the failure classified. */
export class GraphApiError extends RetryableError {
  override name = 'GraphApiError';
  readonly classification: GraphErrorClassification;
  readonly httpStatus?: number;
  readonly code?: number;
  readonly subcode?: number;
  readonly type?: string;
  /** Meta's `error_data.details`, when given. */
  readonly details?: string;
  readonly fbtraceId?: string;
  readonly isTransient?: boolean;
  readonly network: boolean;
  /** Set by the caller that decided when to try again (its backoff for this failure). */
  retryAfterMs?: number;

  constructor(message: string, facts: GraphErrorFacts & { type?: string; details?: string; fbtraceId?: string }, options?: { cause?: unknown }) {
    super(message, options);
    this.httpStatus = facts.httpStatus;
    this.code = facts.code;
    this.subcode = facts.subcode;
    this.type = facts.type;
    this.details = facts.details;
    this.fbtraceId = facts.fbtraceId;
    this.isTransient = facts.isTransient;
    this.network = facts.network === true;
    this.classification = classifyGraphError(facts);
  }

  override get retryable(): boolean {
    return this.classification === 'retryable';
  }
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Meta's error body: `{ error: { message, type, code, error_subcode, error_data, fbtrace_id,
 * is_transient } }`. `error_data` is an object on WhatsApp (`{ messaging_product, details }`) and
 * sometimes a JSON string elsewhere. A body without that shape is classified by status alone.
 */
export function graphErrorFromResponse(httpStatus: number, body: unknown): GraphApiError {
  const error = (body as { error?: unknown } | null | undefined)?.error;
  if (typeof error !== 'object' || error === null) {
    return new GraphApiError(`Graph API answered HTTP ${httpStatus} without an error body`, { httpStatus });
  }
  const e = error as Record<string, unknown>;
  let errorData = e.error_data;
  if (typeof errorData === 'string') {
    try {
      errorData = JSON.parse(errorData);
    } catch {
      errorData = { details: errorData };
    }
  }
  const details = asString((errorData as { details?: unknown } | null | undefined)?.details);
  const code = asNumber(e.code);
  return new GraphApiError(asString(e.message) ?? `Graph API error ${code ?? httpStatus}`, {
    httpStatus,
    code,
    subcode: asNumber(e.error_subcode),
    type: asString(e.type),
    details,
    fbtraceId: asString(e.fbtrace_id),
    ...(typeof e.is_transient === 'boolean' ? { isTransient: e.is_transient } : {}),
  });
}

export interface GraphRequest {
  url: string;
  body: unknown;
}

export interface GraphApiClient {
  /** POSTs the JSON body; resolves with the parsed success body, or throws a `GraphApiError`. */
  post(request: GraphRequest, accessToken: string): Promise<unknown>;
}

export interface GraphApiClientOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A small Graph API client over `fetch`. A timeout counts as retryable like any network failure,
 * although Meta may have accepted the request before the answer was lost: the sender accepts that
 * rare duplicate rather than dropping the reply.
 */
export function createGraphApiClient(options: GraphApiClientOptions = {}): GraphApiClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;
  return {
    async post(request, accessToken) {
      let response: Response;
      let text: string;
      try {
        response = await doFetch(request.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(request.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (err) {
        const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (err as Error).name;
        throw new GraphApiError(`Graph API request failed: ${reason}`, { network: true }, { cause: err });
      }
      let json: unknown;
      try {
        json = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!response.ok) throw graphErrorFromResponse(response.status, json);
      return json;
    },
  };
}
