/**
 * Signing in to the console: the OAuth 2.0 authorisation code flow with PKCE against Cognito's
 * hosted sign-in in AWS, or the local cloud's sign-in page, with one code path for both. Tokens
 * stay in this tab's sessionStorage (gone when the tab closes); nothing is kept in cookies.
 */
import { loadConsoleConfig } from './config.ts';
import { authorizeUrl, challengeOf, logoutUrl, newState, newVerifier, tokenRequestBody } from './pkce.ts';
import { AuthError, type ConsoleSession, sessionOf } from './session.ts';

export { AuthError, type ConsoleRole, type ConsoleSession, sessionOf } from './session.ts';

const PENDING_KEY = 'console.signIn';
const TOKENS_KEY = 'console.tokens';
/** A token this close to expiry is treated as expired, so a request does not leave with a dying one. */
const EXPIRY_MARGIN_MS = 30_000;

interface PendingSignIn {
  state: string;
  verifier: string;
  /** The console path the person was on, restored after sign-in. */
  returnTo: string;
}

interface StoredTokens {
  accessToken: string;
  idToken?: string;
}

/** Sends the browser to the sign-in page; it comes back to the console with a code. */
export async function signIn(returnTo: string = location.pathname + location.search + location.hash): Promise<never> {
  const config = await loadConsoleConfig();
  const pending: PendingSignIn = { state: newState(), verifier: newVerifier(), returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(authorizeUrl(config.auth, pending.state, await challengeOf(pending.verifier)));
  // The page is being replaced.
  return new Promise<never>(() => {});
}

/**
 * Call once at start: when the URL carries the sign-in's answer (`?code=&state=` or `?error=`),
 * exchanges the code for tokens, stores them and restores the person's path; then (or otherwise)
 * answers the current session, or null when nobody is signed in.
 */
export async function handleRedirect(): Promise<ConsoleSession | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return currentSession();

  const pendingText = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = pendingText ? (JSON.parse(pendingText) as PendingSignIn) : undefined;
  history.replaceState(null, '', safeReturnPath(pending?.returnTo));
  if (error) throw new AuthError(error.slice(0, 60), params.get('error_description')?.slice(0, 200) || 'The sign-in was not completed');
  if (!pending || params.get('state') !== pending.state) {
    throw new AuthError('state_mismatch', 'This sign-in answer was not asked for by this tab; sign in again');
  }

  const config = await loadConsoleConfig();
  const response = await fetch(config.auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody(config.auth, code!, pending.verifier),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new AuthError(typeof body.error === 'string' ? body.error.slice(0, 60) : 'token_refused', 'The sign-in could not be completed; sign in again');
  }
  const tokens: StoredTokens = { accessToken: body.access_token, ...(typeof body.id_token === 'string' ? { idToken: body.id_token } : {}) };
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
  return currentSession();
}

/** The signed-in person, or null when nobody is or the token has expired. */
export function currentSession(now: number = Date.now()): ConsoleSession | null {
  const text = sessionStorage.getItem(TOKENS_KEY);
  if (!text) return null;
  try {
    const tokens = JSON.parse(text) as StoredTokens;
    const session = sessionOf(tokens.accessToken, tokens.idToken);
    if (session.expiresAt - EXPIRY_MARGIN_MS <= now) return null;
    return session;
  } catch {
    sessionStorage.removeItem(TOKENS_KEY);
    return null;
  }
}

/** Forgets the tokens and ends the sign-in's own session, which sends the browser back to the console. */
export async function signOut(): Promise<never> {
  sessionStorage.removeItem(TOKENS_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const config = await loadConsoleConfig();
  location.assign(logoutUrl(config.auth));
  return new Promise<never>(() => {});
}

/** Only a path of this site, never another origin a crafted `returnTo` might name. */
function safeReturnPath(returnTo: string | undefined): string {
  const fallback = (import.meta as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/console/';
  if (!returnTo?.startsWith('/') || returnTo.startsWith('//')) return fallback;
  return returnTo;
}
