import { STATUS_CODES } from 'node:http';
import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';
import type { CallCounter } from '#lib/local-cloud/aws/call-counter';
import type { Clock } from '#lib/local-cloud/aws/clock';
import type { ApiDestinationStore } from '#lib/local-cloud/aws/eventbridge/api-destinations';
import type { ConnectionStore } from '#lib/local-cloud/aws/eventbridge/connections';
import { InvocationRateLimiter } from '#lib/local-cloud/aws/eventbridge/invocation-rate-limiter';
import { resolveDynamicPath as resolveDynamic } from '#lib/local-cloud/aws/eventbridge/json-path';
import {
  OutboundConnectionError,
  OutboundRequestError,
  OutboundTimeoutError,
  retryAfterMs,
  sendOutbound,
  type OutboundResponse,
} from '#lib/local-cloud/aws/eventbridge/outbound-http';
import { TargetDeliveryError } from '#lib/local-cloud/aws/eventbridge/target-delivery-error';

/** A target's HttpParameters. PathParameterValues and QueryStringParameters values may be JSON paths into the event. */
export interface HttpParametersSpec {
  pathParameterValues?: string[];
  /** Static values only: EventBridge documents dynamic values for every HttpParameters field except headers. */
  headerParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
}

/** "EventBridge requests to an API destination endpoint must have a maximum client execution timeout of 5 seconds." */
export const API_DESTINATION_TIMEOUT_MS = 5_000;

/** Sent on every request ("Headers included in requests to API destinations", user guide); parameters cannot change them. */
const FIXED_HEADERS: Record<string, string> = {
  'User-Agent': 'Amazon/EventBridge/ApiDestinations',
  Range: 'bytes=0-1048575',
  'Accept-Encoding': 'gzip,deflate',
  Connection: 'close',
};
const DEFAULT_CONTENT_TYPE = 'application/json; charset=utf-8';
/** Headers the transport owns; a parameter naming one is dropped. */
const TRANSPORT_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'user-agent',
  'range',
  'accept-encoding',
  'expect',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
]);

const API_DESTINATION_ARN = /^arn:aws:events:[^:]+:[^:]+:api-destination\//;

export function isApiDestinationArn(arn: string): boolean {
  return API_DESTINATION_ARN.test(arn);
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/;
const HEADER_VALUE = /^[ \t]*[\x20-\x7E]+([ \t]+[\x20-\x7E]+)*[ \t]*$/;
const QUERY_KEY = /^[^\x00-\x1F\x7F]+$/;
const QUERY_VALUE = /^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F]+$/;

/** PutTargets' checks on HttpParameters (the API reference's patterns, 512 characters at most). */
export function validateHttpParameters(params: HttpParametersSpec | undefined, targetId: string): void {
  if (!params) return;
  const invalid = (what: string) => new AwsServiceError('ValidationException', `Target ${targetId}: HttpParameters ${what} is not valid.`);
  for (const [k, v] of Object.entries(params.headerParameters ?? {})) {
    if (k.length > 512 || !HEADER_NAME.test(k) || v.length > 512 || !HEADER_VALUE.test(v)) throw invalid(`header ${k.slice(0, 64)}`);
  }
  for (const [k, v] of Object.entries(params.queryStringParameters ?? {})) {
    if (k.length > 512 || !QUERY_KEY.test(k) || v.length > 512 || !QUERY_VALUE.test(v)) throw invalid(`query parameter ${k.slice(0, 64)}`);
  }
  for (const v of params.pathParameterValues ?? []) {
    if (v.trim() === '' || /[\r\n]/.test(v)) throw invalid('path parameter value');
  }
}

export interface InvocationResult {
  status: number;
}

/**
 * Calls an API destination for one event as EventBridge does: the connection's credentials and
 * invocation parameters merged with the target's HttpParameters (the connection's win), `*` in the
 * endpoint's path filled from PathParameterValues in order, the documented fixed headers, a
 * 5-second timeout on the emulator's clock. Outcomes as the user guide lists them: 2xx delivered;
 * 401, 407, 409, 429, 5xx and timeouts retried (a 401/407 also drops an OAuth token); other
 * statuses, 3xx included (redirects are not followed), fail without retries.
 */
export class ApiDestinationInvoker {
  readonly limiter: InvocationRateLimiter;
  private readonly connections: ConnectionStore;
  private readonly destinations: ApiDestinationStore;
  private readonly clock: Clock;
  private readonly calls: CallCounter | undefined;

  constructor(options: { connections: ConnectionStore; destinations: ApiDestinationStore; clock: Clock; calls?: CallCounter | undefined }) {
    this.connections = options.connections;
    this.destinations = options.destinations;
    this.clock = options.clock;
    this.calls = options.calls;
    this.limiter = new InvocationRateLimiter(options.clock);
  }

