import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { registerChannelAccountIfAbsent } from '#lambdas/accounts/channel-account';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { CONVERSATION_SK, conversationPk, conversationsByStatePk, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import { type HumanAgentApiDeps, routeRequest } from '#lambdas/human-agent/route-request';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { templateKey } from '#lambdas/templates/template-item';
import { dynamoChangeFeed } from '#lambdas/workspace/change-feed-store';
import { workspaceParts } from '#lambdas/workspace/workspace-wiring';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoHumanAgentStores } from '#lambdas/human-agent/human-agent-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

/** The conversation workspace routes of the human-agent API, on DynamoDB Local. */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let published: DomainEvent[];
let clock: Date;
let signed: string[];
let deps: HumanAgentApiDeps;

const WA = 'wa:100:5511999';
const IG = 'ig:17841:IGSID1';
const OTHER_WA = 'wa:200:5522111';
const START = '2026-11-21T12:00:00.000Z';

const AGENT: OperatorIdentity = { subject: 's-ana', actor: 'ana', businessId: 'b1', roles: ['agent'], scopes: ['omnichannel/agent'] };
const SUPERVISOR: OperatorIdentity = { subject: 's-sup', actor: 'sup', businessId: 'b1', roles: ['supervisor'], scopes: ['omnichannel/agent'] };
const OTHER_AGENT: OperatorIdentity = { subject: 's-x', actor: 'xavi', businessId: 'b2', roles: ['agent'], scopes: ['omnichannel/agent'] };
const NO_ROLE: OperatorIdentity = { subject: 's-n', actor: 'nobody', businessId: 'b1', roles: [], scopes: ['omnichannel/agent'] };

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

beforeEach(async () => {
  tableName = await table.newTable();
  published = [];
  signed = [];
  clock = new Date(START);
  const now = () => clock;
  const db = table.db;
  for (const a of [
    { accountId: '100', channel: 'whatsapp' as const, businessId: 'b1', wabaId: 'W1' },
    { accountId: '17841', channel: 'instagram' as const, businessId: 'b1' },
    { accountId: '200', channel: 'whatsapp' as const, businessId: 'b2', wabaId: 'W2' },
  ]) {
    await registerChannelAccountIfAbsent(db, tableName, { ...a, status: 'active' });
  }
  deps = {
    ...dynamoHumanAgentStores(db, tableName, 30),
    publisher: { publish: async (e: DomainEvent[]) => void published.push(...e) },
    now,
    botSettings: fixedBotSettings(demoBotSettings()),
    accounts: cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName), missTtlMs: 0 }),
    workspace: workspaceParts({
      db,
      tableName,
      retentionDays: 30,
      now,
      media: {
        signGet: async (key, seconds) => {
          signed.push(key);
          return `https://media.example/${key}?X-Amz-Expires=${seconds}`;
        },
      },
    }),
  };
  await seedConversation(WA, { channel: 'whatsapp', accountId: '100', businessAccountId: 'W1', customerId: '5511999' });
  await seedConversation(IG, { channel: 'instagram', accountId: '17841', customerId: 'IGSID1' });
  await seedConversation(OTHER_WA, { channel: 'whatsapp', accountId: '200', businessAccountId: 'W2', customerId: '5522111' });
  await put({
    pk: conversationPk(WA),
    sk: messageSk('wamid.IMG'),
    lsi1sk: messageTimeSk('2026-11-21T11:00:00.000Z', 'wamid.IMG'),
    entity: 'Message',
    messageId: 'wamid.IMG',
    channel: 'whatsapp',
    direction: 'inbound',
    origin: 'customer',
    type: 'image',
    occurredAt: '2026-11-21T11:00:00.000Z',
    media: [{ id: 'meta-media-1', mimeType: 'image/jpeg', caption: 'mi paquete llegó roto' }],
    mediaObjects: [{ key: 'media/100/2026/11/21/abc-0', size: 2048, contentType: 'image/jpeg', sha256: 'x' }],
    mediaS3Key: 'media/100/2026/11/21/abc-0',
  });
  await put({
    pk: conversationPk(WA),
    sk: messageSk('out_failed'),
    lsi1sk: messageTimeSk('2026-11-21T11:01:00.000Z', 'out_failed'),
    entity: 'Message',
    messageId: 'out_failed',
    channel: 'whatsapp',
    direction: 'outbound',
    origin: 'agent',
    type: 'text',
    text: 'Te ayudo',
    occurredAt: '2026-11-21T11:01:00.000Z',
    status: 'failed',
    errorCode: 131026,
  });
  for (const [name, status] of [
    ['seguimiento', 'APPROVED'],
    ['promo', 'PENDING'],
  ] as const) {
    await put({
      ...templateKey('W1', name, 'es'),
      entity: 'Template',
      wabaId: 'W1',
      name,
      language: 'es',
      status,
      category: 'UTILITY',
      parameterFormat: 'POSITIONAL',
      componentsJson: JSON.stringify([{ type: 'BODY', text: 'Hola {{1}}, tu pedido {{2}} sigue en camino' }]),
    });
  }
  const config = routingConfigStore({ db, tableName });
  await config.putAgent('b1', { agentId: 'ana', name: 'Ana López', languages: ['es'] }, { actor: 'admin' });
  await config.putMacro(
    'b1',
    {
      macroId: 'saludo',
      name: 'Saludo',
      texts: { es: 'Hola {first_name}, soy {agent_name}. Reviso tu pedido {order_id}.', en: 'Hi {first_name}' },
      addTags: ['saludado'],
    },
    { actor: 'admin' },
  );
  await config.putMacro('b1', { macroId: 'solo-pt', name: 'Só PT', texts: { pt: 'Olá {first_name}' } }, { actor: 'admin' });
});

