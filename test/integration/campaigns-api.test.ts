import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { upsertChannelAccount } from '#lambdas/accounts/channel-account';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { dynamoCampaignLookups } from '#lambdas/campaigns/campaign-lookups-store';
import { CAMPAIGNS_ROUTES } from '#lambdas/campaigns/campaigns-api-contract';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { routeCampaignsRequest } from '#lambdas/campaigns/route-campaigns-request';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { templateKey, type StoredTemplate } from '#lambdas/templates/template-item';
import {
  ACCOUNT,
  BUSINESS,
  RIVAL,
  RIVAL_ACCOUNT,
  RIVAL_WABA,
  recordingPublisher,
  saleTemplate,
  seedContact,
  shippingTemplate,
  WABA,
} from '#test/helpers/campaign-fixtures';
import { runListBuild } from '#test/helpers/campaign-list-builds';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoReleaseSources } from '#lambdas/campaigns/campaign-lookups-store';

/**
 * The campaigns admin API through its router, against DynamoDB Local: who may call what for which
 * business, and what hostile input gets (always a 4xx with a message, never a 500).
 */
let table: TestTable & { newTable(): Promise<string> };
let deps: CampaignAdminDeps;
let publisher: ReturnType<typeof recordingPublisher>;
/** The list build as the release function runs it. */
let build: (campaignId: string) => ReturnType<typeof runListBuild>;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

async function putTemplate(tableName: string, t: StoredTemplate) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...templateKey(t.wabaId, t.name, t.language),
        entity: 'Template',
        wabaId: t.wabaId,
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.category,
        parameterFormat: t.parameterFormat,
        componentsJson: JSON.stringify(t.components),
      },
    }),
  );
}

beforeEach(async () => {
  const tableName = await table.newTable();
  const db = table.db;
  await upsertChannelAccount(db, tableName, { accountId: ACCOUNT, channel: 'whatsapp', businessId: BUSINESS, wabaId: WABA, status: 'active' });
  await upsertChannelAccount(db, tableName, { accountId: RIVAL_ACCOUNT, channel: 'whatsapp', businessId: RIVAL, wabaId: RIVAL_WABA, status: 'active' });
  for (const t of [saleTemplate, shippingTemplate, { ...saleTemplate, wabaId: RIVAL_WABA }]) await putTemplate(tableName, t);
  const contacts = dynamoContactStore({ db, tableName });
  await seedContact(contacts, { waId: '5511900000001', name: 'Ana Souza', tags: ['vip'], attributes: { coupon: 'ANA' }, consent: 'opted_in' });
  await seedContact(contacts, { waId: '5511900000002', name: 'Bruno', tags: ['vip'], attributes: { coupon: 'BR' }, consent: 'opted_out' });
  await seedContact(contacts, { waId: '5511900000004', name: 'Dora', tags: ['vip'], attributes: { coupon: 'DO' }, consent: 'opted_in' });
  await seedContact(contacts, { waId: '5511900000009', name: 'Rival customer', tags: ['vip'], attributes: { coupon: 'R' }, consent: 'opted_in' }, RIVAL);
  publisher = recordingPublisher();
  deps = { store: dynamoCampaignStore({ db, tableName }), contacts, lookups: dynamoCampaignLookups({ db, tableName }), publisher };
  build = (campaignId) => runListBuild({ store: deps.store, contacts, sources: dynamoReleaseSources({ db, tableName }), publisher }, BUSINESS, campaignId);
});

const who = (businessId: string, ...roles: OperatorRole[]): OperatorIdentity => ({
  subject: `sub-${businessId}-${roles.join('+')}`,
  actor: `${roles.join('+')}@${businessId}`,
  businessId,
  roles,
  scopes: ['omnichannel/admin'],
});
const admin = who(BUSINESS, 'admin');
const supervisor = who(BUSINESS, 'supervisor');
const agent = who(BUSINESS, 'agent');
const platform = who('ops', 'platform');
const rivalAdmin = who(RIVAL, 'admin');

