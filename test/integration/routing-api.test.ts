import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import { routeRequest, type HumanAgentApiDeps } from '#lambdas/human-agent/route-request';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { createRoutingEngine } from '#lambdas/routing/engine/create-routing-engine';
import { AGENT_WORKSPACE_ROUTES as W, SUPERVISOR_ROUTES as S } from '#lambdas/routing/routing-api-contract';
import type { RoutingTimer } from '#lambdas/routing/routing-ports';
import { routingViewsStore } from '#lambdas/routing/wiring/routing-views-store';
import { queueOpenState } from '#lambdas/routing/wiring/routing-runtime';
import { dynamoInternalNoteStore } from '#lambdas/workspace/internal-note-store';
import { fakeAccounts } from '#test/helpers/fake-accounts';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoHumanAgentStores } from '#lambdas/human-agent/human-agent-stores';

/**
 * The agent workspace's and supervisors' routing routes on DynamoDB Local, with the real engine
 * and config store: roles, own and other business, refusals, pagination and the audit context.
 */
const KEY = 'wa:100:5215550001';
const OTHER_KEY = 'wa:200:5215550002';
const ACCOUNTS = fakeAccounts([
  { accountId: '100', channel: 'whatsapp', businessId: 'b1' },
  { accountId: '200', channel: 'whatsapp', businessId: 'b2' },
]);

let table: TestTable & { newTable(): Promise<string> };
let deps: HumanAgentApiDeps;
let tableName: string;
let published: DomainEvent[];
let timers: RoutingTimer[];
const clock = new Date('2026-03-02T15:00:00.000Z');

const who = (actor: string, roles: OperatorRole[], businessId = 'b1'): OperatorIdentity => ({
  subject: actor,
  actor,
  businessId,
  roles,
  scopes: ['omnichannel/agent'],
});
const ANA = who('ana', ['agent']);
const BOB = who('bob', ['agent']);
const SUPERVISOR = who('sue', ['supervisor']);
const OTHER_AGENT = who('olga', ['agent'], 'b2');
const OTHER_SUPERVISOR = who('oscar', ['supervisor'], 'b2');

function request(route: { method: string; path: string }, opts: { query?: Record<string, string>; body?: unknown } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: route.path,
    rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers: {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    requestContext: { http: { method: route.method, path: route.path }, requestId: 'r1' } as APIGatewayProxyEventV2['requestContext'],
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
  };
}

async function call(identity: OperatorIdentity, route: { method: string; path: string }, opts: { query?: Record<string, string>; body?: unknown } = {}) {
  const audit: AuditContext = {};
  const res = await routeRequest(request(route, opts), identity, audit, deps).catch((err: unknown) => {
    if (err instanceof OperatorRequestError) return { statusCode: err.status, body: JSON.stringify({ error: err.code }) };
    throw err;
  });
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any>, audit };
}

