import { claimList, OPERATOR_ROLES, type OperatorRole } from '#lambdas/identity/operator-identity';
import { fullScope, OPERATOR_CLAIMS, OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';

/** Verifies an operator access token (signature, issuer, token use, client, expiry) and returns its claims; throws when it is not valid. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Record<string, unknown>>;
}

/** What the authoriser hands `$connect` and every later route of the connection (strings only). */
export interface ConnectionContext {
  businessId: string;
  /** The operator's username (the routing agent id), else the client id, else the subject. */
  actor: string;
  /** Space-separated roles. */
  roles: string;
}

export type ConnectionVerdict =
  | { effect: 'Allow'; principalId: string; context: ConnectionContext }
  /** A valid token that may not open a push connection: API Gateway answers 403. */
  | { effect: 'Deny'; principalId: string; reason: 'missing_scope' | 'no_business' | 'no_role' }
  /** No token, or one that does not verify: API Gateway answers 401. */
  | { effect: 'Unauthorized'; reason: 'no_token' | 'invalid_token' };

export const PUSH_SCOPE = fullScope(OPERATOR_SCOPES.agent);
const BUSINESS_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_CHARS = 8192;
const MAX_CLAIM_CHARS = 200;

/**
 * The `$connect` authoriser's decision. WebSocket APIs cannot use JWT authorisers, so this does what
 * the HTTP API's JWT authoriser and operator-identity.ts do together: a verified access token of the
 * operators' pool, the `omnichannel/agent` scope, a business and at least one operator role.
 */
export async function authorizeConnection(token: string | undefined, verifier: AccessTokenVerifier): Promise<ConnectionVerdict> {
  if (typeof token !== 'string' || token.length === 0) return { effect: 'Unauthorized', reason: 'no_token' };
  if (token.length > MAX_TOKEN_CHARS || !TOKEN.test(token)) return { effect: 'Unauthorized', reason: 'invalid_token' };
  let claims: Record<string, unknown>;
  try {
    claims = await verifier.verify(token);
  } catch {
    return { effect: 'Unauthorized', reason: 'invalid_token' };
  }
  const subject = text(claims[OPERATOR_CLAIMS.subject]);
  if (!subject) return { effect: 'Unauthorized', reason: 'invalid_token' };
  const scopes = claimList(claims[OPERATOR_CLAIMS.scope] as string | string[] | undefined);
  if (!scopes.includes(PUSH_SCOPE)) return { effect: 'Deny', principalId: subject, reason: 'missing_scope' };
  const businessId = text(claims[OPERATOR_CLAIMS.businessId]);
  if (!businessId || !BUSINESS_ID.test(businessId)) return { effect: 'Deny', principalId: subject, reason: 'no_business' };
  const roleClaim = (claims[OPERATOR_CLAIMS.roles] ?? claims[OPERATOR_CLAIMS.groups]) as string | string[] | undefined;
  const roles = [...new Set(claimList(roleClaim).filter((r): r is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(r)))];
  if (roles.length === 0) return { effect: 'Deny', principalId: subject, reason: 'no_role' };
  const actor = text(claims[OPERATOR_CLAIMS.username]) ?? text(claims[OPERATOR_CLAIMS.clientId]) ?? subject;
  return { effect: 'Allow', principalId: subject, context: { businessId, actor, roles: roles.join(' ') } };
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t && t.length <= MAX_CLAIM_CHARS ? t : undefined;
}
