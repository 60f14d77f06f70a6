/** Who is signed in, read from the tokens' claims (no browser state: unit-testable). */
import { decodeClaims } from './pkce.ts';

export type ConsoleRole = 'agent' | 'supervisor' | 'admin' | 'platform';

/** Who is signed in, read from the access token's claims. */
export interface ConsoleSession {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  businessId: string;
  /** The person: the token's `username` (else `sub`), as the audit trail names them. */
  actor: string;
  roles: ConsoleRole[];
  /** The id token's `name` or `email` when the sign-in gave one; for display only. */
  displayName?: string;
}

export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ROLES: readonly ConsoleRole[] = ['agent', 'supervisor', 'admin', 'platform'];

/** A session from an access token (and an id token for the display name). */
export function sessionOf(accessToken: string, idToken?: string): ConsoleSession {
  const claims = decodeClaims(accessToken);
  const businessId = claims.business_id;
  if (typeof businessId !== 'string' || businessId === '') throw new AuthError('no_business', 'This sign-in belongs to no business');
  if (typeof claims.exp !== 'number') throw new AuthError('no_expiry', 'The token has no expiry');
  const roleText = typeof claims.roles === 'string' ? claims.roles.split(' ') : Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [];
  const roles = roleText.filter((r): r is ConsoleRole => typeof r === 'string' && (ROLES as readonly string[]).includes(r));
  const actor = typeof claims.username === 'string' ? claims.username : String(claims.sub ?? '');
  const session: ConsoleSession = { accessToken, expiresAt: claims.exp * 1000, businessId, actor, roles };
  if (idToken) {
    try {
      const id = decodeClaims(idToken);
      const name = typeof id.name === 'string' ? id.name : typeof id.email === 'string' ? id.email : undefined;
      if (name) session.displayName = name.slice(0, 120);
    } catch {
      // The id token is for display only.
    }
  }
  return session;
}