async function putConversation(key: string, accountId: string) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: conversationPk(key),
        sk: CONVERSATION_SK,
        entity: 'Conversation',
        conversationKey: key,
        channel: 'whatsapp',
        accountId,
        customerId: key.split(':')[2],
        customerName: 'María',
        language: 'es',
        state: 'human',
        lastInboundAt: '2026-03-02T14:59:00.000Z',
      },
    }),
  );
}

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  timers = [];
  tableName = await table.newTable();
  const publisher = { publish: async (e: DomainEvent[]) => void published.push(...e) };
  const config = routingConfigStore({ db: table.db, tableName, now: () => clock });
  const engine = createRoutingEngine({
    db: table.db,
    tableName,
    config,
    publisher,
    scheduler: { schedule: async (t) => void timers.push(t) },
    now: () => clock,
    retentionDays: 30,
  });
  deps = {
    ...dynamoHumanAgentStores(table.db, tableName, 30),
    publisher,
    now: () => clock,
    botSettings: fixedBotSettings(demoBotSettings()),
    accounts: ACCOUNTS,
    routing: {
      engine,
      config,
      views: routingViewsStore({ db: table.db, tableName }),
      accounts: ACCOUNTS,
      openState: queueOpenState,
      now: () => clock,
      handoverNotes: { notes: dynamoInternalNoteStore({ db: table.db, tableName, retentionDays: 30 }), publisher },
      // b1 has bot settings on its account 100; b2 has none.
      botSettings: { forAccount: async (accountId) => (accountId === '100' ? demoBotSettings() : undefined) },
      accountIdsOf: async (businessId) => (businessId === 'b1' ? ['100'] : businessId === 'b2' ? ['200'] : []),
    },
  };
  const options = { actor: 'admin', now: clock };
  await config.putQueue('b1', { queueId: 'general', name: 'General', sla: { firstResponseSeconds: 600 } }, options);
  await config.putQueue('b1', { queueId: 'billing', name: 'Billing', sla: { firstResponseSeconds: 600 } }, options);
  await config.putRules('b1', { rules: [], defaultQueueId: 'general' }, options);
  for (const agentId of ['ana', 'bob']) await config.putAgent('b1', { agentId, name: agentId.toUpperCase(), languages: ['es'], maxConcurrent: 2 }, options);
  await config.putAgent('b2', { agentId: 'olga', name: 'Olga', languages: ['es'] }, options);
  await putConversation(KEY, '100');
  await putConversation(OTHER_KEY, '200');
  // The handoff the routing consumer would route: queued in `general`, nobody online yet.
  expect(await engine.routeHandoff({ businessId: 'b1', conversationKey: KEY, reason: 'customer_request', requestedAt: clock.toISOString() })).toMatchObject({
    ok: true,
  });
});

