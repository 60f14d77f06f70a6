import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { type OperatorApiFixture, startOperatorApi } from '#test/unit/local-cloud/identity/operator-api-fixture';

let f: OperatorApiFixture;
beforeAll(async () => {
  f = await startOperatorApi();
});
afterAll(async () => {
  await f?.close();
});

const ask = (body: unknown) => f.call('POST', '/_local/auth/token', { body });

describe('POST /_local/auth/token', () => {
  it('issues an access token of the local pool that the operator routes accept', async () => {
    const res = await ask({ businessId: 'local', subject: 'ana', roles: ['admin'], expiresIn: 120 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accessToken: expect.any(String), expiresIn: 120, tokenType: 'Bearer' });
    const claims = decodeJwt(res.body.accessToken);
    expect(claims).toMatchObject({
      iss: f.identity.operator!.issuer,
      sub: 'ana',
      username: 'ana',
      business_id: 'local',
      roles: 'admin',
      'cognito:groups': ['admin'],
      token_use: 'access',
      scope: ALL_OPERATOR_SCOPES.join(' '),
      client_id: f.identity.operator!.defaultClientId,
    });
    expect(claims.exp! - claims.iat!).toBe(120);
    expect((await f.call('GET', '/agent/conversations', { authorization: `Bearer ${res.body.accessToken}` })).status).toBe(200);
  });

  it('narrows the scopes and names another listed client when asked', async () => {
    const res = await ask({ businessId: 'b-2', subject: 'backend', roles: ['agent'], scopes: ['omnichannel/templates'], client: 'BusinessBackendClient' });
    expect(res.status).toBe(200);
    const claims = decodeJwt(res.body.accessToken);
    expect(claims.scope).toBe('omnichannel/templates');
    expect(claims.client_id).toBe(f.identity.operator!.pool.clients.get('BusinessBackendClient'));
    expect((await f.call('GET', '/agent/conversations', { authorization: `Bearer ${res.body.accessToken}` })).status).toBe(403);
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', [1]],
    ['no businessId', { subject: 's', roles: ['agent'] }],
    ['a businessId with a slash', { businessId: 'a/b', subject: 's', roles: ['agent'] }],
    ['no subject', { businessId: 'b', roles: ['agent'] }],
    ['no roles', { businessId: 'b', subject: 's' }],
    ['an empty role list', { businessId: 'b', subject: 's', roles: [] }],
    ['an unknown role', { businessId: 'b', subject: 's', roles: ['root'] }],
    ['a role that is not text', { businessId: 'b', subject: 's', roles: [{ role: 'agent' }] }],
    ['an unknown scope', { businessId: 'b', subject: 's', roles: ['agent'], scopes: ['omnichannel/everything'] }],
    ['scopes that are not a list', { businessId: 'b', subject: 's', roles: ['agent'], scopes: 'omnichannel/agent' }],
    ['expiresIn 0', { businessId: 'b', subject: 's', roles: ['agent'], expiresIn: 0 }],
    ['expiresIn over a day', { businessId: 'b', subject: 's', roles: ['agent'], expiresIn: 86401 }],
    ['a fractional expiresIn', { businessId: 'b', subject: 's', roles: ['agent'], expiresIn: 1.5 }],
    ['an unknown client', { businessId: 'b', subject: 's', roles: ['agent'], client: 'NoSuchClient' }],
    ['an unknown field', { businessId: 'b', subject: 's', roles: ['agent'], business_id: 'other' }],
  ])('400 with a message for %s', async (_, body) => {
    const res = await ask(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(expect.any(String));
    expect(res.body.accessToken).toBeUndefined();
  });
});

describe('key set and discovery', () => {
  it('serves the public key only, and it verifies issued tokens', async () => {
    const jwks = await f.call('GET', '/_local/auth/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.body.keys[0]).not.toHaveProperty(privatePart);
    const token = (await ask({ businessId: 'local', subject: 'ana', roles: ['agent'] })).body.accessToken;
    await expect(jwtVerify(token, createLocalJWKSet(jwks.body), { issuer: f.identity.operator!.issuer })).resolves.toBeDefined();
  });

  it('serves a discovery document naming the issuer and the local endpoints', async () => {
    const res = await f.call('GET', '/.well-known/openid-configuration');
    expect(res.body).toMatchObject({
      issuer: f.identity.operator!.issuer,
      jwks_uri: `${f.api.url}/_local/auth/jwks.json`,
      token_endpoint: `${f.api.url}/oauth2/token`,
      authorization_endpoint: `${f.api.url}/oauth2/authorize`,
    });
  });
});