async function call(
  identity: OperatorIdentity,
  method: string,
  path: string,
  opts: { query?: Record<string, string>; body?: unknown; rawBody?: string } = {},
  audit: AuditContext = {},
) {
  const event = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.rawBody !== undefined ? { body: opts.rawBody } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method, path }, requestId: 'req-1' },
  } as unknown as APIGatewayProxyEventV2;
  const res = await routeCampaignsRequest(event, identity, deps, audit);
  return { status: res.statusCode ?? 0, body: JSON.parse(String(res.body)) as Record<string, any> };
}

const saleInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'Spring sale',
  accountId: ACCOUNT,
  template: { name: 'spring_sale', language: 'es' },
  audience: {
    kind: 'contacts',
    tags: ['vip'],
    variables: { '1': { from: 'contact', field: 'first_name' }, '2': { from: 'text', value: '20' }, 'button.0': { from: 'attribute', key: 'coupon' } },
  },
  ...overrides,
});

async function created(identity = admin, query?: Record<string, string>) {
  const res = await call(identity, 'POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput(), ...(query ? { query } : {}) });
  expect(res.status).toBe(201);
  return res.body as { campaignId: string; version: number };
}

describe('who may call what', () => {
  it('lets supervisors read, admins and the platform team write, agents nothing', async () => {
    const { campaignId } = await created();
    const id = { id: campaignId };
    const reads: Array<[string, string, Record<string, string>]> = [
      ['GET', CAMPAIGNS_ROUTES.list.path, {}],
      ['GET', CAMPAIGNS_ROUTES.get.path, id],
      ['GET', CAMPAIGNS_ROUTES.preview.path, id],
      ['GET', CAMPAIGNS_ROUTES.recipients.path, id],
    ];
    const writes: Array<[string, string, Record<string, string>, unknown]> = [
      ['POST', CAMPAIGNS_ROUTES.create.path, {}, saleInput()],
      ['PUT', CAMPAIGNS_ROUTES.update.path, id, { expectedVersion: 1, name: 'x' }],
      ['POST', CAMPAIGNS_ROUTES.schedule.path, id, {}],
      ['POST', CAMPAIGNS_ROUTES.pause.path, id, {}],
      ['POST', CAMPAIGNS_ROUTES.resume.path, id, {}],
      ['POST', CAMPAIGNS_ROUTES.cancel.path, id, {}],
    ];
    for (const [method, path, query] of reads) {
      expect((await call(agent, method, path, { query })).status, `agent ${method} ${path}`).toBe(403);
      expect((await call(supervisor, method, path, { query })).status, `supervisor ${method} ${path}`).toBe(200);
      expect((await call(admin, method, path, { query })).status, `admin ${method} ${path}`).toBe(200);
      expect((await call(platform, method, path, { query: { ...query, businessId: BUSINESS } })).status, `platform ${method} ${path}`).toBe(200);
      expect((await call(platform, method, path, { query })).status, `platform without business ${method} ${path}`).toBe(400);
    }
    for (const [method, path, query, body] of writes) {
      for (const identity of [agent, supervisor]) {
        const res = await call(identity, method, path, { query, body });
        expect(res.status, `${identity.roles[0]} ${method} ${path}`).toBe(403);
        expect(res.body.error).toBe('forbidden');
      }
    }
    // The campaign is untouched by the refused writes.
    expect((await call(admin, 'GET', CAMPAIGNS_ROUTES.get.path, { query: id })).body).toMatchObject({ state: 'draft', version: 1, name: 'Spring sale' });
  });

  it("answers another business's campaign as not found, and naming another business as forbidden", async () => {
    const { campaignId } = await created();
    const id = { id: campaignId };
    for (const [method, path, body] of [
      ['GET', CAMPAIGNS_ROUTES.get.path, undefined],
      ['GET', CAMPAIGNS_ROUTES.preview.path, undefined],
      ['GET', CAMPAIGNS_ROUTES.recipients.path, undefined],
      ['PUT', CAMPAIGNS_ROUTES.update.path, { expectedVersion: 1, name: 'Hijacked' }],
      ['POST', CAMPAIGNS_ROUTES.schedule.path, {}],
      ['POST', CAMPAIGNS_ROUTES.pause.path, {}],
      ['POST', CAMPAIGNS_ROUTES.resume.path, {}],
      ['POST', CAMPAIGNS_ROUTES.cancel.path, {}],
    ] as const) {
      const res = await call(rivalAdmin, method, path, { query: id, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toBe('campaign_not_found');
      expect(
        (await call(rivalAdmin, method, path, { query: { ...id, businessId: BUSINESS }, ...(body ? { body } : {}) })).status,
        `${method} ${path} naming shop`,
      ).toBe(403);
    }
    expect((await call(rivalAdmin, 'GET', CAMPAIGNS_ROUTES.list.path)).body).toEqual({ items: [] });
    // A rival's number cannot be used by this business, nor this business's by a platform operator acting for the rival.
    expect((await call(admin, 'POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput({ accountId: RIVAL_ACCOUNT }) })).body.error).toBe('account_not_found');
    expect((await call(platform, 'POST', CAMPAIGNS_ROUTES.create.path, { query: { businessId: RIVAL }, body: saleInput() })).body.error).toBe(
      'account_not_found',
    );
    expect((await call(admin, 'GET', CAMPAIGNS_ROUTES.get.path, { query: id })).body).toMatchObject({ name: 'Spring sale', state: 'draft' });
  });

  it('runs a campaign through its life for an admin, with the audit target named and supervisors seeing masked numbers', async () => {
    const audit: AuditContext = {};
    const c = await call(admin, 'POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput() }, audit);
    expect(audit).toEqual({ target: `campaign ${c.body.campaignId} ${BUSINESS}`, targetBusinessId: BUSINESS });
    const id = { id: c.body.campaignId as string };
    const preview = await call(supervisor, 'GET', CAMPAIGNS_ROUTES.preview.path, { query: id });
    expect(preview.body).toMatchObject({ count: 2, skipped: { opted_out: 1 }, complete: true });
    // A supervisor sees which variables a recipient has, not their values (a customer's name).
    const sampleVariables = preview.body.sample.flatMap((r: { variables: Record<string, string> }) => Object.values(r.variables));
    expect(sampleVariables.length).toBeGreaterThan(0);
    expect(sampleVariables.every((v: string) => v === '•••')).toBe(true);
    const adminPreview = await call(admin, 'GET', CAMPAIGNS_ROUTES.preview.path, { query: id });
    expect(adminPreview.body.sample.flatMap((r: { variables: Record<string, string> }) => Object.values(r.variables))).not.toContain('•••');
    const scheduled = await call(admin, 'POST', CAMPAIGNS_ROUTES.schedule.path, { query: id, body: { expectedVersion: 1 } });
    expect(scheduled).toMatchObject({ status: 200, body: { state: 'scheduled', list: { status: 'building' } } });
    expect((await build(id.id)).at(-1)).toEqual({ outcome: 'ready', targeted: 2 });
    expect((await call(supervisor, 'GET', CAMPAIGNS_ROUTES.get.path, { query: id })).body).toMatchObject({
      list: { status: 'ready', built: 2 },
      counts: { targeted: 2, skipped: { opted_out: 1 } },
    });
    const asSupervisor = await call(supervisor, 'GET', CAMPAIGNS_ROUTES.recipients.path, { query: id });
    expect(asSupervisor.body.items.map((r: { waId: string }) => r.waId)).toEqual(['55*********01', '55*********04']);
    expect(JSON.stringify(asSupervisor.body)).not.toContain('5511900000001');
    expect(asSupervisor.body.items.flatMap((r: { variables: Record<string, string> }) => Object.values(r.variables)).every((v: string) => v === '•••')).toBe(
      true,
    );
    const asAdmin = await call(admin, 'GET', CAMPAIGNS_ROUTES.recipients.path, { query: { ...id, limit: '1' } });
    expect(asAdmin.body.items.map((r: { waId: string }) => r.waId)).toEqual(['5511900000001']);
    const next = await call(admin, 'GET', CAMPAIGNS_ROUTES.recipients.path, { query: { ...id, limit: '1', cursor: asAdmin.body.cursor } });
    expect(next.body.items.map((r: { waId: string }) => r.waId)).toEqual(['5511900000004']);
    const paused = await call(admin, 'POST', CAMPAIGNS_ROUTES.pause.path, { query: id, body: { expectedVersion: scheduled.body.version } });
    expect(paused.body).toMatchObject({ state: 'paused', pauseReason: 'operator' });
    expect((await call(admin, 'POST', CAMPAIGNS_ROUTES.pause.path, { query: id, body: {} })).status).toBe(409);
    expect((await call(admin, 'POST', CAMPAIGNS_ROUTES.resume.path, { query: id, body: { expectedVersion: 1 } })).body.error).toBe('version_conflict');
    expect((await call(admin, 'POST', CAMPAIGNS_ROUTES.resume.path, { query: id, body: {} })).body.state).toBe('scheduled');
    expect((await call(platform, 'POST', CAMPAIGNS_ROUTES.cancel.path, { query: { ...id, businessId: BUSINESS }, body: {} })).body.state).toBe('cancelled');
    expect(publisher.events.map((e) => e.detail.state)).toEqual(['scheduled', 'scheduled', 'paused', 'scheduled', 'cancelled']);
    expect(JSON.stringify(publisher.events)).not.toMatch(/5511|Ana|Spring/);
  });
});

describe('hostile input', () => {
  it('answers bad ids, queries, bodies and routes with a 4xx and a message, never a 500', async () => {
    const { campaignId } = await created();
    const cases: Array<[string, string, { query?: Record<string, string>; body?: unknown; rawBody?: string }, number]> = [
      ['GET', CAMPAIGNS_ROUTES.get.path, { query: { id: 'cmp_#CAMPAIGN#x' } }, 400],
      ['GET', CAMPAIGNS_ROUTES.get.path, { query: { id: `${campaignId}#R#00000001` } }, 400],
      ['GET', CAMPAIGNS_ROUTES.get.path, { query: {} }, 400],
      ['GET', CAMPAIGNS_ROUTES.get.path, { query: { id: campaignId, businessId: 'shop#evil' } }, 400],
      ['GET', CAMPAIGNS_ROUTES.get.path, { query: { id: campaignId, extra: '1' } }, 400],
      ['GET', CAMPAIGNS_ROUTES.get.path, { query: { id: 'cmp_01J00000000000000000000999' } }, 404],
      ['GET', CAMPAIGNS_ROUTES.list.path, { query: { limit: '0' } }, 400],
      ['GET', CAMPAIGNS_ROUTES.list.path, { query: { limit: '1000' } }, 400],
      ['GET', CAMPAIGNS_ROUTES.list.path, { query: { cursor: 'not a cursor' } }, 400],
      [
        'GET',
        CAMPAIGNS_ROUTES.list.path,
        { query: { cursor: Buffer.from(JSON.stringify({ pk: 'CAMPAIGNS#rival', sk: 'CAMPAIGN#x' })).toString('base64url') } },
        400,
      ],
      ['GET', CAMPAIGNS_ROUTES.recipients.path, { query: { id: campaignId, state: 'stolen' } }, 400],
      [
        'GET',
        CAMPAIGNS_ROUTES.recipients.path,
        { query: { id: campaignId, cursor: Buffer.from(JSON.stringify({ pk: `CAMPAIGN#rival#${campaignId}`, sk: 'R#00000000' })).toString('base64url') } },
        400,
      ],
      ['POST', CAMPAIGNS_ROUTES.create.path, { rawBody: '{not json' }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: [1, 2] }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput({ name: 'x'.repeat(500) }) }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput({ audience: { kind: 'csv', csv: 'p'.repeat(5_000_001) } }) }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput({ audience: { kind: 'contacts', tags: Array.from({ length: 50 }, (_, i) => `t${i}`) } }) }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput({ audience: { kind: 'sql', query: 'DROP' } }) }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput({ rateShare: 5 }) }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: saleInput({ startAt: 'tomorrow' }) }, 400],
      ['POST', CAMPAIGNS_ROUTES.create.path, { body: { ...saleInput(), __proto__: { polluted: true } } }, 201],
      ['PUT', CAMPAIGNS_ROUTES.update.path, { query: { id: campaignId }, body: { expectedVersion: -1 } }, 400],
      ['POST', CAMPAIGNS_ROUTES.schedule.path, { query: { id: campaignId }, body: { expectedVersion: '1' } }, 400],
      ['DELETE', CAMPAIGNS_ROUTES.get.path, { query: { id: campaignId } }, 405],
      ['GET', '/admin/campaigns/get/extra', {}, 404],
      ['GET', '/admin/campaignsx', {}, 404],
    ];
    for (const [method, path, opts, status] of cases) {
      const res = await call(admin, method, path, opts);
      expect(res.status, `${method} ${path} ${JSON.stringify(opts).slice(0, 100)} → ${JSON.stringify(res.body).slice(0, 200)}`).toBe(status);
      if (status >= 400 && status !== 404 && status !== 405) expect(typeof res.body.message).toBe('string');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps formula-like cells as plain data, refuses bad phones by line, and writes a large file's list in the background", async () => {
    const formula = "=cmd|' /C calc'!A0";
    const bad = await call(admin, 'POST', CAMPAIGNS_ROUTES.create.path, {
      body: saleInput({ audience: { kind: 'csv', csv: ['phone,1,2,button.0', `${formula},A,1,b`, '+5511900000001,Ana,1,a', '+12,B,1,b'].join('\n') } }),
    });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_rows', badLineCount: 2, badLines: [{ line: 2 }, { line: 4 }] } });
    expect(JSON.stringify(bad.body)).not.toContain('cmd');

    const good = await call(admin, 'POST', CAMPAIGNS_ROUTES.create.path, {
      body: saleInput({ audience: { kind: 'csv', csv: ['phone;1;2;button.0', `+5511900000001;"${formula.replace(/"/g, '""')}";1;@SUM(A1)`].join('\n') } }),
    });
    expect(good.status).toBe(201);
    const recipients = await call(admin, 'GET', CAMPAIGNS_ROUTES.recipients.path, { query: { id: good.body.campaignId } });
    expect(recipients.body.items[0].variables).toEqual({ '1': formula, '2': '1', 'button.0': '@SUM(A1)' });

    // A file of numbers nobody recorded, for a utility template: checked and decided in the
    // request, written in the background past 2,000 recipients (here a size the suite can afford).
    const rowCount = Number(process.env.CAMPAIGN_CSV_ROWS ?? 3_000);
    const rows = ['phone,header.first_name,order', ...Array.from({ length: rowCount }, (_, i) => `+55219${String(i).padStart(8, '0')},Cliente,#${i}`)];
    const csv = rows.join('\n');
    const started = Date.now();
    const big = await call(admin, 'POST', CAMPAIGNS_ROUTES.create.path, {
      body: { name: 'Shipping notice', accountId: ACCOUNT, template: { name: 'order_shipped', language: 'en_US' }, audience: { kind: 'csv', csv } },
    });
    const seconds = (Date.now() - started) / 1000;
    expect(big.status).toBe(201);
    expect(big.body).toMatchObject({ audience: { kind: 'csv', rows: rowCount }, counts: { targeted: rowCount }, list: { status: 'building', built: 0 } });
    if (process.env.CAMPAIGN_CSV_ROWS)
      console.log(`${rowCount.toLocaleString('en')}-row CSV checked and staged in ${seconds.toFixed(1)} s against DynamoDB Local`);
    expect((await build(big.body.campaignId)).at(-1)).toEqual({ outcome: 'ready', targeted: rowCount });
    const last = await call(admin, 'GET', CAMPAIGNS_ROUTES.recipients.path, { query: { id: big.body.campaignId, limit: '100' } });
    expect(last.body.items[0]).toMatchObject({ seq: 0, waId: '5521900000000', variables: { 'header.first_name': 'Cliente', order: '#0' } });
  }, 1_800_000);
});
