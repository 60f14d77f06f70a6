import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawDemoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { routeBotSettingsRequest } from '#lambdas/bot-settings/route-bot-settings-request';
import { getCurrentBotSettings } from '#lambdas/bot-settings/bot-settings-store';
import type { AuditContext } from '#lambdas/identity/operator-request';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let deps: { db: TestTable['db']; tableName: string };

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  deps = { db: table.db, tableName: await table.newTable() };
});

const who = (businessId: string, ...roles: OperatorRole[]): OperatorIdentity => ({
  subject: `sub-${businessId}-${roles.join('-')}`,
  actor: `${roles.join('+')}@${businessId}`,
  businessId,
  roles,
  scopes: ['omnichannel/admin'],
});

function request(method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; rawBody?: string } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers: {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.rawBody !== undefined ? { body: opts.rawBody } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method, path }, requestId: 'req-1' },
  } as unknown as APIGatewayProxyEventV2;
}

async function call(identity: OperatorIdentity, method: string, path: string, opts: Parameters<typeof request>[2] = {}, audit: AuditContext = {}) {
  const res = await routeBotSettingsRequest(request(method, path, opts), identity, deps, audit);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}

const put = (identity: OperatorIdentity, body: unknown) => call(identity, 'PUT', '/admin/bot-settings', { body });

