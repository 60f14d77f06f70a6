import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiUrlOf } from '../../../console/src/platform/api-url.ts';
import { sessionOf } from '../../../console/src/platform/session.ts';
import { parseConsoleConfig } from '../../../console/src/platform/config.ts';
import { authorizeUrl, challengeOf, decodeClaims, logoutUrl, newVerifier, tokenRequestBody } from '../../../console/src/platform/pkce.ts';

const auth = {
  authorizeUrl: 'https://signin.example/oauth2/authorize',
  tokenUrl: 'https://signin.example/oauth2/token',
  logoutUrl: 'https://signin.example/logout',
  clientId: 'client123',
  redirectUri: 'https://console.example/console/',
  scopes: ['openid', 'omnichannel/agent'],
};
const config = { apiUrl: 'https://api.example/', webSocketUrl: 'wss://ws.example/live', auth, localSignIn: false };

const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('console platform: PKCE', () => {
  it('makes verifiers of 43 unreserved characters and their S256 challenge', async () => {
    const v = newVerifier();
    expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newVerifier()).not.toBe(v);
    expect(await challengeOf(v)).toBe(createHash('sha256').update(v).digest('base64url'));
  });

  it('asks for a code with the client, redirect URI, scopes, state and challenge', () => {
    const url = new URL(authorizeUrl(auth, 'state1', 'challenge1'));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: 'https://console.example/console/',
      scope: 'openid omnichannel/agent',
      state: 'state1',
      code_challenge: 'challenge1',
      code_challenge_method: 'S256',
    });
    expect(Object.fromEntries(tokenRequestBody(auth, 'code1', 'verifier1'))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'code1',
      redirect_uri: 'https://console.example/console/',
      code_verifier: 'verifier1',
    });
    expect(new URL(logoutUrl(auth)).searchParams.get('logout_uri')).toBe('https://console.example/console/');
  });

  it('reads the claims of a token, and refuses what is not one', () => {
    expect(decodeClaims(jwt({ sub: 'ana', ñ: 'é' }))).toEqual({ sub: 'ana', ñ: 'é' });
    expect(() => decodeClaims('nope')).toThrow();
  });
});

describe('console platform: session', () => {
  it('names the business, the person and the roles of the access token', () => {
    const s = sessionOf(
      jwt({ business_id: 'local', username: 'ana', sub: 'uuid', roles: 'agent supervisor bogus', exp: 2_000_000_000 }),
      jwt({ name: 'Ana Souza' }),
    );
    expect(s).toMatchObject({ businessId: 'local', actor: 'ana', roles: ['agent', 'supervisor'], expiresAt: 2_000_000_000_000, displayName: 'Ana Souza' });
  });

  it('refuses a token of no business', () => {
    expect(() => sessionOf(jwt({ username: 'ana', exp: 2_000_000_000 }))).toThrow(/no business/);
  });
});

describe('console platform: config and API URLs', () => {
  it('accepts a complete config and trims the API URL', () => {
    expect(parseConsoleConfig(config)).toMatchObject({ apiUrl: 'https://api.example', localSignIn: false });
  });

  it('names the field a deployment got wrong', () => {
    expect(() => parseConsoleConfig({ ...config, webSocketUrl: 'https://ws.example' })).toThrow(/webSocketUrl/);
    expect(() => parseConsoleConfig({ ...config, auth: { ...auth, clientId: '<script>' } })).toThrow(/clientId/);
    expect(() => parseConsoleConfig({ ...config, auth: { ...auth, scopes: [] } })).toThrow(/scopes/);
    expect(() => parseConsoleConfig(null)).toThrow(/object/);
  });

  it('builds API URLs on the API origin only, leaving out empty query values', () => {
    expect(apiUrlOf('https://api.example', '/agent/updates', { cursor: 'a b', limit: 5, skip: undefined })).toBe(
      'https://api.example/agent/updates?cursor=a+b&limit=5',
    );
    expect(() => apiUrlOf('https://api.example', '//evil.example/x')).toThrow();
    expect(() => apiUrlOf('https://api.example', 'agent')).toThrow();
  });
});