async function put(item: Record<string, unknown>) {
  await table.db.send(new PutCommand({ TableName: tableName, Item: item }));
}

async function seedConversation(key: string, c: { channel: string; accountId: string; businessAccountId?: string; customerId: string }) {
  await put({
    pk: conversationPk(key),
    sk: CONVERSATION_SK,
    entity: 'Conversation',
    conversationKey: key,
    ...c,
    customerName: 'María Pérez',
    state: 'human',
    version: 3,
    language: 'es',
    lastInboundAt: '2026-11-21T11:00:00.000Z',
    lastInboundMessageId: 'wamid.IMG',
    gsi1pk: conversationsByStatePk(c.accountId, 'human'),
    gsi1sk: `2026-11-21T11:00:00.000Z#${key}`,
    routingStatus: 'assigned',
    queueId: 'ventas',
    routingPriority: 90,
    assignedAgentId: 'ana',
    assignedAt: '2026-11-21T11:02:00.000Z',
    queuedAt: '2026-11-21T11:00:30.000Z',
    slaFirstResponseDueAt: '2026-11-21T11:05:30.000Z',
    slaState: 'ok',
    tags: new Set(['vip']),
    transfers: 0,
    routingVersion: 4,
    handoffContext: {
      reason: 'customer_request',
      language: 'es',
      lastCustomerTexts: ['quiero un asesor'],
      botAnswers: [],
      captured: { order_id: 'A-77' },
      tags: ['vip'],
    },
  });
}

async function item(key: string, sk = CONVERSATION_SK) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk(key), sk }, ConsistentRead: true }))).Item;
}

function request(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers: {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    requestContext: { http: { method, path }, requestId: 'r1' } as APIGatewayProxyEventV2['requestContext'],
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
  };
}

async function call(
  identity: OperatorIdentity,
  method: 'GET' | 'POST',
  path: string,
  opts: { query?: Record<string, string>; body?: unknown } = {},
  audit: AuditContext = {},
) {
  const res = await routeRequest(request(method, path, opts), identity, audit, deps).catch((err: unknown) => {
    if (err instanceof OperatorRequestError) return { statusCode: err.status, body: JSON.stringify({ error: err.code }) };
    throw err;
  });
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}