describe('bot settings routes', () => {
  it('lets a business admin save, read and list its own settings, versioned and audited', async () => {
    const admin = who('shop', 'admin');
    const audit: AuditContext = {};
    const saved = await call(admin, 'PUT', '/admin/bot-settings', { body: { businessId: 'shop', settings: rawDemoBotSettings, expectedVersion: 0 } }, audit);
    expect(saved).toMatchObject({ status: 200, body: { businessId: 'shop', version: 1, changedBy: 'admin@shop' } });
    expect(audit).toEqual({ target: 'bot-settings shop', targetBusinessId: 'shop' });

    const edited = structuredClone(rawDemoBotSettings) as Record<string, any>;
    edited.greeting.en = 'Hello from the shop';
    expect((await put(admin, { businessId: 'shop', settings: edited, expectedVersion: 1 })).body.version).toBe(2);

    const current = await call(admin, 'GET', '/admin/bot-settings', { query: { businessId: 'shop' } });
    expect(current).toMatchObject({ status: 200, body: { version: 2, settings: { greeting: { en: 'Hello from the shop' } } } });
    const first = await call(admin, 'GET', '/admin/bot-settings', { query: { businessId: 'shop', version: '1' } });
    expect(first.body.settings.greeting.en).toBe((rawDemoBotSettings as any).greeting.en);
    const versions = await call(admin, 'GET', '/admin/bot-settings/versions', { query: { businessId: 'shop' } });
    expect(versions).toMatchObject({ status: 200, body: { businessId: 'shop', versions: [{ version: 2 }, { version: 1 }] } });
  });

  it('lets a supervisor read but not save, and an agent do neither (403)', async () => {
    await put(who('shop', 'admin'), { businessId: 'shop', settings: rawDemoBotSettings });
    expect((await call(who('shop', 'supervisor'), 'GET', '/admin/bot-settings', { query: { businessId: 'shop' } })).status).toBe(200);
    expect(await put(who('shop', 'supervisor'), { businessId: 'shop', settings: rawDemoBotSettings })).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect(await put(who('shop', 'agent'), { businessId: 'shop', settings: rawDemoBotSettings })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await call(who('shop', 'agent'), 'GET', '/admin/bot-settings', { query: { businessId: 'shop' } })).status).toBe(403);
    expect((await call(who('shop', 'agent'), 'GET', '/admin/bot-settings/versions', { query: { businessId: 'shop' } })).status).toBe(403);
    expect((await getCurrentBotSettings(deps, 'shop', { consistentRead: true }))!.version).toBe(1);
  });

  it("answers another business's admin 404, as if there were nothing, and changes nothing", async () => {
    await put(who('shop', 'admin'), { businessId: 'shop', settings: rawDemoBotSettings });
    const intruder = who('rival', 'admin');
    expect(await call(intruder, 'GET', '/admin/bot-settings', { query: { businessId: 'shop' } })).toMatchObject({
      status: 404,
      body: { error: 'business_not_found' },
    });
    expect((await call(intruder, 'GET', '/admin/bot-settings/versions', { query: { businessId: 'shop' } })).status).toBe(404);
    expect(await put(intruder, { businessId: 'shop', settings: rawDemoBotSettings, expectedVersion: 1 })).toMatchObject({ status: 404 });
    expect((await getCurrentBotSettings(deps, 'shop', { consistentRead: true }))!).toMatchObject({ version: 1, changedBy: 'admin@shop' });
  });

  it('lets the platform team read and save any business', async () => {
    const platform = who('platform-ops', 'platform');
    expect(await put(platform, { businessId: 'shop', settings: rawDemoBotSettings, expectedVersion: 0 })).toMatchObject({ status: 200, body: { version: 1 } });
    expect((await call(platform, 'GET', '/admin/bot-settings', { query: { businessId: 'shop' } })).status).toBe(200);
  });

  it('answers a business without settings, or an unknown version, 404', async () => {
    const admin = who('shop', 'admin');
    expect(await call(admin, 'GET', '/admin/bot-settings', { query: { businessId: 'shop' } })).toMatchObject({
      status: 404,
      body: { error: 'bot_settings_not_found' },
    });
    await put(admin, { businessId: 'shop', settings: rawDemoBotSettings });
    expect((await call(admin, 'GET', '/admin/bot-settings', { query: { businessId: 'shop', version: '7' } })).status).toBe(404);
  });

  it('names invalid settings field by field (400) and saves nothing', async () => {
    const bad = structuredClone(rawDemoBotSettings) as Record<string, any>;
    bad.menu[0].title.es = 'Un título demasiado largo para un botón';
    bad.accountIds = ['100'];
    const res = await put(who('shop', 'admin'), { businessId: 'shop', settings: bad });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_settings');
    expect(res.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['(root)', 'menu.0.title.es']);
    expect(await getCurrentBotSettings(deps, 'shop', { consistentRead: true })).toBeUndefined();
  });

  it('answers a stale expected version 409 with the current version', async () => {
    const admin = who('shop', 'admin');
    await put(admin, { businessId: 'shop', settings: rawDemoBotSettings });
    await put(admin, { businessId: 'shop', settings: rawDemoBotSettings });
    expect(await put(admin, { businessId: 'shop', settings: rawDemoBotSettings, expectedVersion: 1 })).toMatchObject({
      status: 409,
      body: { error: 'version_conflict', expectedVersion: 1, currentVersion: 2 },
    });
  });

  it.each([
    ['no business id', { query: {} }, 'GET', '/admin/bot-settings'],
    ['a business id that could not be a key', { query: { businessId: 'shop#BOT' } }, 'GET', '/admin/bot-settings'],
    ['a version that is not a number', { query: { businessId: 'shop', version: '1e3' } }, 'GET', '/admin/bot-settings'],
    ['a version zero', { query: { businessId: 'shop', version: '0' } }, 'GET', '/admin/bot-settings'],
    ['a limit out of range', { query: { businessId: 'shop', limit: '500' } }, 'GET', '/admin/bot-settings/versions'],
    ['a body that is not JSON', { rawBody: '{"businessId":' }, 'PUT', '/admin/bot-settings'],
    ['a body without settings', { body: { businessId: 'shop' } }, 'PUT', '/admin/bot-settings'],
    ['a body that is an array', { body: [1, 2] }, 'PUT', '/admin/bot-settings'],
    ['a negative expected version', { body: { businessId: 'shop', settings: {}, expectedVersion: -1 } }, 'PUT', '/admin/bot-settings'],
    ['a fractional expected version', { body: { businessId: 'shop', settings: {}, expectedVersion: 1.5 } }, 'PUT', '/admin/bot-settings'],
    ['an unknown field', { body: { businessId: 'shop', settings: {}, force: true } }, 'PUT', '/admin/bot-settings'],
  ])('answers %s with 400 and a message', async (_name, opts, method, path) => {
    const res = await call(who('shop', 'admin'), method, path, opts as Parameters<typeof request>[2]);
    expect(res.status).toBe(400);
    expect(typeof res.body.message).toBe('string');
    expect(res.body.message.length).toBeGreaterThan(0);
  });

  it('answers unknown routes 404 and wrong methods 405', async () => {
    expect((await call(who('shop', 'admin'), 'GET', '/admin/other')).status).toBe(404);
    expect((await call(who('shop', 'admin'), 'DELETE', '/admin/bot-settings', { query: { businessId: 'shop' } })).status).toBe(405);
  });
});
