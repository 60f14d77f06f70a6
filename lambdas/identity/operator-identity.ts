import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { OperatorRequestError } from '#lambdas/identity/errors';
import { OPERATOR_CLAIMS } from '#lambdas/identity/operator-scopes';

export const OPERATOR_ROLES = ['agent', 'supervisor', 'admin', 'platform'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Who is calling, for which business, with which roles: read from the verified access token. */
export interface OperatorIdentity {
  /** The token's subject: a person's Cognito user id, or a machine client's id. */
  subject: string;
  /** A readable name for the audit trail: the person's username, or the client id. */
  actor: string;
  businessId: string;
  /** As granted, before the hierarchy is applied (for the audit trail). */
  roles: readonly OperatorRole[];
  scopes: readonly string[];
  clientId?: string;
}

const MAX_CLAIM_CHARS = 200;
const BUSINESS_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

type Claims = Record<string, string | number | boolean | string[] | undefined>;

interface JwtAuthorizerContext {
  authorizer?: { jwt?: { claims?: Claims; scopes?: string[] | null } };
}

/**
 * The caller of an operator route. API Gateway's JWT authoriser has already verified the token's
 * signature, issuer, audience (client id), expiry and the route's scopes, and hands its claims to
 * the function; anything it did not hand over is refused here (401). HTTP APIs pass array claims
 * as one string, `"[agent supervisor]"`, so list claims are read in every form they come in.
 */
export function operatorIdentityOf(event: APIGatewayProxyEventV2): OperatorIdentity {
  const jwt = (event.requestContext as JwtAuthorizerContext).authorizer?.jwt;
  const claims = jwt?.claims;
  if (!claims) throw new OperatorRequestError(401, 'unauthorized', 'A valid access token is required');
  const subject = claimText(claims[OPERATOR_CLAIMS.subject]);
  const businessId = claimText(claims[OPERATOR_CLAIMS.businessId]);
  if (!subject) throw new OperatorRequestError(401, 'unauthorized', 'The token names no subject');
  if (!businessId || !BUSINESS_ID.test(businessId)) {
    throw new OperatorRequestError(403, 'no_business', 'The token does not name the business it acts for');
  }
  const roleClaim = claims[OPERATOR_CLAIMS.roles] ?? claims[OPERATOR_CLAIMS.groups];
  const roles = claimList(roleClaim).filter((r): r is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(r));
  const scopes = jwt.scopes?.length ? jwt.scopes : claimList(claims[OPERATOR_CLAIMS.scope]);
  const clientId = claimText(claims[OPERATOR_CLAIMS.clientId]);
  const username = claimText(claims[OPERATOR_CLAIMS.username]);
  return {
    subject,
    actor: username ?? clientId ?? subject,
    businessId,
    roles: [...new Set(roles)],
    scopes,
    ...(clientId ? { clientId } : {}),
  };
}

function claimText(value: Claims[string]): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text && text.length <= MAX_CLAIM_CHARS ? text : undefined;
}

/** `["a","b"]`, `"[a b]"` (API Gateway's form), `"a b"` and `"a,b"` all read as `[a, b]`. */
export function claimList(value: Claims[string]): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  if (typeof value !== 'string') return [];
  const inner = value.trim().replace(/^\[(.*)\]$/s, '$1');
  return inner
    .split(/[\s,]+/)
    .map((v) => v.replace(/^"(.*)"$/, '$1').trim())
    .filter(Boolean);
}
