import { createHash, randomBytes } from 'node:crypto';
import type { LocalSignInPerson } from '#lib/local-cloud/identity/local-sign-in-people';

/** What a sign-in asked for, kept with the code it is answered with. */
export interface AuthorizationGrant {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  /** The S256 challenge of the verifier the token request must show. */
  codeChallenge: string;
  person: LocalSignInPerson;
  nonce?: string;
}

export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    /** RFC 6749's error codes: invalid_request, invalid_client, invalid_grant, invalid_scope, unsupported_grant_type… */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Cognito's authorisation codes are good for five minutes, once. */
export const CODE_LIFETIME_MS = 5 * 60 * 1000;
const MAX_PENDING_CODES = 1_000;
/** RFC 7636: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
export const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The local sign-in's authorisation codes: random, single-use, short-lived, and redeemable only
 * by the client and redirect URI they were issued to, with the PKCE verifier whose S256 hash is
 * the challenge the sign-in began with.
 */
export class AuthorizationCodes {
  private readonly codes = new Map<string, { grant: AuthorizationGrant; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(grant: AuthorizationGrant): string {
    this.sweep();
    if (this.codes.size >= MAX_PENDING_CODES) throw new OAuthError('temporarily_unavailable', 'Too many sign-ins under way');
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { grant, expiresAt: this.now() + CODE_LIFETIME_MS });
    return code;
  }

  /** The grant of a code, which is spent whether or not the request is right (RFC 6749 §4.1.2). */
  redeem(request: { code: string; clientId: string; redirectUri: string; codeVerifier: string }): AuthorizationGrant {
    const entry = this.codes.get(request.code);
    this.codes.delete(request.code);
    if (!entry || entry.expiresAt <= this.now()) throw new OAuthError('invalid_grant', 'The code is unknown, used or expired');
    if (entry.grant.clientId !== request.clientId) throw new OAuthError('invalid_grant', 'The code was issued to another client');
    if (entry.grant.redirectUri !== request.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri differs from the sign-in request');
    if (!VERIFIER.test(request.codeVerifier)) throw new OAuthError('invalid_request', 'code_verifier must be 43 to 128 unreserved characters');
    if (s256(request.codeVerifier) !== entry.grant.codeChallenge) throw new OAuthError('invalid_grant', 'code_verifier does not match the code challenge');
    return entry.grant;
  }

  get pending(): number {
    return this.codes.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [code, entry] of this.codes) if (entry.expiresAt <= now) this.codes.delete(code);
  }
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
