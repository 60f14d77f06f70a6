import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationCodes, CODE_LIFETIME_MS } from '#lib/local-cloud/identity/authorization-codes';
import { DEFAULT_SIGN_IN_PEOPLE } from '#lib/local-cloud/identity/local-sign-in-people';
import { type OperatorApiFixture, startOperatorApi } from '#test/unit/local-cloud/identity/operator-api-fixture';

const verifier = () => randomBytes(32).toString('base64url');
const challenge = (v: string) => createHash('sha256').update(v).digest('base64url');

describe('local hosted sign-in (authorisation code + PKCE)', () => {
  let f: OperatorApiFixture;
  let clientId: string;
  let redirectUri: string;
  beforeAll(async () => {
    f = await startOperatorApi();
    clientId = f.identity.operator!.defaultClientId;
    redirectUri = `${f.api.url}/console/`;
  });
  afterAll(() => f.close());

  const authorizeQuery = (over: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: 'openid omnichannel/agent omnichannel/admin',
      state: 'st-123',
      code_challenge_method: 'S256',
      ...over,
    });

  /** Chooses a person on the sign-in page; answers the redirect's Location. */
  async function choose(person: string, v: string, over: Record<string, string> = {}): Promise<URL> {
    const form = authorizeQuery({ code_challenge: challenge(v), person, ...over });
    const res = await fetch(`${f.api.url}/login`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  const token = (fields: Record<string, string>) =>
    fetch(`${f.api.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, redirect_uri: redirectUri, ...fields }),
    });

  it('shows the seeded people, says there is no password, and carries the request in its forms', async () => {
    const res = await fetch(`${f.api.url}/oauth2/authorize?${authorizeQuery({ code_challenge: challenge(verifier()) })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toMatch(/no password/i);
    for (const p of DEFAULT_SIGN_IN_PEOPLE) expect(html).toContain(`data-person="${p.subject}"`);
    expect(html).toContain('name="state" value="st-123"');
  });

  it('never redirects to an unregistered URI or for an unknown client: an error page instead', async () => {
    const evil = await fetch(
      `${f.api.url}/oauth2/authorize?${authorizeQuery({ redirect_uri: 'https://evil.example/cb', code_challenge: challenge(verifier()) })}`,
      { redirect: 'manual' },
    );
    expect(evil.status).toBe(400);
    expect(evil.headers.get('location')).toBeNull();
    const unknown = await fetch(`${f.api.url}/oauth2/authorize?${authorizeQuery({ client_id: 'nope', code_challenge: challenge(verifier()) })}`, {
      redirect: 'manual',
    });
    expect(unknown.status).toBe(400);
  });

  it('sends a request without PKCE back to the client with an error', async () => {
    const res = await fetch(`${f.api.url}/oauth2/authorize?${authorizeQuery()}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('state')).toBe('st-123');
  });

  it('trades the code and its verifier for Cognito-shaped access and id tokens of the chosen person', async () => {
    const v = verifier();
    const back = await choose('sofia', v);
    expect(back.searchParams.get('state')).toBe('st-123');
    const res = await token({ code: back.searchParams.get('code')!, code_verifier: v });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; id_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    const keys = createLocalJWKSet(f.identity.operator!.jwks());
    const access = (await jwtVerify(body.access_token, keys, { issuer: f.identity.operator!.issuer })).payload;
    expect(access).toMatchObject({ business_id: 'local', roles: 'supervisor', username: 'sofia', client_id: clientId, token_use: 'access' });
    expect(String(access.scope).split(' ').sort()).toEqual(['omnichannel/admin', 'omnichannel/agent', 'openid']);
    const id = (await jwtVerify(body.id_token, keys, { issuer: f.identity.operator!.issuer, audience: clientId })).payload;
    expect(id).toMatchObject({ token_use: 'id', 'cognito:username': 'sofia', 'custom:business_id': 'local' });
    // The token works on an operator route.
    const call = await f.call('GET', '/agent/conversations', { authorization: `Bearer ${body.access_token}` });
    expect(call.status).toBe(200);
  });

  it('refuses a wrong verifier, a second use of a code, another redirect URI and another grant type', async () => {
    const v = verifier();
    const code = (await choose('ana', v)).searchParams.get('code')!;
    const wrong = await token({ code, code_verifier: verifier() });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    // The code was spent by the failed attempt.
    expect((await token({ code, code_verifier: v })).status).toBe(400);

    const v2 = verifier();
    const code2 = (await choose('ana', v2)).searchParams.get('code')!;
    expect((await token({ code: code2, code_verifier: v2, redirect_uri: 'http://127.0.0.1:1/console/' })).status).toBe(400);

    const refresh = await token({ grant_type: 'refresh_token', refresh_token: 'x' });
    expect(await refresh.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const json = await fetch(`${f.api.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
  });

  it('refuses a person the page does not offer', async () => {
    const form = authorizeQuery({ code_challenge: challenge(verifier()), person: 'mallory' });
    const res = await fetch(`${f.api.url}/login`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('signs out to a registered URL only', async () => {
    const ok = await fetch(`${f.api.url}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: redirectUri })}`, { redirect: 'manual' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe(redirectUri);
    const evil = await fetch(`${f.api.url}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: 'https://evil.example/' })}`, {
      redirect: 'manual',
    });
    expect(evil.status).toBe(400);
  });
});

describe('authorisation codes', () => {
  const person = DEFAULT_SIGN_IN_PEOPLE[0]!;
  it('expire after five minutes', () => {
    let now = 1_000_000;
    const codes = new AuthorizationCodes(() => now);
    const v = verifier();
    const code = codes.issue({ clientId: 'c', redirectUri: 'http://x/', scopes: [], codeChallenge: challenge(v), person });
    now += CODE_LIFETIME_MS + 1;
    expect(() => codes.redeem({ code, clientId: 'c', redirectUri: 'http://x/', codeVerifier: v })).toThrow(/expired/);
  });

  it('are redeemed only by the client they were issued to', () => {
    const codes = new AuthorizationCodes();
    const v = verifier();
    const code = codes.issue({ clientId: 'c', redirectUri: 'http://x/', scopes: [], codeChallenge: challenge(v), person });
    expect(() => codes.redeem({ code, clientId: 'other', redirectUri: 'http://x/', codeVerifier: v })).toThrow(/another client/);
  });
});