describe('agent workspace routes', () => {
  it('an agent goes online, is offered the waiting conversation, accepts it; nobody else sees or takes the offer', async () => {
    const me = await call(ANA, W.me);
    expect(me).toMatchObject({
      status: 200,
      body: { agent: { agentId: 'ana', presence: 'offline' }, displayName: 'ANA', timezone: demoBotSettings().timezone, load: 0, capacity: 2 },
    });
    expect(me.audit).toEqual({ target: 'agent ana', targetBusinessId: 'b1' });

    const online = await call(ANA, W.presence, { body: { presence: 'online' } });
    expect(online).toMatchObject({ status: 200, body: { agent: { presence: 'online' } } });
    const inbox = await call(ANA, W.inbox);
    expect(inbox.status).toBe(200);
    expect(inbox.body.offers).toEqual([
      expect.objectContaining({ conversationKey: KEY, routingStatus: 'offered', offeredAgentId: 'ana', queueId: 'general', customerName: 'María' }),
    ]);
    expect(inbox.body.assigned).toEqual([]);
    expect(timers.some((t) => t.kind === 'offer_expiry')).toBe(true);

    expect((await call(BOB, W.presence, { body: { presence: 'online' } })).status).toBe(200);
    expect((await call(BOB, W.inbox)).body.offers).toEqual([]);
    const stolen = await call(BOB, W.acceptOffer, { body: { conversationKey: KEY } });
    expect(stolen).toMatchObject({ status: 409, body: { error: 'not_offered_to_you' } });
    // Another business's agent cannot even learn the conversation exists.
    expect(await call(OTHER_AGENT, W.acceptOffer, { body: { conversationKey: KEY } })).toMatchObject({
      status: 404,
      body: { error: 'conversation_not_found' },
    });

    const accepted = await call(ANA, W.acceptOffer, { body: { conversationKey: KEY } });
    expect(accepted).toMatchObject({ status: 200, body: { routing: { routingStatus: 'assigned', assignedAgentId: 'ana' } } });
    expect(accepted.audit).toEqual({ target: KEY, targetBusinessId: 'b1' });
    expect((await call(ANA, W.inbox)).body).toMatchObject({ offers: [], assigned: [expect.objectContaining({ conversationKey: KEY })], load: 1 });
  });

  it('a declined offer goes to the next agent; the decliner is not offered it again', async () => {
    await call(ANA, W.presence, { body: { presence: 'online' } });
    expect(await call(ANA, W.declineOffer, { body: { conversationKey: KEY, reason: 'busy' } })).toMatchObject({ status: 200 });
    await call(BOB, W.presence, { body: { presence: 'online' } });
    expect((await call(BOB, W.inbox)).body.offers).toEqual([expect.objectContaining({ conversationKey: KEY })]);
    expect((await call(ANA, W.inbox)).body.offers).toEqual([]);
  });

  it('agents transfer only conversations assigned to them', async () => {
    await call(ANA, W.presence, { body: { presence: 'online' } });
    await call(ANA, W.acceptOffer, { body: { conversationKey: KEY } });
    expect(await call(BOB, W.transfer, { body: { conversationKey: KEY, toQueueId: 'billing' } })).toMatchObject({
      status: 409,
      body: { error: 'not_assigned_to_you' },
    });
    expect(await call(ANA, W.transfer, { body: { conversationKey: KEY, toQueueId: 'nowhere' } })).toMatchObject({
      status: 409,
      body: { error: 'queue_not_found' },
    });
    const moved = await call(ANA, W.transfer, { body: { conversationKey: KEY, toQueueId: 'billing' } });
    expect(moved.status).toBe(200);
    expect(moved.body.routing).toMatchObject({ queueId: 'billing' });
    expect(published.some((e) => e.detailType === 'conversation.transferred')).toBe(true);
  });

  it("names the business's time zone: its bot settings', else its first queue with hours', else UTC", async () => {
    expect((await call(OTHER_AGENT, W.me)).body).toMatchObject({ displayName: 'Olga', timezone: 'UTC' });
    const hours = { timezone: 'America/Sao_Paulo', weekly: { mon: [{ from: '09:00', to: '18:00' }] }, holidays: [] };
    const admin = routingConfigStore({ db: table.db, tableName: tableName, now: () => clock });
    await admin.putQueue('b2', { queueId: 'plain', name: 'Plain', sla: { firstResponseSeconds: 600 } }, { actor: 'admin', now: clock });
    await admin.putQueue('b2', { queueId: 'sp', name: 'São Paulo', hours, sla: { firstResponseSeconds: 600 } }, { actor: 'admin', now: clock });
    expect((await call(OTHER_AGENT, W.me)).body.timezone).toBe('America/Sao_Paulo');
    // Bot settings win over the queues.
    await admin.putQueue('b1', { queueId: 'sp', name: 'São Paulo', hours, sla: { firstResponseSeconds: 600 } }, { actor: 'admin', now: clock });
    expect((await call(ANA, W.me)).body.timezone).toBe(demoBotSettings().timezone);
  });

  it('keeps a transfer note as an internal note the next person reads; no note, nothing kept', async () => {
    await call(ANA, W.presence, { body: { presence: 'online' } });
    await call(ANA, W.acceptOffer, { body: { conversationKey: KEY } });
    expect(await call(ANA, W.transfer, { body: { conversationKey: KEY, toQueueId: 'billing', note: 'x'.repeat(1001) } })).toMatchObject({ status: 400 });
    expect(await call(ANA, W.transfer, { body: { conversationKey: KEY, toQueueId: 'billing', note: 42 } })).toMatchObject({ status: 400 });
    // A refused transfer keeps no note.
    expect(await call(ANA, W.transfer, { body: { conversationKey: KEY, toQueueId: 'nowhere', note: 'lost' } })).toMatchObject({ status: 409 });
    const moved = await call(ANA, W.transfer, { body: { conversationKey: KEY, toQueueId: 'billing', note: '  Wants a refund of order 1234  ' } });
    expect(moved).toMatchObject({ status: 200, body: { routing: { queueId: 'billing' }, noteSaved: true } });
    const notes = await deps.routing!.handoverNotes!.notes.list(KEY, 10);
    expect(notes).toEqual([
      expect.objectContaining({ conversationKey: KEY, authorId: 'ana', text: 'Wants a refund of order 1234', createdAt: clock.toISOString() }),
    ]);
    expect(published.filter((e) => e.detailType === 'conversation.annotated').map((e) => e.detail)).toEqual([
      expect.objectContaining({
        businessId: 'b1',
        conversationKey: KEY,
        channel: 'whatsapp',
        accountId: '100',
        kind: 'note',
        noteId: notes[0]!.noteId,
        by: 'ana',
      }),
    ]);
    expect(JSON.stringify(published)).not.toContain('refund');
  });

  it('answers bad requests with 400 and callers who are not routing agents with 404', async () => {
    expect(await call(ANA, W.presence, { body: { presence: 'invisible' } })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await call(ANA, W.presence, { body: '{not json' })).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    expect(await call(ANA, W.acceptOffer, { body: { conversationKey: 'x'.repeat(1001) } })).toMatchObject({ status: 400 });
    expect(await call(ANA, W.transfer, { body: { conversationKey: KEY, toQueueId: 'billing', toAgentId: 'bob' } })).toMatchObject({ status: 400 });
    expect(await call(ANA, W.inbox, { query: { limit: '0' } })).toMatchObject({ status: 400 });
    expect(await call(ANA, W.inbox, { query: { cursor: 'bm90IGEgY3Vyc29y' } })).toMatchObject({ status: 400 });
    expect(await call(who('zed', ['agent']), W.me)).toMatchObject({ status: 404, body: { error: 'agent_not_found' } });
    expect(await call(who('svc', ['platform']), W.me)).toMatchObject({ status: 403 });
  });
});