describe('conversation read', () => {
  it('messages with media (no stored keys), error words, routing attributes, notes and the window', async () => {
    await call(AGENT, 'POST', '/agent/conversation/note', { body: { conversationKey: WA, text: 'Cliente VIP, ofrecer reenvío' } });
    const read = await call(AGENT, 'GET', '/agent/conversation', { query: { key: WA } });
    expect(read.status).toBe(200);
    expect(read.body.conversation).toMatchObject({
      conversationKey: WA,
      queueId: 'ventas',
      routingPriority: 90,
      assignedAgentId: 'ana',
      slaState: 'ok',
      slaFirstResponseDueAt: '2026-11-21T11:05:30.000Z',
      tags: ['vip'],
      handoffContext: expect.objectContaining({ reason: 'customer_request', captured: { order_id: 'A-77' } }),
    });
    expect(read.body.messages).toEqual([
      expect.objectContaining({
        messageId: 'wamid.IMG',
        channel: 'whatsapp',
        direction: 'inbound',
        type: 'image',
        media: [{ index: 0, messageId: 'wamid.IMG', contentType: 'image/jpeg', caption: 'mi paquete llegó roto', size: 2048, stored: true }],
      }),
      expect.objectContaining({ messageId: 'out_failed', status: 'failed', error: expect.stringContaining('could not be delivered') }),
    ]);
    expect(JSON.stringify(read.body)).not.toMatch(/media\/100|meta-media-1/);
    expect(read.body.notes).toEqual([expect.objectContaining({ authorId: 'ana', text: 'Cliente VIP, ofrecer reenvío' })]);
    expect(read.body).toMatchObject({ windowOpen: true, windowClosesAt: '2026-11-22T11:00:00.000Z' });
  });
});

describe('internal notes and tags', () => {
  it('a note is stored with its author, never sent, and announced by ids', async () => {
    const audit: AuditContext = {};
    const res = await call(AGENT, 'POST', '/agent/conversation/note', { body: { conversationKey: WA, text: 'Llamar mañana' } }, audit);
    expect(res.status).toBe(201);
    expect(audit).toEqual({ target: WA, targetBusinessId: 'b1' });
    const stored = await table.db.send(
      new GetCommand({ TableName: tableName, Key: { pk: conversationPk(WA), sk: `INOTE#${START}#${res.body.noteId}` }, ConsistentRead: true }),
    );
    expect(stored.Item).toMatchObject({ entity: 'InternalNote', authorId: 'ana', text: 'Llamar mañana' });
    expect(published.map((e) => e.detailType)).toEqual(['conversation.annotated']);
    expect(published[0]!.detail).toMatchObject({ businessId: 'b1', conversationKey: WA, kind: 'note', noteId: res.body.noteId });
    expect(JSON.stringify(published)).not.toContain('mañana');
    expect(published.some((e) => e.detailType === 'reply.requested')).toBe(false);
  });

  it('refuses an empty or too long note, and a missing conversation', async () => {
    expect((await call(AGENT, 'POST', '/agent/conversation/note', { body: { conversationKey: WA, text: '  ' } })).status).toBe(400);
    expect((await call(AGENT, 'POST', '/agent/conversation/note', { body: { conversationKey: WA, text: 'x'.repeat(2001) } })).status).toBe(400);
    expect((await call(AGENT, 'POST', '/agent/conversation/note', { body: 'not json' })).status).toBe(400);
    expect((await call(AGENT, 'POST', '/agent/conversation/note', { body: { conversationKey: 'wa:100:000000', text: 'hola' } })).status).toBe(404);
  });

  it('tags are added and removed on the conversation', async () => {
    const res = await call(AGENT, 'POST', '/agent/conversation/tags', { body: { conversationKey: WA, add: ['Reclamo', 'envio'], remove: ['vip'] } });
    expect(res).toEqual({ status: 200, body: { tags: ['envio', 'reclamo'] } });
    expect([...((await item(WA))!.tags as Set<string>)].sort()).toEqual(['envio', 'reclamo']);
    expect(published.at(-1)!.detail).toMatchObject({ kind: 'tags', by: 'ana' });
    expect((await call(AGENT, 'POST', '/agent/conversation/tags', { body: { conversationKey: WA, add: ['no spaces please'] } })).status).toBe(400);
    expect((await call(AGENT, 'POST', '/agent/conversation/tags', { body: { conversationKey: WA } })).status).toBe(400);
    expect(
      (await call(AGENT, 'POST', '/agent/conversation/tags', { body: { conversationKey: WA, add: Array.from({ length: 21 }, (_, i) => `t${i}`) } })).status,
    ).toBe(400);
  });
});

