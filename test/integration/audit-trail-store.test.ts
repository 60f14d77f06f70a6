import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorAction } from '#lambdas/identity/audit-trail';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
});

const action = (at: string, requestId: string): OperatorAction => ({
  at,
  requestId,
  actor: 'ana',
  subject: 'sub-1',
  roles: ['admin'],
  callerBusinessId: 'acme',
  route: 'GET /admin/audit',
  status: 200,
  outcome: 'allowed',
});

describe('audit trail store', () => {
  it('keeps each action under its business until it expires, and pages newest first', async () => {
    const trail = createAuditTrailStore(table.db, tableName);
    for (const [i, at] of ['2026-11-21T12:00:00.000Z', '2026-11-21T12:01:00.000Z', '2026-11-21T12:02:00.000Z'].entries()) {
      await trail.record('acme', action(at, `r${i}`), 1_800_000_000);
    }
    expect((await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: 'AUDIT#acme', sk: '2026-11-21T12:00:00.000Z#r0' } }))).Item).toMatchObject({
      entity: 'OperatorAction',
      expiresAt: 1_800_000_000,
      actor: 'ana',
    });
    const first = await trail.newestFirst('acme', { limit: 2 });
    expect(first.actions.map((a) => a.requestId)).toEqual(['r2', 'r1']);
    expect(first.actions[0]).toEqual(action('2026-11-21T12:02:00.000Z', 'r2'));
    expect(first.lastSk).toBe('2026-11-21T12:01:00.000Z#r1');
    const second = await trail.newestFirst('acme', { limit: 2, afterSk: first.lastSk! });
    expect(second.actions.map((a) => a.requestId)).toEqual(['r0']);
    expect((await trail.newestFirst('other', { limit: 2 })).actions).toEqual([]);
  });
});
