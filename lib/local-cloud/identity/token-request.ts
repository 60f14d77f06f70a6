import { OPERATOR_ROLES, type OperatorRole } from '#lambdas/identity/operator-identity';
import { ALL_OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';

/** What a caller of the local token route asks for. */
export interface TokenRequest {
  businessId: string;
  /** A person's user id or a machine client's id; the token's `sub` and `username`. */
  subject: string;
  roles: OperatorRole[];
  /** Default: every operator scope, as the console client is granted. */
  scopes?: string[];
  /** Seconds; Cognito allows access tokens from 5 minutes to 1 day, locally 1 second to 1 day. */
  expiresIn?: number;
  /** The app client the token is for, by logical id or client id; default the console client. */
  client?: string;
}

export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
}

/** Scopes the local user pool can put in a token: the resource server's and Cognito's own. */
export const ISSUABLE_SCOPES: readonly string[] = [...ALL_OPERATOR_SCOPES, 'openid', 'email', 'profile', 'aws.cognito.signin.user.admin'];

export const MAX_EXPIRES_IN_SECONDS = 24 * 60 * 60;
const BUSINESS_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,127}$/;
const CLIENT = /^[A-Za-z0-9_-]{1,128}$/;

/** Reads a token request from an untrusted body; every refusal says what is wrong. */
export function parseTokenRequest(body: unknown): TokenRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TokenRequestError('The body must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = new Set(['businessId', 'subject', 'roles', 'scopes', 'expiresIn', 'client']);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length) throw new TokenRequestError(`Unknown field(s): ${unknown.slice(0, 5).join(', ')}`);

  if (typeof b.businessId !== 'string' || !BUSINESS_ID.test(b.businessId)) {
    throw new TokenRequestError('businessId is required: letters, digits, dot, dash or underscore, at most 100');
  }
  if (typeof b.subject !== 'string' || !SUBJECT.test(b.subject)) {
    throw new TokenRequestError('subject is required: letters, digits and ._@+:- , at most 128');
  }
  if (!Array.isArray(b.roles) || b.roles.length === 0 || b.roles.length > OPERATOR_ROLES.length) {
    throw new TokenRequestError(`roles is required: a non-empty list of ${OPERATOR_ROLES.join(', ')}`);
  }
  const roles = b.roles.map((r) => {
    if (typeof r !== 'string' || !(OPERATOR_ROLES as readonly string[]).includes(r)) {
      throw new TokenRequestError(`Unknown role ${JSON.stringify(String(r)).slice(0, 40)}; roles are ${OPERATOR_ROLES.join(', ')}`);
    }
    return r as OperatorRole;
  });

  const request: TokenRequest = { businessId: b.businessId, subject: b.subject, roles: [...new Set(roles)] };
  if (b.scopes !== undefined) {
    if (!Array.isArray(b.scopes) || b.scopes.length > ISSUABLE_SCOPES.length) {
      throw new TokenRequestError(`scopes must be a list of ${ISSUABLE_SCOPES.join(', ')}`);
    }
    request.scopes = [
      ...new Set(
        b.scopes.map((s) => {
          if (typeof s !== 'string' || !ISSUABLE_SCOPES.includes(s)) {
            throw new TokenRequestError(`Unknown scope ${JSON.stringify(String(s)).slice(0, 60)}; scopes are ${ISSUABLE_SCOPES.join(', ')}`);
          }
          return s;
        }),
      ),
    ];
  }
  if (b.expiresIn !== undefined) {
    if (typeof b.expiresIn !== 'number' || !Number.isInteger(b.expiresIn) || b.expiresIn < 1 || b.expiresIn > MAX_EXPIRES_IN_SECONDS) {
      throw new TokenRequestError(`expiresIn must be whole seconds from 1 to ${MAX_EXPIRES_IN_SECONDS}`);
    }
    request.expiresIn = b.expiresIn;
  }
  if (b.client !== undefined) {
    if (typeof b.client !== 'string' || !CLIENT.test(b.client)) throw new TokenRequestError('client must be an app client logical id or client id');
    request.client = b.client;
  }
  return request;
}