describe('macros and replies', () => {
  it('lists the business macros, by language', async () => {
    const all = await call(AGENT, 'GET', '/agent/macros');
    expect(all.body.items.map((m: { macroId: string }) => m.macroId).sort()).toEqual(['saludo', 'solo-pt']);
    const es = await call(AGENT, 'GET', '/agent/macros', { query: { language: 'es' } });
    expect(es.body.items.map((m: { macroId: string }) => m.macroId)).toEqual(['saludo']);
    expect((await call(OTHER_AGENT, 'GET', '/agent/macros')).body.items).toEqual([]);
    expect((await call(AGENT, 'GET', '/agent/macros', { query: { language: 'fr' } })).status).toBe(400);
  });

  it('a macro reply is filled in the conversation language and adds its tags', async () => {
    const res = await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA, macroId: 'saludo', requestId: 'm1' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ macroLanguage: 'es', tags: ['saludado', 'vip'] });
    const sent = await item(WA, messageSk(res.body.outboundId));
    expect(sent).toMatchObject({
      type: 'text',
      text: 'Hola María, soy Ana López. Reviso tu pedido A-77.',
      origin: 'human_agent',
      agentId: 'ana',
      macroId: 'saludo',
      status: 'pending',
    });
    expect(published.map((e) => e.detailType)).toEqual(['reply.requested', 'conversation.annotated']);
    // The same request again sends nothing new.
    const again = await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA, macroId: 'saludo', requestId: 'm1' } });
    expect(again).toMatchObject({ status: 200, body: { outboundId: res.body.outboundId, repeated: true } });
  });

  it('refuses an unknown macro and ambiguous bodies', async () => {
    expect((await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA, macroId: 'nope' } })).status).toBe(404);
    expect((await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA, macroId: 'saludo', text: 'hola' } })).status).toBe(400);
    expect((await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA } })).status).toBe(400);
    expect((await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA, text: 'x'.repeat(4097) } })).status).toBe(400);
  });

  it('sends media by https link; refuses other links and captions the channel cannot carry', async () => {
    const res = await call(AGENT, 'POST', '/agent/conversation/reply', {
      body: { conversationKey: WA, media: { kind: 'document', url: 'https://files.example.com/guia.pdf', caption: 'La guía', filename: 'guia.pdf' } },
    });
    expect(res.status).toBe(202);
    expect(await item(WA, messageSk(res.body.outboundId))).toMatchObject({
      type: 'document',
      text: 'La guía',
      media: { link: 'https://files.example.com/guia.pdf', filename: 'guia.pdf' },
    });
    for (const media of [
      { kind: 'image', url: 'http://files.example.com/a.png' },
      { kind: 'image', url: 'https://169.254.169.254/latest' },
      { kind: 'audio', url: 'https://files.example.com/a.ogg', caption: 'no' },
      { kind: 'sticker', url: 'https://files.example.com/a.webp' },
    ]) {
      expect((await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA, media } })).status).toBe(400);
    }
    const ig = await call(AGENT, 'POST', '/agent/conversation/reply', {
      body: { conversationKey: IG, media: { kind: 'image', url: 'https://files.example.com/a.png', caption: 'x' } },
    });
    expect(ig.status).toBe(400);
  });
});