  /** When the next invocation of this destination may start under its rate limit (now for an unknown one). */
  reserveStart(targetArn: string): number {
    const destination = this.destinations.byArn(targetArn);
    return destination ? this.limiter.reserve(destination.arn, destination.invocationRateLimitPerSecond) : this.clock.now();
  }

  async invoke(input: { targetArn: string; payload: string; event: unknown; httpParameters?: HttpParametersSpec | undefined }): Promise<InvocationResult> {
    const destination = this.destinations.byArn(input.targetArn);
    if (!destination) {
      throw new TargetDeliveryError('ResourceNotFoundException', `API destination ${input.targetArn} does not exist.`, { retryable: false });
    }
    const connection = this.connections.byArn(destination.connectionArn);
    if (!connection || connection.state === 'DEAUTHORIZED' || connection.state === 'DEAUTHORIZING') {
      const why = connection ? `connection ${connection.name} is ${connection.state}` : `connection ${destination.connectionArn} does not exist`;
      throw new TargetDeliveryError('SDK_CLIENT_ERROR', `Unable to invoke ApiDestination endpoint: ${why}.`, { retryable: false });
    }
    const auth = await this.connections.authorization(connection);
    const params = input.httpParameters ?? {};

    const url = new URL(destination.invocationEndpoint);
    const pathValues = (params.pathParameterValues ?? []).map((v) => resolveDynamic(v, input.event));
    let path = url.pathname;
    for (const value of pathValues) {
      if (!path.includes('*')) break;
      path = path.replace('*', encodeURIComponent(value));
    }
    url.pathname = path;
    for (const [k, v] of Object.entries(params.queryStringParameters ?? {})) url.searchParams.set(k, resolveDynamic(v, input.event));
    for (const [k, v] of auth.query) url.searchParams.set(k, v);

    const headers: Record<string, string> = {};
    const setHeader = (name: string, value: string) => {
      if (TRANSPORT_HEADERS.has(name.toLowerCase())) return;
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      headers[name] = value;
    };
    for (const [k, v] of Object.entries(params.headerParameters ?? {})) setHeader(k, v);
    for (const [k, v] of Object.entries(auth.headers)) setHeader(k, v);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = DEFAULT_CONTENT_TYPE;
    Object.assign(headers, FIXED_HEADERS);

    const withBody = destination.httpMethod !== 'GET' && destination.httpMethod !== 'HEAD';
    const body = withBody ? Buffer.from(mergeBodyParameters(input.payload, auth.body), 'utf8') : undefined;

    this.calls?.record('events', 'ApiDestinationInvocation');
    let status: number;
    let responseHeaders: OutboundResponse['headers'];
    try {
      const res = await sendOutbound({ url, method: destination.httpMethod, headers, body, timeoutMs: API_DESTINATION_TIMEOUT_MS }, this.clock);
      status = res.status;
      responseHeaders = res.headers;
    } catch (err) {
      if (err instanceof OutboundTimeoutError) {
        throw new TargetDeliveryError('UNKNOWN', 'Unable to invoke ApiDestination endpoint: Timeout calling endpoint for API Destination: socket closed.', {
          retryable: true,
          cause: err,
        });
      }
      if (err instanceof OutboundRequestError) {
        throw new TargetDeliveryError('SDK_CLIENT_ERROR', `Unable to invoke ApiDestination endpoint: the request is not valid HTTP (${err.message}).`, {
          retryable: false,
          cause: err,
        });
      }
      const dns = err instanceof OutboundConnectionError && /ENOTFOUND|EAI_AGAIN/.test(err.message);
      throw new TargetDeliveryError('SDK_CLIENT_ERROR', 'Unable to invoke ApiDestination endpoint: API destination endpoint cannot be reached.', {
        retryable: !dns,
        cause: err,
      });
    }
    if (status >= 200 && status < 300) return { status };
    if ((status === 401 || status === 407) && connection.authorizationType === 'OAUTH_CLIENT_CREDENTIALS') this.connections.tokens.invalidate(connection.arn);
    const retryable = status === 401 || status === 407 || status === 409 || status === 429 || status >= 500;
    throw new TargetDeliveryError(
      'SDK_CLIENT_ERROR',
      `Unable to invoke ApiDestination endpoint: The endpoint responded with HTTP ${status} ${STATUS_CODES[status] ?? ''}.`.replace(' .', '.'),
      {
        retryable,
        httpStatus: status,
        retryAfterMs: retryable ? retryAfterMs(responseHeaders['retry-after'], this.clock.now()) : undefined,
      },
    );
  }
}

/** The connection's body parameters go into a JSON object body (they win on a conflict); other bodies are left alone. */
function mergeBodyParameters(payload: string, bodyParameters: Array<[string, string]>): string {
  if (bodyParameters.length === 0) return payload;
  try {
    const parsed: unknown = JSON.parse(payload);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return payload;
    return JSON.stringify({ ...(parsed as Record<string, unknown>), ...Object.fromEntries(bodyParameters) });
  } catch {
    return payload;
  }
}
