import { describe, expect, it } from 'vitest';
import { type AccessTokenVerifier, authorizeConnection } from '#lambdas/push/authorize-connection';
import { answerFrame, closeConnection, type ConnectionRegistry, openConnection } from '#lambdas/push/connection-lifecycle';
import type { AgentConnection } from '#lambdas/push/recipients';

function registry() {
  const items = new Map<string, AgentConnection>();
  const r: ConnectionRegistry = {
    add: async (c) => void items.set(c.connectionId, c),
    businessOf: async (id) => items.get(id)?.businessId,
    remove: async (b, id) => {
      if (items.get(id)?.businessId === b) items.delete(id);
    },
  };
  return { r, items };
}

const TOKEN = 'aaa.bbb.ccc';
const verifierOf = (claims: Record<string, unknown> | Error): AccessTokenVerifier => ({
  verify: async () => {
    if (claims instanceof Error) throw claims;
    return claims;
  },
});
const good = {
  sub: 'u-1',
  username: 'ana',
  business_id: 'acme',
  roles: 'agent supervisor',
  scope: 'omnichannel/agent omnichannel/templates',
  token_use: 'access',
};

describe('authorizeConnection', () => {
  it('allows an operator with the agent scope, a business and a role, and passes them on', async () => {
    expect(await authorizeConnection(TOKEN, verifierOf(good))).toEqual({
      effect: 'Allow',
      principalId: 'u-1',
      context: { businessId: 'acme', actor: 'ana', roles: 'agent supervisor' },
    });
  });

  it('is a 401 without a token, with a malformed one, or one that does not verify', async () => {
    expect(await authorizeConnection(undefined, verifierOf(good))).toEqual({ effect: 'Unauthorized', reason: 'no_token' });
    expect(await authorizeConnection('not a jwt', verifierOf(good))).toEqual({ effect: 'Unauthorized', reason: 'invalid_token' });
    expect(await authorizeConnection(`${'a'.repeat(9000)}.b.c`, verifierOf(good))).toEqual({ effect: 'Unauthorized', reason: 'invalid_token' });
    expect(await authorizeConnection(TOKEN, verifierOf(new Error('expired')))).toEqual({ effect: 'Unauthorized', reason: 'invalid_token' });
  });

  it('is a 403 without the agent scope, a business or any operator role', async () => {
    expect(await authorizeConnection(TOKEN, verifierOf({ ...good, scope: 'omnichannel/templates' }))).toMatchObject({
      effect: 'Deny',
      reason: 'missing_scope',
    });
    expect(await authorizeConnection(TOKEN, verifierOf({ ...good, business_id: undefined }))).toMatchObject({ effect: 'Deny', reason: 'no_business' });
    expect(await authorizeConnection(TOKEN, verifierOf({ ...good, business_id: 'acme/../globex' }))).toMatchObject({ effect: 'Deny', reason: 'no_business' });
    expect(await authorizeConnection(TOKEN, verifierOf({ ...good, roles: 'owner', 'cognito:groups': undefined }))).toMatchObject({
      effect: 'Deny',
      reason: 'no_role',
    });
  });
});

describe('connection lifecycle', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');

  it('keeps a connection under the business of the authoriser context, with the agent and roles', async () => {
    const { r, items } = registry();
    const out = await openConnection('L0SM9cOFvHcCIhw=', { businessId: 'acme', actor: 'ana', roles: 'agent bogus supervisor', principalId: 'u-1' }, r, now);
    expect(out).toEqual({
      accepted: true,
      connection: { businessId: 'acme', connectionId: 'L0SM9cOFvHcCIhw=', agentId: 'ana', roles: ['agent', 'supervisor'], connectedAt: now.toISOString() },
    });
    expect(items.size).toBe(1);
  });

  it('refuses a connection without an authoriser context or with a hostile id', async () => {
    const { r, items } = registry();
    expect(await openConnection('abc', undefined, r, now)).toEqual({ accepted: false, reason: 'no_identity' });
    expect(await openConnection('a b', { businessId: 'acme', actor: 'ana' }, r, now)).toEqual({ accepted: false, reason: 'invalid_connection' });
    expect(await openConnection('x'.repeat(200), { businessId: 'acme', actor: 'ana' }, r, now)).toEqual({ accepted: false, reason: 'invalid_connection' });
    expect(items.size).toBe(0);
  });

  it('deletes the connection on disconnect, finding its business when the context is missing', async () => {
    const { r, items } = registry();
    await openConnection('c1', { businessId: 'acme', actor: 'ana' }, r, now);
    await openConnection('c2', { businessId: 'acme', actor: 'bruno' }, r, now);
    expect(await closeConnection('c1', { businessId: 'acme' }, r)).toBe(true);
    expect(await closeConnection('c2', undefined, r)).toBe(true);
    expect(await closeConnection('c3', undefined, r)).toBe(false);
    expect(items.size).toBe(0);
  });

  it('answers a ping with a pong and ignores everything else', () => {
    expect(JSON.parse(answerFrame('{"action":"ping"}', now)!)).toEqual({ type: 'pong', at: now.toISOString() });
    expect(JSON.parse(answerFrame('ping', now)!)).toMatchObject({ type: 'pong' });
    expect(answerFrame('{"action":"subscribe"}', now)).toBeUndefined();
    expect(answerFrame('{not json', now)).toBeUndefined();
    expect(answerFrame(`{"action":"ping","pad":"${'x'.repeat(5000)}"}`, now)).toBeUndefined();
  });
});