describe('templates when the window is closed', () => {
  it('the reply answers window_closed with the approved templates; a template is sent through the templates path', async () => {
    clock = new Date('2026-11-22T11:00:01.000Z');
    const refused = await call(AGENT, 'POST', '/agent/conversation/reply', { body: { conversationKey: WA, text: 'hola' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'window_closed', windowOpen: false, windowClosesAt: '2026-11-22T11:00:00.000Z' });
    expect(refused.body.proposedTemplates).toEqual([
      expect.objectContaining({ name: 'seguimiento', language: 'es', bodyVariables: ['1', '2'], bodyText: 'Hola {{1}}, tu pedido {{2}} sigue en camino' }),
    ]);

    const listed = await call(AGENT, 'GET', '/agent/conversation/templates', { query: { key: WA } });
    expect(listed.body).toMatchObject({ windowOpen: false, templates: [expect.objectContaining({ name: 'seguimiento' })] });

    const sent = await call(AGENT, 'POST', '/agent/conversation/template', {
      body: { conversationKey: WA, templateName: 'seguimiento', language: 'es', parameters: ['María', 'A-77'], requestId: 't1' },
    });
    expect(sent.status).toBe(202);
    expect(await item(WA, messageSk(sent.body.messageId))).toMatchObject({
      type: 'template',
      status: 'pending',
      template: {
        name: 'seguimiento',
        language: 'es',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'María' },
              { type: 'text', text: 'A-77' },
            ],
          },
        ],
      },
    });
    expect(published.at(-1)).toMatchObject({ detailType: 'reply.requested' });
    const again = await call(AGENT, 'POST', '/agent/conversation/template', {
      body: { conversationKey: WA, templateName: 'seguimiento', language: 'es', parameters: ['María', 'A-77'], requestId: 't1' },
    });
    expect(again).toMatchObject({ status: 200, body: { messageId: sent.body.messageId, repeated: true } });
    // The caller's longest request id still fits the templates path's idempotency key.
    const long = await call(AGENT, 'POST', '/agent/conversation/template', {
      body: { conversationKey: WA, templateName: 'seguimiento', language: 'es', parameters: ['María', 'A-77'], requestId: 'r'.repeat(200) },
    });
    expect(long.status).toBe(202);
    expect(long.body.messageId).not.toBe(sent.body.messageId);
  });

  it('refuses a template that does not fit, one not approved, and templates off WhatsApp', async () => {
    const wrong = await call(AGENT, 'POST', '/agent/conversation/template', {
      body: { conversationKey: WA, templateName: 'seguimiento', language: 'es', parameters: ['solo uno'] },
    });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'template_variables_invalid' } });
    const pending = await call(AGENT, 'POST', '/agent/conversation/template', { body: { conversationKey: WA, templateName: 'promo', language: 'es' } });
    expect(pending).toMatchObject({ status: 409, body: { error: 'template_not_approved' } });
    const ig = await call(AGENT, 'POST', '/agent/conversation/template', { body: { conversationKey: IG, templateName: 'seguimiento', language: 'es' } });
    expect(ig).toMatchObject({ status: 409, body: { error: 'templates_whatsapp_only' } });
    expect((await call(AGENT, 'GET', '/agent/conversation/templates', { query: { key: IG } })).body).toMatchObject({ windowOpen: true, templates: [] });
  });
});

