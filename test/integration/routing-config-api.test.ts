import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import type { RoutingConfigAdmin } from '#lambdas/routing/config/routing-config-admin';
import { routeRoutingAdminRequest } from '#lambdas/routing/config/route-routing-admin-request';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { ROUTING_ADMIN_ROUTES } from '#lambdas/routing/routing-api-contract';
import { agentSk, routingPk } from '#lambdas/routing/routing-keys';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let store: RoutingConfigAdmin;
let tableName: string;
let published: DomainEvent[];
let publisher: EventPublisher;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  store = routingConfigStore({ db: table.db, tableName });
  published = [];
  publisher = { publish: async (events) => void published.push(...events) };
  await seed('shop');
});

const actor = { actor: 'seed' };
async function seed(businessId: string): Promise<void> {
  await store.putQueue(businessId, { queueId: 'general', name: 'General', sla: { firstResponseSeconds: 300 } }, actor);
  await store.putQueue(businessId, { queueId: 'vip', name: 'VIP', priority: 90, sla: { firstResponseSeconds: 120 } }, actor);
  await store.putQueue(businessId, { queueId: 'spare', name: 'Spare', sla: { firstResponseSeconds: 600 } }, actor);
  await store.putRules(
    businessId,
    { rules: [{ ruleId: 'vip', when: { tags: ['vip'] }, then: { queueId: 'vip', priority: 90 } }], defaultQueueId: 'general' },
    actor,
  );
  await store.putAgent(businessId, { agentId: 'ana', name: 'Ana', languages: ['es', 'pt'] }, actor);
  await store.putAgent(businessId, { agentId: 'temp', name: 'Temp', languages: ['en'] }, actor);
  await store.putMacro(businessId, { macroId: 'hi', name: 'Greeting', texts: { es: 'Hola {first_name}' } }, actor);
  await store.putMacro(businessId, { macroId: 'bye', name: 'Closing', texts: { en: 'Bye' } }, actor);
  await store.putContactTags(businessId, { channel: 'whatsapp', customerId: '5215550001' }, ['vip'], actor);
}

const who = (businessId: string, ...roles: OperatorRole[]): OperatorIdentity => ({
  subject: `sub-${businessId}-${roles.join('-')}`,
  actor: `${roles.join('+')}@${businessId}`,
  businessId,
  roles,
  scopes: ['omnichannel/admin'],
});

interface Opts {
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
}