describe('supervisor routes', () => {
  it('lists live queues and agents of their own business only, paginated', async () => {
    const queues = await call(SUPERVISOR, S.queues);
    expect(queues.status).toBe(200);
    const general = queues.body.items.find((i: any) => i.queue.queueId === 'general');
    expect(general).toMatchObject({ waiting: 1, open: true, slaWarning: 0, slaBreached: 0, entries: [expect.objectContaining({ conversationKey: KEY })] });
    expect(general.oldestWaitingSince).toBe(clock.toISOString());
    expect(queues.audit).toEqual({ target: 'queues', targetBusinessId: 'b1' });
    expect((await call(OTHER_SUPERVISOR, S.queues)).body.items.every((i: any) => i.waiting === 0)).toBe(true);

    const first = await call(SUPERVISOR, S.agents, { query: { limit: '1' } });
    expect(first.body.items.map((i: any) => i.agent.agentId)).toEqual(['ana']);
    const second = await call(SUPERVISOR, S.agents, { query: { limit: '1', cursor: first.body.cursor } });
    expect(second.body.items.map((i: any) => i.agent.agentId)).toEqual(['bob']);
    expect(second.body.cursor).toBeUndefined();
    expect((await call(OTHER_SUPERVISOR, S.agents)).body.items.map((i: any) => i.agent.agentId)).toEqual(['olga']);
  });

  it('refuses agents the supervisor lists and reassigning', async () => {
    expect(await call(ANA, S.queues)).toMatchObject({ status: 403 });
    expect(await call(ANA, S.agents)).toMatchObject({ status: 403 });
    expect(await call(ANA, S.reassign, { body: { conversationKey: KEY, toAgentId: 'bob' } })).toMatchObject({ status: 403 });
  });

  it("reassigns a conversation of their business to an agent; another business's is not found", async () => {
    await call(ANA, W.presence, { body: { presence: 'online' } });
    await call(ANA, W.acceptOffer, { body: { conversationKey: KEY } });
    await call(BOB, W.presence, { body: { presence: 'online' } });
    expect(await call(OTHER_SUPERVISOR, S.reassign, { body: { conversationKey: KEY, toAgentId: 'olga' } })).toMatchObject({ status: 404 });
    expect(await call(SUPERVISOR, S.reassign, { body: { conversationKey: OTHER_KEY, toAgentId: 'bob' } })).toMatchObject({ status: 404 });
    const moved = await call(SUPERVISOR, S.reassign, { body: { conversationKey: KEY, toAgentId: 'bob', note: 'Bob knows this customer' } });
    expect(moved).toMatchObject({ status: 200, body: { routing: { assignedAgentId: 'bob' }, noteSaved: true } });
    expect((await deps.routing!.handoverNotes!.notes.list(KEY, 10)).map((n) => [n.authorId, n.text])).toEqual([['sue', 'Bob knows this customer']]);
    expect(moved.audit).toEqual({ target: KEY, targetBusinessId: 'b1' });
    const agents = await call(SUPERVISOR, S.agents);
    expect(agents.body.items.map((i: any) => [i.agent.agentId, i.load])).toEqual([
      ['ana', 0],
      ['bob', 1],
    ]);
  });
});