describe('close with an outcome', () => {
  it('stores the outcome and carries it in conversation.closed; the CSAT question follows', async () => {
    const res = await call(AGENT, 'POST', '/agent/conversation/close', { body: { conversationKey: WA, outcome: 'duplicate' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'closed', closeOutcome: 'duplicate', csatOutboundId: expect.any(String) });
    expect(await item(WA)).toMatchObject({ state: 'closed', closeOutcome: 'duplicate', closedBy: 'ana' });
    const closed = published.find((e) => e.detailType === 'conversation.closed');
    expect(closed?.detail).toMatchObject({ conversationKey: WA, outcome: 'duplicate', closedBy: 'ana', csatAsked: true });
  });

  it('closes as converted (a sale): outcome, reason and tags on the conversation and in conversation.closed, ids only', async () => {
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: conversationPk(WA), sk: CONVERSATION_SK },
        UpdateExpression: 'SET handoffReason = :r ADD tags :t',
        ExpressionAttributeValues: { ':r': 'customer_request', ':t': new Set(['black-friday']) },
      }),
    );
    const res = await call(AGENT, 'POST', '/agent/conversation/close', { body: { conversationKey: WA, outcome: 'converted' } });
    expect(res).toMatchObject({ status: 200, body: { state: 'closed', closeOutcome: 'converted' } });
    expect(await item(WA)).toMatchObject({
      state: 'closed',
      closeOutcome: 'converted',
      closeReason: 'customer_request',
      outcome: 'converted',
      outcomeReason: 'customer_request',
      outcomeAt: START,
      outcomeBy: 'person',
    });
    const closed = published.find((e) => e.detailType === 'conversation.closed');
    expect(closed?.detail).toEqual({
      v: 1,
      conversationKey: WA,
      channel: 'whatsapp',
      accountId: '100',
      closedAt: START,
      outcome: 'converted',
      reason: 'customer_request',
      tags: ['black-friday', 'vip'],
      closedBy: 'ana',
      csatAsked: true,
    });
  });

  it('defaults to resolved; refuses an unknown outcome', async () => {
    expect((await call(AGENT, 'POST', '/agent/conversation/close', { body: { conversationKey: IG, outcome: 'happy' } })).status).toBe(400);
    expect((await call(AGENT, 'POST', '/agent/conversation/close', { body: { conversationKey: IG } })).body).toMatchObject({ closeOutcome: 'resolved' });
  });
});

describe('media links', () => {
  it('signs the stored object of a message of the conversation', async () => {
    const res = await call(AGENT, 'GET', '/agent/media', { query: { key: WA, messageId: 'wamid.IMG' } });
    expect(res).toEqual({
      status: 200,
      body: { url: 'https://media.example/media/100/2026/11/21/abc-0?X-Amz-Expires=300', expiresAt: '2026-11-21T12:05:00.000Z', contentType: 'image/jpeg' },
    });
    // The message id of another conversation of the same business finds nothing.
    expect((await call(AGENT, 'GET', '/agent/media', { query: { key: IG, messageId: 'wamid.IMG' } })).status).toBe(404);
    expect((await call(AGENT, 'GET', '/agent/media', { query: { key: WA, messageId: 'out_failed' } })).status).toBe(404);
    expect((await call(AGENT, 'GET', '/agent/media', { query: { key: WA, messageId: 'wamid.IMG', index: '12' } })).status).toBe(400);
    expect(signed).toEqual(['media/100/2026/11/21/abc-0']);
  });
});

