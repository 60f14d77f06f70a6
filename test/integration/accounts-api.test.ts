import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_ADMIN_ROUTES } from '#lambdas/accounts/accounts-api-contract';
import { channelAccountKey, upsertChannelAccount } from '#lambdas/accounts/channel-account';
import { routeAccountsRequest } from '#lambdas/accounts/route-accounts-request';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** `GET /admin/accounts` on DynamoDB Local: roles × own and other business, pagination, health and token state. */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;

const who = (businessId: string, ...roles: OperatorRole[]): OperatorIdentity => ({
  subject: `sub-${businessId}-${roles.join('-')}`,
  actor: `${roles.join('+')}@${businessId}`,
  businessId,
  roles,
  scopes: ['omnichannel/admin'],
});

function request(query?: Record<string, string>): APIGatewayProxyEventV2 {
  const { method, path } = ACCOUNTS_ADMIN_ROUTES.list;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers: {},
    ...(query ? { queryStringParameters: query } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method, path }, requestId: 'req-1' },
  } as unknown as APIGatewayProxyEventV2;
}

async function call(identity: OperatorIdentity, query?: Record<string, string>) {
  const audit: AuditContext = {};
  try {
    const res = await routeAccountsRequest(request(query), identity, audit, { db: table.db, tableName });
    return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any>, audit };
  } catch (err) {
    if (err instanceof OperatorRequestError) return { status: err.status, body: { error: err.code, message: err.message } as Record<string, any>, audit };
    throw err;
  }
}

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  const now = new Date('2026-03-02T15:00:00.000Z');
  await upsertChannelAccount(
    table.db,
    tableName,
    {
      accountId: '1001',
      channel: 'whatsapp',
      businessId: 'shop',
      wabaId: 'waba-1',
      status: 'active',
      displayPhoneNumber: '+52 55 5555 0001',
      qualityRating: 'GREEN',
      tokenSecretId: 'stack/account-tokens/waba-1',
    },
    now,
  );
  await upsertChannelAccount(
    table.db,
    tableName,
    { accountId: '1002', channel: 'whatsapp', businessId: 'shop', wabaId: 'waba-1', status: 'needs_reauthorisation' },
    now,
  );
  await upsertChannelAccount(
    table.db,
    tableName,
    { accountId: 'ig-7', channel: 'instagram', businessId: 'shop', status: 'active', displayName: 'Shop IG' },
    now,
  );
  await upsertChannelAccount(table.db, tableName, { accountId: '2001', channel: 'whatsapp', businessId: 'other', wabaId: 'waba-2', status: 'active' }, now);
  // What account health and the sender keep on the items.
  await table.db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: channelAccountKey('1001'),
      UpdateExpression: 'SET messagingLimitTier = :tier, maxDailyConversations = :max, qualityEvent = :ev, qualityFlagged = :f, healthUpdatedAt = :at',
      ExpressionAttributeValues: { ':tier': 'TIER_1K', ':max': 1000, ':ev': 'UPGRADE', ':f': false, ':at': '2026-03-02T14:00:00.000Z' },
    }),
  );
  await table.db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: channelAccountKey('ig-7'),
      UpdateExpression: 'SET needsReauthorisation = :yes, reauthorisationRequiredAt = :at',
      ExpressionAttributeValues: { ':yes': true, ':at': '2026-03-02T13:00:00.000Z' },
    }),
  );
});

describe('GET /admin/accounts', () => {
  it.each([
    ['agent', who('shop', 'agent'), 403],
    ['supervisor', who('shop', 'supervisor'), 200],
    ['admin', who('shop', 'admin'), 200],
  ] as const)('%s of the business: %s', async (_name, identity, status) => {
    const res = await call(identity);
    expect(res.status).toBe(status);
    if (status === 403) expect(res.body.error).toBe('forbidden');
    else expect(res.body.items.map((r: any) => r.accountId)).toEqual(['ig-7', '1001', '1002']);
  });

  it("lists ids, status, health and token state, and never the token's secret", async () => {
    const res = await call(who('shop', 'supervisor'));
    expect(res.audit).toEqual({ target: 'accounts shop', targetBusinessId: 'shop' });
    const [ig, healthy, refused] = res.body.items;
    expect(healthy).toEqual({
      accountId: '1001',
      channel: 'whatsapp',
      status: 'active',
      wabaId: 'waba-1',
      displayPhoneNumber: '+52 55 5555 0001',
      qualityRating: 'GREEN',
      qualityEvent: 'UPGRADE',
      qualityFlagged: false,
      messagingLimit: 'TIER_1K',
      maxDailyConversations: 1000,
      tokenState: 'ok',
      tokenSource: 'account_secret',
      healthUpdatedAt: '2026-03-02T14:00:00.000Z',
      updatedAt: '2026-03-02T15:00:00.000Z',
    });
    expect(refused).toMatchObject({ accountId: '1002', status: 'needs_reauthorisation', tokenState: 'needs_reauthorisation', tokenSource: 'shared' });
    expect(ig).toMatchObject({ channel: 'instagram', displayName: 'Shop IG', tokenState: 'needs_reauthorisation', tokenRefusedAt: '2026-03-02T13:00:00.000Z' });
    expect(JSON.stringify(res.body)).not.toContain('account-tokens');
    expect(JSON.stringify(res.body)).not.toContain('2001');
  });

  it('pages through the accounts with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await call(who('shop', 'admin'), { limit: '1', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((r: any) => r.accountId));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['ig-7', '1001', '1002']);
  });

  it("another business's accounts: refused to its neighbours, named by the platform", async () => {
    expect(await call(who('shop', 'admin'), { businessId: 'other' })).toMatchObject({ status: 403, body: { error: 'other_business' } });
    expect(await call(who('shop', 'supervisor'), { businessId: 'other' })).toMatchObject({ status: 403 });
    expect((await call(who('other', 'admin'))).body.items.map((r: any) => r.accountId)).toEqual(['2001']);
    expect(await call(who('platform', 'platform'))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const platform = await call(who('platform', 'platform'), { businessId: 'other' });
    expect(platform.status).toBe(200);
    expect(platform.body.items.map((r: any) => r.accountId)).toEqual(['2001']);
    expect(platform.audit).toEqual({ target: 'accounts other', targetBusinessId: 'other' });
    expect((await call(who('platform', 'platform'), { businessId: 'nobody' })).body).toEqual({ items: [] });
  });

  it('answers bad queries with 400', async () => {
    const admin = who('shop', 'admin');
    const queries: Array<Record<string, string>> = [
      { limit: '0' },
      { limit: '101' },
      { limit: 'many' },
      { cursor: 'not a cursor!' },
      { cursor: Buffer.from('WABA#waba-1').toString('base64url') },
      { businessId: '../x' },
      { extra: '1' },
    ];
    for (const query of queries) {
      const res = await call(admin, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }
    // A cursor naming another business's account reads on in the caller's own partition only.
    const foreign = await call(admin, { cursor: Buffer.from('ACCOUNT#whatsapp#2000').toString('base64url') });
    expect(foreign).toMatchObject({ status: 200, body: { items: [] } });
    const fromFirst = await call(admin, { cursor: Buffer.from('ACCOUNT#whatsapp#1001').toString('base64url') });
    expect(fromFirst.body.items.map((r: any) => r.accountId)).toEqual(['1002']);
  });
});