function request(method: string, path: string, opts: Opts = {}): APIGatewayProxyEventV2 {
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

async function call(identity: OperatorIdentity, route: { method: string; path: string }, opts: Opts = {}, audit: AuditContext = {}) {
  const res = await routeRoutingAdminRequest(request(route.method, route.path, opts), identity, { routing: store, publisher }, audit);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}

type RouteName = keyof typeof ROUTING_ADMIN_ROUTES;
const R = ROUTING_ADMIN_ROUTES;

/** A valid request of each route, naming the business when given. */
function validRequest(name: RouteName, businessId?: string): Opts {
  const b: Record<string, string> = businessId ? { businessId } : {};
  switch (name) {
    case 'listAgents':
    case 'listQueues':
    case 'listMacros':
    case 'getRules':
      return { query: { ...b } };
    case 'getContactTags':
      return { query: { ...b, channel: 'whatsapp', customerId: '5215550001' } };
    case 'putAgent':
      return { body: { ...b, agentId: 'nuevo', name: 'Nuevo', languages: ['es'] } };
    case 'deleteAgent':
      return { body: { ...b, agentId: 'temp' } };
    case 'putQueue':
      return { body: { ...b, queueId: 'billing', name: 'Billing', sla: { firstResponseSeconds: 900 } } };
    case 'deleteQueue':
      return { body: { ...b, queueId: 'spare' } };
    case 'putRules':
      return { body: { ...b, rules: [], defaultQueueId: 'vip', expectedVersion: 1 } };
    case 'putMacro':
      return { body: { ...b, macroId: 'thanks', name: 'Thanks', texts: { pt: 'Obrigado' } } };
    case 'deleteMacro':
      return { body: { ...b, macroId: 'bye' } };
    case 'putContactTags':
      return { body: { ...b, channel: 'instagram', customerId: '17841400000', tags: ['VIP'] } };
  }
}

const READS: RouteName[] = ['listAgents', 'listQueues', 'listMacros', 'getRules', 'getContactTags'];
const WRITES: RouteName[] = ['putAgent', 'deleteAgent', 'putQueue', 'deleteQueue', 'putRules', 'putMacro', 'deleteMacro', 'putContactTags'];

it('covers every route of the contract', () => {
  expect([...READS, ...WRITES].sort()).toEqual(Object.keys(R).sort());
});

const snapshot = async (businessId: string) => ({
  config: await store.loadConfig(businessId),
  macros: await store.listMacros(businessId),
  tags: await store.getContactTags(businessId, { channel: 'instagram', customerId: '17841400000' }),
});

describe.each([
  ['agent', who('shop', 'agent'), { read: 403, write: 403 }],
  ['supervisor', who('shop', 'supervisor'), { read: 200, write: 403 }],
  ['admin', who('shop', 'admin'), { read: 200, write: 200 }],
] as const)('an %s of the business', (_role, identity, expected) => {
  it.each(READS)('%s of its own business', async (name) => {
    const res = await call(identity, R[name], validRequest(name));
    expect(res.status).toBe(expected.read);
    if (expected.read === 403) expect(res.body.error).toBe('forbidden');
  });

  it.each(WRITES)('%s on its own business', async (name) => {
    const before = await snapshot('shop');
    const res = await call(identity, R[name], validRequest(name));
    expect(res).toMatchObject({ status: expected.write });
    if (expected.write === 200) {
      expect(await snapshot('shop')).not.toEqual(before);
      expect(published).toHaveLength(1);
      expect(published[0]).toMatchObject({ source: 'io.omnichannel.routing', detailType: 'routing.changed', detail: { v: 1, businessId: 'shop' } });
    } else {
      expect(res.body.error).toBe('forbidden');
      expect(await snapshot('shop')).toEqual(before);
      expect(published).toEqual([]);
    }
  });

  it.each([...READS, ...WRITES])('%s naming another business is refused and changes nothing', async (name) => {
    await seed('rival');
    const before = await snapshot('rival');
    const res = await call(identity, R[name], validRequest(name, 'rival'));
    expect(res.status).toBe(403);
    expect(res.body.error).toBe(expected.read === 403 || (expected.write === 403 && WRITES.includes(name)) ? 'forbidden' : 'other_business');
    expect(await snapshot('rival')).toEqual(before);
    expect(published).toEqual([]);
  });
});

describe('a platform operator', () => {
  const platform = who('platform-ops', 'platform');

  it.each([...READS, ...WRITES])('%s on the business it names', async (name) => {
    const audit: AuditContext = {};
    const res = await call(platform, R[name], validRequest(name, 'shop'), audit);
    expect(res.status).toBe(200);
    expect(audit.targetBusinessId).toBe('shop');
    expect(published).toHaveLength(WRITES.includes(name) ? 1 : 0);
  });

  it.each([...READS, ...WRITES])('%s without naming a business is a 400', async (name) => {
    const res = await call(platform, R[name], validRequest(name));
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(res.body.message).toMatch(/^businessId: /);
  });
});

describe('routing admin routes', () => {
  const admin = who('shop', 'admin');

  it('saves and reads back an agent, a queue, the rules and a macro, each versioned, announced and audited', async () => {
    const audit: AuditContext = {};
    const agent = await call(admin, R.putAgent, { body: { agentId: 'bruno', name: 'Bruno', languages: ['pt', 'en'], skills: ['Billing'] } }, audit);
    expect(agent).toMatchObject({ status: 200, body: { agentId: 'bruno', skills: ['billing'], presence: 'offline', activeConversationKeys: [], version: 1 } });
    expect(audit).toEqual({ target: 'routing agent bruno shop', targetBusinessId: 'shop' });
    expect(published.map((e) => e.detail)).toEqual([{ v: 1, businessId: 'shop', what: 'agent', id: 'bruno' }]);

    expect(await call(admin, R.listAgents, { query: { agentId: 'bruno' } })).toMatchObject({ status: 200, body: { name: 'Bruno', version: 1 } });
    const page = await call(admin, R.listAgents, { query: { limit: '2' } });
    expect(page.body.items.map((a: { agentId: string }) => a.agentId)).toEqual(['ana', 'bruno']);
    const next = await call(admin, R.listAgents, { query: { limit: '2', cursor: page.body.cursor } });
    expect(next.body.items.map((a: { agentId: string }) => a.agentId)).toEqual(['temp']);

    const queue = await call(admin, R.putQueue, {
      body: { queueId: 'vip', name: 'VIP clients', priority: 95, sla: { firstResponseSeconds: 60 }, overflowQueueId: 'general', expectedVersion: 1 },
    });
    expect(queue).toMatchObject({ status: 200, body: { name: 'VIP clients', overflowQueueId: 'general', version: 2 } });
    expect(await call(admin, R.listQueues, { query: { queueId: 'vip' } })).toMatchObject({ status: 200, body: { priority: 95 } });

    const rules = await call(admin, R.putRules, {
      body: {
        rules: [{ ruleId: 'complaints', when: { reasons: ['complaint'] }, then: { queueId: 'general', priority: 80 } }],
        defaultQueueId: 'general',
        expectedVersion: 1,
      },
    });
    expect(rules).toMatchObject({ status: 200, body: { version: 2 } });
    expect(await call(admin, R.getRules)).toMatchObject({ status: 200, body: { version: 2, rules: [{ ruleId: 'complaints' }] } });

    expect(await call(admin, R.listMacros, { query: { macroId: 'hi' } })).toMatchObject({ status: 200, body: { texts: { es: 'Hola {first_name}' } } });
    expect((await call(admin, R.listMacros)).body.items).toHaveLength(2);

    const tags = await call(admin, R.putContactTags, { body: { channel: 'whatsapp', customerId: '5215550002', tags: ['VIP', 'wholesale'] } });
    expect(tags).toMatchObject({ status: 200, body: { tags: ['vip', 'wholesale'] } });
    expect(await call(admin, R.getContactTags, { query: { channel: 'whatsapp', customerId: '5215550002' } })).toMatchObject({
      body: { tags: ['vip', 'wholesale'] },
    });
    expect(published.map((e) => e.detail.what)).toEqual(['agent', 'queue', 'rules', 'contact_tags']);
  });

  it('refuses a stale version 409 with the current version', async () => {
    expect(await call(admin, R.putRules, { body: { rules: [], defaultQueueId: 'general', expectedVersion: 0 } })).toMatchObject({
      status: 409,
      body: { error: 'version_conflict', currentVersion: 1 },
    });
    expect(await call(admin, R.putAgent, { body: { agentId: 'ana', name: 'Ana', languages: ['es'], expectedVersion: 7 } })).toMatchObject({
      status: 409,
      body: { error: 'version_conflict', currentVersion: 1 },
    });
    expect(published).toEqual([]);
  });

  it('refuses to delete a busy agent or a queue in use (409), and answers unknown ones 404', async () => {
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: routingPk('shop'), sk: agentSk('ana') },
        UpdateExpression: 'ADD activeConversationKeys :k',
        ExpressionAttributeValues: { ':k': new Set(['wa:1:a']) },
      }),
    );
    expect(await call(admin, R.deleteAgent, { body: { agentId: 'ana' } })).toMatchObject({ status: 409, body: { error: 'agent_busy' } });
    expect(await store.getAgent('shop', 'ana')).toBeDefined();
    expect((await call(admin, R.deleteQueue, { body: { queueId: 'vip' } })).body).toMatchObject({ error: 'queue_in_use' });
    expect((await call(admin, R.deleteQueue, { body: { queueId: 'vip' } })).body.message).toContain('routing rule vip');
    expect((await call(admin, R.deleteQueue, { body: { queueId: 'general' } })).status).toBe(409);
    expect(await call(admin, R.deleteQueue, { body: { queueId: 'nope' } })).toMatchObject({ status: 404, body: { error: 'queue_not_found' } });
    expect(await call(admin, R.deleteAgent, { body: { agentId: 'nope' } })).toMatchObject({ status: 404, body: { error: 'agent_not_found' } });
    expect(await call(admin, R.deleteMacro, { body: { macroId: 'nope' } })).toMatchObject({ status: 404, body: { error: 'macro_not_found' } });
    expect(await call(admin, R.listAgents, { query: { agentId: 'nope' } })).toMatchObject({ status: 404, body: { error: 'agent_not_found' } });
    expect(published).toEqual([]);
  });

  it.each([
    ['a body that is not JSON', R.putAgent, { rawBody: '{"agentId":' }, /JSON/],
    ['a body that is an array', R.putAgent, { body: [1] }, /^\(body\): /],
    ['an agent without languages', R.putAgent, { body: { agentId: 'x', name: 'X' } }, /^languages: /],
    ['an agent id that could not be a key', R.putAgent, { body: { agentId: 'a#b', name: 'X', languages: ['es'] } }, /^agentId: /],
    ['an unknown agent field', R.putAgent, { body: { agentId: 'x', name: 'X', languages: ['es'], admin: true } }, /admin/],
    ['a negative expected version', R.putAgent, { body: { agentId: 'x', name: 'X', languages: ['es'], expectedVersion: -1 } }, /^expectedVersion: /],
    [
      'a queue with a bad time zone',
      R.putQueue,
      { body: { queueId: 'q', name: 'Q', sla: { firstResponseSeconds: 60 }, hours: { timezone: 'Mars/Base', weekly: {} } } },
      /^hours\.timezone: /,
    ],
    [
      'a queue overflowing nowhere',
      R.putQueue,
      { body: { queueId: 'q', name: 'Q', sla: { firstResponseSeconds: 60 }, overflowQueueId: 'nowhere' } },
      /^overflowQueueId: no queue nowhere/,
    ],
    [
      'rules naming an unknown queue',
      R.putRules,
      { body: { rules: [{ ruleId: 'r', then: { queueId: 'ghost' } }], defaultQueueId: 'general' } },
      /^rules\.0\.then\.queueId: no queue ghost/,
    ],
    ['rules without a default queue', R.putRules, { body: { rules: [] } }, /^defaultQueueId: /],
    ['a macro without texts', R.putMacro, { body: { macroId: 'm', name: 'M', texts: {} } }, /^texts: /],
    ['a delete without an id', R.deleteAgent, { body: {} }, /^agentId: /],
    ['contact tags on an unknown channel', R.putContactTags, { body: { channel: 'sms', customerId: '1', tags: [] } }, /^channel: /],
    ['contact tags that are not tags', R.putContactTags, { body: { channel: 'whatsapp', customerId: '1', tags: ['a b'] } }, /^tags\.0: /],
    ['a contact query without a customer', R.getContactTags, { query: { channel: 'whatsapp' } }, /^customerId: /],
    ['a limit out of range', R.listAgents, { query: { limit: '500' } }, /^limit: /],
    ['a forged cursor', R.listAgents, { query: { cursor: Buffer.from('QUEUE#x').toString('base64url') } }, /^cursor: /],
    ['an unknown query parameter', R.listQueues, { query: { all: 'true' } }, /all/],
    ['a business id that could not be a key', R.getRules, { query: { businessId: 'shop#x' } }, /^businessId: /],
  ] as const)('answers %s with 400 and a message naming the field', async (_name, route, opts, message) => {
    const before = await snapshot('shop');
    const res = await call(admin, route, opts as Opts);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(await snapshot('shop')).toEqual(before);
    expect(published).toEqual([]);
  });

  it('answers unknown routes 404 and wrong methods 405', async () => {
    expect((await call(admin, { method: 'GET', path: '/admin/routing/other' })).status).toBe(404);
    expect((await call(admin, { method: 'DELETE', path: R.listAgents.path })).status).toBe(405);
  });

  it('answers a saved change 200 even when its announcement could not be published', async () => {
    publisher = {
      publish: async () => {
        throw new Error('bus down');
      },
    };
    const res = await call(admin, R.putMacro, { body: { macroId: 'thanks', name: 'Thanks', texts: { en: 'Thanks' } } });
    expect(res).toMatchObject({ status: 200, body: { macroId: 'thanks', version: 1 } });
    expect(await store.getMacro('shop', 'thanks')).toBeDefined();
  });
});