describe('polling for updates', () => {
  it("an agent reads its business's changes after a cursor, its own offers only; a supervisor reads all", async () => {
    const feed = dynamoChangeFeed({ db: table.db, tableName, now: () => clock });
    await feed.appendChange('b1', { type: 'conversation.offered', conversationKey: WA, agentId: 'ana', at: START });
    await feed.appendChange('b1', { type: 'conversation.offered', conversationKey: IG, agentId: 'luis', at: START });
    await feed.appendChange('b2', { type: 'message.received', conversationKey: OTHER_WA, at: START });
    clock = new Date(Date.parse(START) + 2_000);

    const first = await call(AGENT, 'GET', '/agent/updates');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([expect.objectContaining({ type: 'conversation.offered', conversationKey: WA, agentId: 'ana' })]);
    expect((await call(SUPERVISOR, 'GET', '/agent/updates')).body.items).toHaveLength(2);

    await feed.appendChange('b1', { type: 'message.received', conversationKey: WA, messageId: 'wamid.2', at: START });
    // Not settled yet: not handed out, and the cursor stays.
    const early = await call(AGENT, 'GET', '/agent/updates', { query: { cursor: first.body.cursor } });
    expect(early.body).toEqual({ items: [], cursor: first.body.cursor });
    clock = new Date(Date.parse(START) + 4_000);
    const next = await call(AGENT, 'GET', '/agent/updates', { query: { cursor: first.body.cursor } });
    expect(next.body.items).toEqual([expect.objectContaining({ type: 'message.received', messageId: 'wamid.2' })]);
    expect((await call(AGENT, 'GET', '/agent/updates', { query: { cursor: next.body.cursor } })).body.items).toEqual([]);

    expect((await call(OTHER_AGENT, 'GET', '/agent/updates')).body.items).toEqual([expect.objectContaining({ conversationKey: OTHER_WA })]);
    expect((await call(AGENT, 'GET', '/agent/updates', { query: { cursor: 'FEED#b2' } })).status).toBe(400);
  });
});

