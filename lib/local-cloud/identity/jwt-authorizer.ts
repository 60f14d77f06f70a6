import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** An `AWS::ApiGatewayV2::Authorizer` of type JWT, its intrinsics resolved. */
export interface JwtAuthorizerConfig {
  logicalId: string;
  issuer: string;
  audience: string[];
}

/** What API Gateway hands the integration: `requestContext.authorizer.jwt`. */
export interface JwtAuthorizerContext {
  claims: Record<string, string>;
  scopes: string[] | null;
}

export type JwtAuthorization =
  | { ok: true; jwt: JwtAuthorizerContext }
  | { ok: false; status: 401 | 403; body: { message: 'Unauthorized' | 'Forbidden' }; wwwAuthenticate: string };

/** The key set of an issuer, as API Gateway fetches it from the issuer's jwks_uri; none for an issuer it cannot reach. */
export type IssuerKeys = (issuer: string) => JWTVerifyGetKey | undefined;

/** API Gateway's JWT authorisers accept RSA signatures only. */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/**
 * API Gateway's JWT authoriser, step by step as documented: the token from the Authorization
 * header (bare or after `Bearer`), a `kid` naming one of the issuer's keys, an RSA signature,
 * `iss` equal to the authoriser's issuer, `aud` (or `client_id` when there is no `aud`) among its
 * audiences, `exp` in the future, `nbf` and `iat` not, then at least one of the route's scopes
 * in `scope` (or `scp`). A failed check of the token is a 401, missing scopes a 403; either way the
 * integration is never called.
 */
export async function authorizeJwt(input: {
  authorizationHeader: string | undefined;
  authorizer: JwtAuthorizerConfig;
  routeScopes: readonly string[];
  issuerKeys: IssuerKeys;
  nowSeconds?: number;
}): Promise<JwtAuthorization> {
  const token = tokenOf(input.authorizationHeader);
  if (!token) return unauthorized('');
  const keys = input.issuerKeys(input.authorizer.issuer);
  if (!keys) return unauthorized('invalid_token', 'unable to fetch the issuer keys');
  let payload: JWTPayload;
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.kid !== 'string' || !header.kid) return unauthorized('invalid_token', 'the token has no kid');
    const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: RSA_ALGORITHMS,
      issuer: input.authorizer.issuer,
      currentDate: new Date(now * 1000),
    }));
    if (typeof payload.iat === 'number' && payload.iat > now) return unauthorized('invalid_token', 'the token was issued in the future');
  } catch (err) {
    return unauthorized('invalid_token', describe(err));
  }
  if (!audienceMatches(payload, input.authorizer.audience)) return unauthorized('invalid_token', 'the token does not have a valid audience');

  const tokenScopes = scopesOf(payload);
  if (input.routeScopes.length > 0 && !input.routeScopes.some((s) => tokenScopes.includes(s))) {
    return {
      ok: false,
      status: 403,
      body: { message: 'Forbidden' },
      wwwAuthenticate: `Bearer scope="${input.routeScopes.join(' ')}" error="insufficient_scope" error_description="the token does not have any of the route's scopes"`,
    };
  }
  return { ok: true, jwt: { claims: stringifyClaims(payload), scopes: input.routeScopes.length > 0 ? tokenScopes : null } };
}

/** `Bearer <jwt>` or a bare `<jwt>`; anything else is no token. */
export function tokenOf(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  const token = /^Bearer\s+/i.test(value) ? value.replace(/^Bearer\s+/i, '') : value;
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token) ? token : undefined;
}

/** `aud` when the token has one (string or list), else `client_id`. */
function audienceMatches(payload: JWTPayload, audience: readonly string[]): boolean {
  if (payload.aud !== undefined) {
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return aud.some((a) => typeof a === 'string' && audience.includes(a));
  }
  const clientId = (payload as Record<string, unknown>).client_id;
  return typeof clientId === 'string' && audience.includes(clientId);
}

function scopesOf(payload: JWTPayload): string[] {
  const raw = (payload as Record<string, unknown>).scope ?? (payload as Record<string, unknown>).scp;
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
}

/**
 * Claims as HTTP APIs pass them to integrations (payload 2.0): every value a string; numbers and
 * booleans in their text form, lists as `[a b]` (the form seen for `cognito:groups`). Nested
 * objects are rare in access tokens; they are passed as JSON text here.
 */
export function stringifyClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    out[name] = claimText(value);
  }
  return out;
}

function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(claimText).join(' ')}]`;
  return JSON.stringify(value);
}

function unauthorized(error: '' | 'invalid_token', description?: string): JwtAuthorization {
  const challenge = error ? `Bearer error="${error}" error_description="${description ?? ''}"` : 'Bearer';
  return { ok: false, status: 401, body: { message: 'Unauthorized' }, wwwAuthenticate: challenge };
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'the token does not have a valid issuer';
    if (err.claim === 'nbf') return 'the token is not valid yet';
    return `the token's ${err.claim} claim is not valid`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) return 'the token signature is not valid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not supported';
  return 'the token is not a valid JWT';
}
