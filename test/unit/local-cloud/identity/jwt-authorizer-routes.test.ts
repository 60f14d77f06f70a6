import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorIdentityOf } from '#lambdas/identity/operator-identity';
import { ALL_OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { LocalIdentityProvider } from '#lib/local-cloud/identity/local-identity-provider';
import { localUserPool } from '#lib/local-cloud/identity/local-user-pool';
import { resolveIntrinsics } from '#lib/local-cloud/template/intrinsics';
import { type OperatorApiFixture, startOperatorApi } from '#test/unit/local-cloud/identity/operator-api-fixture';

let f: OperatorApiFixture;
beforeAll(async () => {
  f = await startOperatorApi();
});
afterAll(async () => {
  await f?.close();
});
beforeEach(() => {
  f.events.length = 0;
});

const provider = () => f.identity.operator!;
const token = async (opts: Partial<Parameters<LocalIdentityProvider['issueToken']>[0]> = {}) =>
  (await provider().issueToken({ businessId: 'acme', subject: 'person-1', roles: ['agent'], ...opts })).accessToken;
const now = () => Math.floor(Date.now() / 1000);

async function expectRefused(authorization: string | undefined, status: 401 | 403, path = '/agent/conversations', method = 'GET') {
  const res = await f.call(method, path, authorization === undefined ? {} : { authorization });
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ message: status === 401 ? 'Unauthorized' : 'Forbidden' });
  expect(f.events).toHaveLength(0);
  return res;
}

describe('local user pool ids in the intrinsic resolver', () => {
  it('resolves the authoriser issuer, the pool attributes and the client refs to the local values', () => {
    const pool = provider().pool;
    expect(pool.id).toMatch(/^eu-west-1_[a-z0-9]{9}$/);
    expect(pool.issuer).toBe(`https://cognito-idp.eu-west-1.amazonaws.com/${pool.id}`);
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['OperatorUserPool', 'ProviderURL'] }, f.ctx)).toBe(pool.issuer);
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['OperatorUserPool', 'ProviderName'] }, f.ctx)).toBe(pool.issuer.replace('https://', ''));
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['OperatorUserPool', 'Arn'] }, f.ctx)).toBe(`arn:aws:cognito-idp:eu-west-1:000000000000:userpool/${pool.id}`);
    const consoleId = resolveIntrinsics({ Ref: 'OperatorConsoleClient' }, f.ctx);
    expect(consoleId).toMatch(/^[a-z0-9]{26}$/);
    expect(consoleId).toBe(provider().defaultClientId);
    expect(resolveIntrinsics({ Ref: 'BusinessBackendClient' }, f.ctx)).not.toBe(consoleId);
  });

  it('gives the same ids on every start', async () => {
    const again = await startOperatorApi();
    try {
      expect(again.identity.operator!.pool.id).toBe(provider().pool.id);
      expect([...again.identity.operator!.pool.clients]).toEqual([...provider().pool.clients]);
    } finally {
      await again.close();
    }
  });
});

