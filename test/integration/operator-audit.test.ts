import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { type AuditDeps, listOperatorActions } from '#lambdas/identity/audit-trail';
import { OperatorRequestError } from '#lambdas/identity/errors';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { requireOwnTarget } from '#lambdas/identity/operator-permissions';
import { jsonResponse } from '#lambdas/shared/http-json';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';

let table: TestTable & { newTable(): Promise<string> };
let deps: AuditDeps & { now: () => Date };
let published: DomainEvent[];
let clock: number;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  clock = Date.parse('2026-12-01T10:00:00.000Z');
  deps = {
    auditTrail: createAuditTrailStore(table.db, await table.newTable()),
    publisher: { publish: async (e) => void published.push(...e) },
    retentionDays: 30,
    now: () => {
      clock += 1000;
      return new Date(clock);
    },
  };
});

function event(claims: Record<string, string> | undefined, requestId: string): APIGatewayProxyEventV2 {
  return {
    routeKey: 'POST /agent/conversation/close',
    rawPath: '/agent/conversation/close',
    requestContext: { http: { method: 'POST' }, requestId, ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}) },
  } as unknown as APIGatewayProxyEventV2;
}
const agentOf = (business: string, roles = 'agent') => ({ sub: `u-${business}`, username: `ana-${business}`, business_id: business, roles });

/** A route that owns conversations of business `acme` only. */
const closeRoute = async (
  _e: APIGatewayProxyEventV2,
  identity: Parameters<typeof requireOwnTarget>[0],
  audit: { target?: string; targetBusinessId?: string },
) => {
  audit.target = 'wa:100:5511999';
  audit.targetBusinessId = 'acme';
  requireOwnTarget(identity, 'acme', 'conversation');
  return jsonResponse(200, { closed: true });
};

describe("the operators' audit trail on DynamoDB Local", () => {
  it('keeps every request with who, role, business, route, target, outcome and time, newest first', async () => {
    expect((await serveOperatorRequest(event(agentOf('acme'), 'r1'), 'Test', closeRoute, deps)).statusCode).toBe(200);
    expect(
      (
        await serveOperatorRequest(
          event(agentOf('acme'), 'r2'),
          'Test',
          async () => {
            throw new OperatorRequestError(403, 'forbidden', 'no');
          },
          deps,
        )
      ).statusCode,
    ).toBe(403);
    const { actions } = await listOperatorActions('acme', { limit: 10 }, deps);
    expect(actions.map((a) => [a.requestId, a.status, a.outcome])).toEqual([
      ['r2', 403, 'refused'],
      ['r1', 200, 'allowed'],
    ]);
    expect(actions[1]).toMatchObject({
      actor: 'ana-acme',
      subject: 'u-acme',
      roles: ['agent'],
      callerBusinessId: 'acme',
      businessId: 'acme',
      route: 'POST /agent/conversation/close',
      target: 'wa:100:5511999',
    });
    expect(published.map((e) => [e.source, e.detailType, e.detail.requestId])).toEqual([
      ['io.omnichannel.operators', 'operator.action', 'r1'],
      ['io.omnichannel.operators', 'operator.action', 'r2'],
    ]);
  });

  it("keeps another business's refused attempt under the caller's business only", async () => {
    const response = await serveOperatorRequest(event(agentOf('intruder'), 'r3'), 'Test', closeRoute, deps);
    expect(response.statusCode).toBe(404);
    expect((await listOperatorActions('acme', { limit: 10 }, deps)).actions).toEqual([]);
    expect((await listOperatorActions('intruder', { limit: 10 }, deps)).actions).toEqual([
      expect.objectContaining({ requestId: 'r3', status: 404, businessId: 'acme' }),
    ]);
  });

  it("shows a platform operator's action to the business it touched as well", async () => {
    await serveOperatorRequest(event(agentOf('ops', 'platform'), 'r4'), 'Test', closeRoute, deps);
    expect((await listOperatorActions('acme', { limit: 10 }, deps)).actions).toEqual([expect.objectContaining({ requestId: 'r4', roles: ['platform'] })]);
    expect((await listOperatorActions('ops', { limit: 10 }, deps)).actions).toHaveLength(1);
  });

  it('pages with a cursor and answers 400 to one it did not hand out', async () => {
    for (let i = 0; i < 5; i++) await serveOperatorRequest(event(agentOf('acme'), `p${i}`), 'Test', closeRoute, deps);
    const first = await listOperatorActions('acme', { limit: 2 }, deps);
    const second = await listOperatorActions('acme', { limit: 2, cursor: first.nextCursor }, deps);
    expect([...first.actions, ...second.actions].map((a) => a.requestId)).toEqual(['p4', 'p3', 'p2', 'p1']);
    for (const bad of ['%%%', Buffer.from('{"pk":"AUDIT#other"}').toString('base64url'), 'x'.repeat(3000)]) {
      await expect(listOperatorActions('acme', { limit: 2, cursor: bad }, deps)).rejects.toMatchObject({ status: 400, code: 'invalid_cursor' });
    }
  });

  it('answers 401 without a record when the authoriser vouched for nobody', async () => {
    expect((await serveOperatorRequest(event(undefined, 'r5'), 'Test', closeRoute, deps)).statusCode).toBe(401);
    expect(published).toEqual([]);
  });
});