describe('supervisor stats', () => {
  async function closed(key: string, accountId: string, c: Record<string, unknown>) {
    const closedAt = c.closedAt as string;
    await put({
      pk: conversationPk(key),
      sk: CONVERSATION_SK,
      entity: 'Conversation',
      conversationKey: key,
      accountId,
      state: 'closed',
      gsi1pk: conversationsByStatePk(accountId, 'closed'),
      gsi1sk: `${closedAt}#${key}`,
      ...c,
    });
  }

  it("the day's FRT, handling, wait, FCR, CSAT and SLA met per queue and agent", async () => {
    const day = {
      queuedAt: '2026-11-21T14:00:00.000Z',
      assignedAt: '2026-11-21T14:01:00.000Z',
      firstHumanResponseAt: '2026-11-21T14:03:00.000Z',
      slaFirstResponseDueAt: '2026-11-21T14:05:00.000Z',
    };
    await closed('wa:100:1', '100', {
      ...day,
      queueId: 'ventas',
      assignedAgentId: 'ana',
      closedAt: '2026-11-21T14:11:00.000Z',
      closeOutcome: 'resolved',
      transfers: 0,
      csatScore: 5,
    });
    await closed('wa:100:2', '100', {
      ...day,
      queueId: 'ventas',
      assignedAgentId: 'luis',
      closedAt: '2026-11-21T14:21:00.000Z',
      closeOutcome: 'resolved',
      transfers: 1,
      slaState: 'breached',
      csatScore: 3,
    });
    await closed('ig:17841:3', '17841', {
      ...day,
      queueId: 'soporte',
      assignedAgentId: 'ana',
      closedAt: '2026-11-21T15:01:00.000Z',
      closeOutcome: 'unresolved',
    });
    // The day before (São Paulo) and another business: not counted.
    await closed('wa:100:4', '100', { ...day, queueId: 'ventas', assignedAgentId: 'ana', closedAt: '2026-11-21T02:00:00.000Z', closeOutcome: 'resolved' });
    await closed('wa:200:5', '200', { ...day, queueId: 'ventas', assignedAgentId: 'xavi', closedAt: '2026-11-21T14:11:00.000Z', closeOutcome: 'resolved' });

    const res = await call(SUPERVISOR, 'GET', '/supervisor/stats', { query: { date: '2026-11-21' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      date: '2026-11-21',
      timezone: 'America/Sao_Paulo',
      from: '2026-11-21T03:00:00.000Z',
      to: '2026-11-22T03:00:00.000Z',
      truncated: false,
    });
    expect(res.body.total).toMatchObject({
      closed: 3,
      frtSeconds: 180,
      waitSeconds: 60,
      fcrRate: 0.3333,
      csatAverage: 4,
      csatResponses: 2,
      slaMetRate: 0.6667,
      transfers: 1,
    });
    expect(res.body.queues.map((q: { queueId: string; closed: number }) => [q.queueId, q.closed])).toEqual([
      ['soporte', 1],
      ['ventas', 2],
    ]);
    expect(res.body.agents.find((a: { agentId: string }) => a.agentId === 'ana')).toMatchObject({ closed: 2, handlingSeconds: (600 + 3600) / 2, fcrRate: 0.5 });
    expect(res.body.agents.map((a: { agentId: string }) => a.agentId)).toEqual(['ana', 'luis']);

    // Today by default, in the business's time zone.
    clock = new Date('2026-11-22T02:30:00.000Z');
    expect((await call(SUPERVISOR, 'GET', '/supervisor/stats')).body).toMatchObject({ date: '2026-11-21', total: { closed: 3 } });
  });

  it('agents may not read them; a bad date is a 400', async () => {
    expect((await call(AGENT, 'GET', '/supervisor/stats')).status).toBe(403);
    expect((await call(SUPERVISOR, 'GET', '/supervisor/stats', { query: { date: '2026-02-30' } })).status).toBe(400);
    expect((await call(SUPERVISOR, 'GET', '/supervisor/stats', { query: { date: 'today' } })).status).toBe(400);
  });
});

describe('roles and businesses', () => {
  const routes: Array<{ name: string; method: 'GET' | 'POST'; path: string; opts: (key: string) => { query?: Record<string, string>; body?: unknown } }> = [
    { name: 'read', method: 'GET', path: '/agent/conversation', opts: (key) => ({ query: { key } }) },
    { name: 'reply', method: 'POST', path: '/agent/conversation/reply', opts: (key) => ({ body: { conversationKey: key, text: 'hola' } }) },
    { name: 'macro reply', method: 'POST', path: '/agent/conversation/reply', opts: (key) => ({ body: { conversationKey: key, macroId: 'saludo' } }) },
    { name: 'close', method: 'POST', path: '/agent/conversation/close', opts: (key) => ({ body: { conversationKey: key, outcome: 'resolved' } }) },
    { name: 'note', method: 'POST', path: '/agent/conversation/note', opts: (key) => ({ body: { conversationKey: key, text: 'x' } }) },
    { name: 'tags', method: 'POST', path: '/agent/conversation/tags', opts: (key) => ({ body: { conversationKey: key, add: ['x'] } }) },
    { name: 'templates', method: 'GET', path: '/agent/conversation/templates', opts: (key) => ({ query: { key } }) },
    {
      name: 'template',
      method: 'POST',
      path: '/agent/conversation/template',
      opts: (key) => ({ body: { conversationKey: key, templateName: 'seguimiento', language: 'es', parameters: ['a', 'b'] } }),
    },
    { name: 'media', method: 'GET', path: '/agent/media', opts: (key) => ({ query: { key, messageId: 'wamid.IMG' } }) },
  ];

  it.each(routes)("$name: another business's conversation is not found, and nothing changes", async (r) => {
    const res = await call(OTHER_AGENT, r.method, r.path, r.opts(WA));
    expect(res).toMatchObject({ status: 404, body: { error: 'conversation_not_found' } });
    expect(published).toEqual([]);
    expect(signed).toEqual([]);
    expect(await item(WA)).toMatchObject({ state: 'human', version: 3 });
  });

  it.each(routes)('$name: a caller without a role is refused', async (r) => {
    expect((await call(NO_ROLE, r.method, r.path, r.opts(WA))).status).toBe(403);
  });

  it.each(routes)('$name: a supervisor of the business may', async (r) => {
    expect((await call(SUPERVISOR, r.method, r.path, r.opts(WA))).status).toBeLessThan(300);
  });

  it('business-wide routes refuse callers without a role', async () => {
    for (const path of ['/agent/macros', '/agent/updates', '/supervisor/stats']) {
      expect((await call(NO_ROLE, 'GET', path)).status).toBe(403);
    }
  });
});
