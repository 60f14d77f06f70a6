import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorizeJwt, stringifyClaims, tokenOf } from '#lib/local-cloud/identity/jwt-authorizer';

const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_localtest';
const CLIENT = 'consoleclient';
const authorizer = { logicalId: 'OperatorJwtAuthorizer', issuer: ISSUER, audience: [CLIENT, 'backendclient'] };
const NOW = 1_800_000_000;

let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let keySet: ReturnType<typeof createLocalJWKSet>;
beforeAll(async () => {
  keys = await generateKeyPair('RS256', { extractable: true });
  keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256' }] });
});

const base = (): JWTPayload => ({ iss: ISSUER, sub: 'p', client_id: CLIENT, token_use: 'access', scope: 'omnichannel/agent', iat: NOW - 10, exp: NOW + 600 });
const sign = (payload: JWTPayload, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }) =>
  new SignJWT(payload).setProtectedHeader(header as any).sign(keys.privateKey);
const check = (token: string, routeScopes: string[] = ['omnichannel/agent'], issuerKeys = (iss: string) => (iss === ISSUER ? keySet : undefined)) =>
  authorizeJwt({ authorizationHeader: `Bearer ${token}`, authorizer, routeScopes, issuerKeys, nowSeconds: NOW });

describe('authorizeJwt: each check on its own', () => {
  it('passes a well-formed access token', async () => {
    expect(await check(await sign(base()))).toMatchObject({ ok: true, jwt: { scopes: ['omnichannel/agent'] } });
  });

  it('refuses a token with another issuer, signed by the right key', async () => {
    expect(await check(await sign({ ...base(), iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' }))).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it('refuses when the issuer has no reachable key set', async () => {
    expect(await check(await sign(base()), [], () => undefined)).toMatchObject({ ok: false, status: 401 });
  });

  it('reads aud before client_id: a listed aud passes, an unlisted aud fails even with a listed client_id', async () => {
    const { client_id: _, ...idToken } = base();
    expect(await check(await sign({ ...idToken, aud: 'backendclient', token_use: 'id' }))).toMatchObject({ ok: true });
    expect(await check(await sign({ ...base(), aud: 'someone-else' }))).toMatchObject({ ok: false, status: 401 });
    expect(await check(await sign({ ...base(), aud: ['someone-else', CLIENT] }))).toMatchObject({ ok: true });
    expect(await check(await sign({ ...base(), client_id: 'unlisted' }))).toMatchObject({ ok: false, status: 401 });
    expect(await check(await sign(idToken))).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses exp in the past (or now), nbf and iat in the future', async () => {
    expect(await check(await sign({ ...base(), exp: NOW - 1 }))).toMatchObject({ ok: false, status: 401 });
    expect(await check(await sign({ ...base(), exp: NOW }))).toMatchObject({ ok: false, status: 401 });
    expect(await check(await sign({ ...base(), nbf: NOW + 5 }))).toMatchObject({ ok: false, status: 401 });
    expect(await check(await sign({ ...base(), iat: NOW + 5 }))).toMatchObject({ ok: false, status: 401 });
    expect(await check(await sign({ ...base(), nbf: NOW - 5 }))).toMatchObject({ ok: true });
  });

  it('refuses a token without kid, with an unknown kid, or with a non-RSA algorithm', async () => {
    expect(await check(await sign(base(), { alg: 'RS256' }))).toMatchObject({ ok: false, status: 401 });
    expect(await check(await sign(base(), { alg: 'RS256', kid: 'k2' }))).toMatchObject({ ok: false, status: 401 });
    const hmac = await new SignJWT(base()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new Uint8Array(32));
    expect(await check(hmac)).toMatchObject({ ok: false, status: 401 });
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(base())).toString('base64url')}.`;
    expect(await check(unsigned)).toMatchObject({ ok: false, status: 401 });
  });

  it('403 when none of the route scopes is in scope (or scp); no scope check when the route sets none', async () => {
    const templatesOnly = await sign({ ...base(), scope: 'omnichannel/templates' });
    expect(await check(templatesOnly)).toEqual(expect.objectContaining({ ok: false, status: 403, body: { message: 'Forbidden' } }));
    expect(await check(templatesOnly, ['omnichannel/agent', 'omnichannel/templates'])).toMatchObject({ ok: true });
    expect(await check(templatesOnly, [])).toMatchObject({ ok: true, jwt: { scopes: null } });
    const { scope: _, ...noScope } = base();
    expect(await check(await sign({ ...noScope, scp: ['omnichannel/agent'] }))).toMatchObject({ ok: true });
    expect(await check(await sign(noScope))).toMatchObject({ ok: false, status: 403 });
    // A scope is matched whole, not as a substring.
    expect(await check(await sign({ ...base(), scope: 'omnichannel/agents' }))).toMatchObject({ ok: false, status: 403 });
  });
});

describe('token in the header', () => {
  it('accepts Bearer (any case) or the bare token; nothing else', () => {
    expect(tokenOf('Bearer a.b.c')).toBe('a.b.c');
    expect(tokenOf('bearer   a.b.c ')).toBe('a.b.c');
    expect(tokenOf('a.b.c')).toBe('a.b.c');
    expect(tokenOf('Basic a.b.c')).toBeUndefined();
    expect(tokenOf('Bearer a.b')).toBeUndefined();
    expect(tokenOf('')).toBeUndefined();
    expect(tokenOf(undefined)).toBeUndefined();
  });
});

describe('claims as HTTP APIs pass them', () => {
  it('turns numbers and booleans into text and lists into [a b]', () => {
    expect(stringifyClaims({ exp: 1800000000, admin: true, 'cognito:groups': ['agent', 'admin'], sub: 'p', empty: [] })).toEqual({
      exp: '1800000000',
      admin: 'true',
      'cognito:groups': '[agent admin]',
      sub: 'p',
      empty: '[]',
    });
  });
});
