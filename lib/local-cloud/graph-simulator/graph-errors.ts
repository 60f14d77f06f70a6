import { newFbtraceId } from '#lib/local-cloud/graph-simulator/sim-ids';

/** The error body every Graph API endpoint answers with. */
export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product?: 'whatsapp'; details: string };
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

export interface GraphErrorResponse {
  status: number;
  body: GraphErrorBody;
}

/**
 * HTTP statuses follow Meta's error-code reference for the Cloud API: an expired or invalid token
 * is 401, throughput and pair-rate limits are 400 like the other request errors (clients are told
 * to act on `code`, not on the HTTP status).
 */
const HTTP_BAD_REQUEST = 400;
const HTTP_UNAUTHORIZED = 401;

interface ErrorParts {
  message: string;
  code: number;
  type?: string;
  subcode?: number;
  details?: string;
  whatsapp?: boolean;
  status?: number;
}

export function graphError(parts: ErrorParts): GraphErrorResponse {
  const errorData = parts.whatsapp ? { messaging_product: 'whatsapp' as const } : {};
  const error: GraphErrorBody['error'] = {
    message: parts.message,
    type: parts.type ?? 'OAuthException',
    code: parts.code,
    ...(parts.subcode === undefined ? {} : { error_subcode: parts.subcode }),
    ...(parts.details === undefined ? {} : { error_data: { ...errorData, details: parts.details } }),
    fbtrace_id: newFbtraceId(),
  };
  return { status: parts.status ?? HTTP_BAD_REQUEST, body: { error } };
}

export function missingTokenError(): GraphErrorResponse {
  return graphError({
    message: 'Invalid OAuth access token - Cannot parse access token',
    code: 190,
    status: HTTP_UNAUTHORIZED,
  });
}

export function invalidTokenError(): GraphErrorResponse {
  return graphError({ message: 'Invalid OAuth access token.', code: 190, status: HTTP_UNAUTHORIZED });
}

export function throughputLimitError(): GraphErrorResponse {
  return graphError({
    message: '(#130429) Rate limit hit',
    code: 130429,
    subcode: 2494055,
    whatsapp: true,
    details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time',
  });
}

/**
 * Code 2, HTTP 500: Meta's temporary service error, marked transient; the send did not happen and
 * may be retried.
 */
export function temporaryServiceError(): GraphErrorResponse {
  const error = graphError({ message: 'An unexpected error has occurred. Please retry your request later.', code: 2, status: 500 });
  error.body.error.is_transient = true;
  return error;
}

export function pairRateLimitError(): GraphErrorResponse {
  return graphError({
    message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
    code: 131056,
    whatsapp: true,
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time',
  });
}

/** Code 100: a parameter is missing, unknown or of the wrong type. The message names it. */
export function invalidParameterError(message: string, whatsapp: boolean, subcode?: number): GraphErrorResponse {
  const parts: ErrorParts = { message: `(#100) ${message}`, code: 100, whatsapp };
  if (whatsapp) parts.details = message;
  if (subcode !== undefined) parts.subcode = subcode;
  return graphError(parts);
}

/** Code 131008: a parameter the message type needs is absent. */
export function requiredParameterMissingError(details: string): GraphErrorResponse {
  return graphError({ message: '(#131008) Required parameter is missing', code: 131008, whatsapp: true, details });
}

/** Code 131009: a parameter is present but its value is not acceptable. */
export function parameterValueInvalidError(details: string): GraphErrorResponse {
  return graphError({ message: '(#131009) Parameter value is not valid', code: 131009, whatsapp: true, details });
}

/** What the Graph API answers for an id it does not know (or the token cannot see). */
export function unknownObjectError(method: 'GET' | 'POST', id: string): GraphErrorResponse {
  return graphError({
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: 'GraphMethodException',
    code: 100,
    subcode: 33,
  });
}

export function unknownPathError(path: string): GraphErrorResponse {
  return graphError({ message: `Unknown path components: ${path}`, code: 2500 });
}

/** Instagram and Messenger refuse, synchronously, a message sent outside the allowed window. */
export function outsideWindowError(channel: 'instagram' | 'messenger'): GraphErrorResponse {
  return graphError({
    message: '(#10) This message is sent outside of allowed window.',
    code: 10,
    subcode: channel === 'instagram' ? 2534022 : 2018278,
  });
}

/** The `errors[]` item of a WhatsApp `failed` status when the 24-hour window had closed. */
export const REENGAGEMENT_STATUS_ERROR = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: {
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
} as const;