describe('JWT authoriser emulation: refusals (the function never runs)', () => {
  it('401 without an Authorization header, with a header that is not a JWT, or an empty Bearer', async () => {
    await expectRefused(undefined, 401);
    await expectRefused('Bearer wrong', 401);
    await expectRefused('Bearer ', 401);
    await expectRefused('Basic dXNlcjpwYXNz', 401);
    await expectRefused('Bearer a.b', 401);
  });

  it('401 for a token whose signature does not verify (another key, or a tampered payload)', async () => {
    const otherKey = await LocalIdentityProvider.create(provider().pool, 'OperatorConsoleClient');
    const forged = (await otherKey.issueToken({ businessId: 'acme', subject: 'x', roles: ['platform'] })).accessToken;
    await expectRefused(`Bearer ${forged}`, 401);

    const [h, , s] = (await token()).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'x', business_id: 'other', roles: 'platform' })).toString('base64url');
    await expectRefused(`Bearer ${h}.${payload}.${s}`, 401);
  });

  it('401 for a token of another user pool (wrong iss)', async () => {
    const otherPool = localUserPool({
      logicalId: 'SomeOtherPool',
      region: 'eu-west-1',
      accountId: '000000000000',
      clientLogicalIds: ['OperatorConsoleClient'],
    });
    const other = await LocalIdentityProvider.create(otherPool);
    const t = (await other.issueToken({ businessId: 'acme', subject: 'x', roles: ['agent'] })).accessToken;
    await expectRefused(`Bearer ${t}`, 401);
  });

  it('401 for an expired token, one not valid yet, and one issued in the future', async () => {
    await expectRefused(`Bearer ${await token({ issuedAt: now() - 3600, expiresIn: 60 })}`, 401);
    await expectRefused(`Bearer ${await token({ notBefore: now() + 600 })}`, 401);
    await expectRefused(`Bearer ${await token({ issuedAt: now() + 600 })}`, 401);
  });

  it("401 for a token of a client that is not among the authoriser's audiences", async () => {
    await expectRefused(`Bearer ${await token({ client: 'UnlistedClient' })}`, 401);
    // A listed machine client passes.
    expect((await f.call('GET', '/agent/conversations', { authorization: `Bearer ${await token({ client: 'BusinessBackendClient' })}` })).status).toBe(200);
  });

  it("403 for a valid token that has none of the route's scopes", async () => {
    const res = await expectRefused(`Bearer ${await token({ scopes: ['omnichannel/templates'] })}`, 403);
    expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
    await expectRefused(`Bearer ${await token({ scopes: [] })}`, 403, '/templates/send', 'POST');
    // One of the route's scopes is enough.
    const res2 = await f.call('POST', '/templates/send', { authorization: `Bearer ${await token({ scopes: ['omnichannel/admin'] })}`, body: {} });
    expect(res2.status).toBe(200);
  });
});

describe('JWT authoriser emulation: a passing request', () => {
  it('accepts the token after Bearer or bare, and hands the claims to the function as HTTP APIs do', async () => {
    const t = await token({ roles: ['agent', 'supervisor'], subject: 'person-7' });
    expect((await f.call('GET', '/agent/conversations', { authorization: t })).status).toBe(200);
    const res = await f.call('GET', '/agent/conversations', { authorization: `Bearer ${t}` });
    expect(res).toMatchObject({ status: 200, body: 'reached' });
    expect(f.events).toHaveLength(2);
    const event = f.events[1]!;
    const jwt = (event.requestContext as any).authorizer.jwt;
    expect(jwt.scopes).toEqual([...ALL_OPERATOR_SCOPES]);
    const claims = jwt.claims as Record<string, unknown>;
    for (const value of Object.values(claims)) expect(typeof value).toBe('string');
    expect(claims).toMatchObject({
      iss: provider().issuer,
      sub: 'person-7',
      username: 'person-7',
      client_id: provider().defaultClientId,
      token_use: 'access',
      scope: ALL_OPERATOR_SCOPES.join(' '),
      business_id: 'acme',
      roles: 'agent supervisor',
      'cognito:groups': '[agent supervisor]',
      version: '2',
    });
    expect(claims.exp).toMatch(/^\d+$/);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(claims.auth_time).toBe(claims.iat);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);

    // The operator APIs read exactly what arrives.
    expect(operatorIdentityOf(event)).toMatchObject({
      subject: 'person-7',
      actor: 'person-7',
      businessId: 'acme',
      roles: ['agent', 'supervisor'],
      scopes: [...ALL_OPERATOR_SCOPES],
      clientId: provider().defaultClientId,
    });
  });

  it('leaves routes without authorisation open and gives them no authoriser context', async () => {
    const res = await f.call('POST', '/webhook', { body: {} });
    expect(res.status).toBe(200);
    expect((f.events[0]!.requestContext as any).authorizer).toBeUndefined();
  });

  it('refuses every request to a JWT route whose authoriser is missing from the template', async () => {
    const { OperatorJwtAuthorizer: _, ...resources } = (await import('#test/unit/local-cloud/identity/operator-api-fixture')).OPERATOR_TEMPLATE.Resources;
    const broken = await startOperatorApi({ Resources: resources });
    try {
      const t = (await broken.identity.operator!.issueToken({ businessId: 'acme', subject: 'x', roles: ['agent'] })).accessToken;
      expect((await broken.call('GET', '/agent/conversations', { authorization: `Bearer ${t}` })).status).toBe(401);
      expect(broken.events).toHaveLength(0);
    } finally {
      await broken.close();
    }
  });
});
