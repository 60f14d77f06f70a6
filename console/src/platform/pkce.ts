/**
 * OAuth 2.0 authorisation code with PKCE (RFC 7636), the pieces that need no browser state:
 * the verifier and its S256 challenge, the authorisation URL, the token request body, and the
 * claims of a token. Cognito's hosted sign-in and the local cloud's sign-in page speak the same.
 */
import type { ConsoleAuthConfig } from './config.ts';

/** 32 random bytes in base64url: 43 characters, within RFC 7636's 43–128. */
export function newVerifier(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** An opaque value the sign-in hands back unchanged, to tie a redirect to this browser's request. */
export function newState(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function authorizeUrl(auth: ConsoleAuthConfig, state: string, challenge: string): string {
  const url = new URL(auth.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', auth.clientId);
  url.searchParams.set('redirect_uri', auth.redirectUri);
  url.searchParams.set('scope', auth.scopes.join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export function tokenRequestBody(auth: ConsoleAuthConfig, code: string, verifier: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: auth.clientId,
    code,
    redirect_uri: auth.redirectUri,
    code_verifier: verifier,
  });
}

export function logoutUrl(auth: ConsoleAuthConfig): string {
  const url = new URL(auth.logoutUrl);
  url.searchParams.set('client_id', auth.clientId);
  url.searchParams.set('logout_uri', auth.redirectUri);
  return url.toString();
}

/** The payload of a JWT, unverified: the API verifies every token; the console only reads who it is for. */
export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('Not a JWT');
  const json = new TextDecoder().decode(fromBase64Url(payload));
  const claims: unknown = JSON.parse(json);
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('Not a JWT');
  return claims as Record<string, unknown>;
}

export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
