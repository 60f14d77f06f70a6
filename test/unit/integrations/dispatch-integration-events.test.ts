import type { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { Contact } from '#lambdas/contacts/contact-model';
import { dispatchIntegrationEvents, type DeliveryRequestedEvent, type DispatchDeps } from '#lambdas/integrations/dispatch-integration-events';
import type { DestinationSpec, IntegrationKind, IntegrationMapper, MapperInput } from '#lambdas/integrations/integration-model';
import type { IntegrationDelivery, IntegrationRecord, RecordRequestedOutcome } from '#lambdas/integrations/integration-store';
import { webhookMapper } from '#lambdas/integrations/mappers/webhook';
import { verifySignature } from '#lambdas/integrations/signed-body';
import { dynamoSnapshotSource } from '#lambdas/integrations/dispatch/snapshots-store';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { ReopenPendingError } from '#lambdas/integrations/errors';

const SECRET = 'a'.repeat(64);
const ACCOUNT = '100000000000301';
const CUSTOMER = '5511987650301';
const KEY = `wa:${ACCOUNT}:${CUSTOMER}`;

// --- fakes: the table, the store, the bus ---------------------------------------------------------
let items: Map<string, Record<string, unknown>>;
let deliveries: Map<string, IntegrationDelivery & { publishedAt?: string }>;
let published: DomainEvent[];
let failPublishes: number;
let mapperInputs: MapperInput[];
let integrations: IntegrationRecord[];
let deps: DispatchDeps;

const put = (pk: string, sk: string, item: Record<string, unknown>) => items.set(`${pk}|${sk}`, { pk, sk, ...item });

const contact: Contact = {
  businessId: 'acme',
  contactId: 'c_01JABCDEFGHJKMNPQRSTVWXYZ0',
  name: 'Lucía',
  identities: [{ kind: 'whatsapp', value: CUSTOMER, linkedAt: '2026-12-01T00:00:00.000Z', linkedBy: 'channel' }],
  consent: {},
  tags: [],
  attributes: {},
  crmIds: {},
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 1,
};

/** A CRM-like mapper with two destinations, one with a path wildcard; it echoes what it saw. */
const UPSERT: DestinationSpec = { key: 'upsert', method: 'PATCH', pathTemplate: '/records/*' };
const NOTE: DestinationSpec = { key: 'note', method: 'POST', pathTemplate: '/notes' };
let fakeRequests: (input: MapperInput) => ReturnType<IntegrationMapper['map']>;
const fakeMapper: IntegrationMapper = {
  kind: 'hubspot',
  destinations: [UPSERT, NOTE],
  map(input) {
    mapperInputs.push(input);
    return fakeRequests(input);
  },
};

const integration = (over: Partial<IntegrationRecord> = {}): IntegrationRecord => ({
  businessId: 'acme',
  integrationId: 'iwebhook0001',
  kind: 'webhook',
  name: 'Backend',
  baseUrl: 'https://hooks.acme.example/x',
  authType: 'api_key',
  events: ['message.received', 'conversation.opened', 'conversation.closed'],
  rateLimitPerSecond: 10,
  lookup: false,
  enabled: true,
  resources: { signingSecretId: 'secret-webhook' },
  provisioning: { state: 'provisioned', at: '2026-12-01T00:00:00.000Z' },
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 2,
  ...over,
});

beforeEach(() => {
  items = new Map();
  deliveries = new Map();
  published = [];
  failPublishes = 0;
  mapperInputs = [];
  fakeRequests = (input) => [
    {
      destination: 'upsert',
      method: 'PATCH',
      path: '/records/r1',
      pathParams: ['r1'],
      body: { seen: input.eventType },
      idempotencyKey: `hubspot:upsert:${input.eventId}`,
    },
  ];
  integrations = [integration()];
  put(`CONV#${KEY}`, 'CONV', {
    entity: 'Conversation',
    conversationKey: KEY,
    channel: 'whatsapp',
    accountId: ACCOUNT,
    customerId: CUSTOMER,
    state: 'bot',
    createdAt: '2026-12-07T10:00:00.000Z',
    tags: ['vip'],
  });
  put(`CONV#${KEY}`, 'MSG#wamid.1', {
    entity: 'Message',
    providerMessageId: 'wamid.1',
    direction: 'inbound',
    type: 'text',
    text: 'hola, mi pedido 123',
    occurredAt: '2026-12-07T10:00:00.000Z',
  });
  deps = {
    snapshots: dynamoSnapshotSource(
      {
        send: async (command: unknown) => {
          const input = (command as GetCommand).input;
          return { Item: items.get(`${String(input.Key!.pk)}|${String(input.Key!.sk)}`) };
        },
      } as unknown as DocumentClient,
      't',
    ),
    accounts: { account: async (id) => (id === ACCOUNT ? ({ businessId: 'acme' } as never) : undefined) },
    integrations: { enabled: async (b) => (b === 'acme' ? integrations : []) },
    contacts: {
      get: async (b, id) => (b === 'acme' && id === contact.contactId ? contact : undefined),
      findByIdentity: async (b, kind, value) => (b === 'acme' && kind === 'whatsapp' && value === CUSTOMER ? contact : undefined),
    },
    store: {
      async recordRequested(d): Promise<RecordRequestedOutcome> {
        const key = `${d.integrationId}|${d.at}|${d.deliveryId}`;
        const known = deliveries.get(key);
        if (!known) {
          deliveries.set(key, d);
          return 'recorded';
        }
        return known.publishedAt ? 'known_published' : 'known_unpublished';
      },
      async markPublished(d, at) {
        deliveries.get(`${d.integrationId}|${d.at}|${d.deliveryId}`)!.publishedAt = at;
      },
    },
    secrets: {
      read: async (id) => (id === 'secret-webhook' ? { signingSecret: SECRET, auth: { type: 'api_key', headerName: 'X-Key', apiKey: 'k' } } : undefined),
    },
    publisher: {
      async publish(events) {
        if (failPublishes > 0) {
          failPublishes--;
          throw new Error('bus down');
        }
        published.push(...events);
      },
    },
    mappers: (kind: IntegrationKind) => (kind === 'webhook' ? webhookMapper : kind === 'hubspot' ? fakeMapper : undefined),
    now: () => new Date('2026-12-07T10:00:05.000Z'),
  };
});

const received = (over: Record<string, unknown> = {}) => ({
  id: `eb-${Math.random()}`,
  source: 'io.omnichannel.normalizer',
  'detail-type': 'message.received',
  time: '2026-12-07T10:00:01Z',
  detail: {
    v: 1,
    conversationKey: KEY,
    channel: 'whatsapp',
    accountId: ACCOUNT,
    providerMessageId: 'wamid.1',
    eventId: 'wa:evt:1',
    occurredAt: '2026-12-07T10:00:00.000Z',
    ...over,
  },
});
const details = () => published.map((e) => e.detail as unknown as DeliveryRequestedEvent);

describe('dispatching a customer message', () => {
  it('publishes one signed delivery request per subscribed event, recorded before it is published', async () => {
    const out = await dispatchIntegrationEvents(received(), deps);
    expect(out).toMatchObject({ outcome: 'dispatched', requested: 2, repeated: 0, dropped: [] });
    expect(published.map((e) => [e.source, e.detailType])).toEqual([
      ['io.omnichannel.integrations', 'integration.delivery_requested'],
      ['io.omnichannel.integrations', 'integration.delivery_requested'],
    ]);
    const [message, opened] = details();
    expect(message).toMatchObject({
      v: 1,
      businessId: 'acme',
      integrationId: 'iwebhook0001',
      eventType: 'message.received',
      occurredAt: '2026-12-07T10:00:00.000Z',
    });
    expect(message!.request).toMatchObject({ destination: 'event', method: 'POST', path: '', pathParams: [] });
    // The key the target sends as `idempotency_key` ($.detail.idempotencyKey) is the body's too.
    expect(message!.request.body).toMatchObject({ idempotencyKey: message!.idempotencyKey });
    expect(message!.request).not.toHaveProperty('headers');
    // The signature ($.detail.request.signature) covers the body exactly as it is serialized for the endpoint.
    const bytes = Buffer.from(JSON.stringify(message!.request.body));
    expect(verifySignature(bytes, SECRET, message!.request.signature)).toBe(true);
    expect(message!.request.body).toMatchObject({
      type: 'message.received',
      message: { providerMessageId: 'wamid.1', direction: 'inbound', text: 'hola, mi pedido 123' },
      contact: { contactId: contact.contactId },
    });
    expect(opened).toMatchObject({ eventType: 'conversation.opened', occurredAt: '2026-12-07T10:00:00.000Z' });
    expect(opened!.request.body).toMatchObject({
      type: 'conversation.opened',
      conversation: { conversationKey: KEY, openedAt: '2026-12-07T10:00:00.000Z', tags: ['vip'] },
    });
    expect([...deliveries.values()].map((d) => [d.eventType, d.status, d.publishedAt])).toEqual([
      ['message.received', 'requested', '2026-12-07T10:00:05.000Z'],
      ['conversation.opened', 'requested', '2026-12-07T10:00:05.000Z'],
    ]);
  });

  it('keeps idempotency keys and delivery ids across redeliveries (a new EventBridge id too) and publishes nothing twice', async () => {
    await dispatchIntegrationEvents(received(), deps);
    const first = details();
    const again = await dispatchIntegrationEvents(received(), deps);
    expect(again).toMatchObject({ outcome: 'dispatched', requested: 0, repeated: 2 });
    expect(published).toHaveLength(2);
    // A second message of the same session opens nothing new.
    put(`CONV#${KEY}`, 'MSG#wamid.2', {
      entity: 'Message',
      providerMessageId: 'wamid.2',
      direction: 'inbound',
      type: 'text',
      occurredAt: '2026-12-07T10:01:00.000Z',
    });
    await dispatchIntegrationEvents(received({ providerMessageId: 'wamid.2', eventId: 'wa:evt:2', occurredAt: '2026-12-07T10:01:00.000Z' }), deps);
    expect(
      details()
        .slice(2)
        .map((d) => d.eventType),
    ).toEqual(['message.received']);
    // A fresh dispatcher (empty log) computes the very same keys.
    deliveries.clear();
    published = [];
    await dispatchIntegrationEvents(received(), deps);
    expect(details().map((d) => [d.deliveryId, d.idempotencyKey])).toEqual(first.map((d) => [d.deliveryId, d.idempotencyKey]));
  });

  it('publishes again what a crash left recorded but unpublished', async () => {
    failPublishes = 1;
    await expect(dispatchIntegrationEvents(received(), deps)).rejects.toThrow('bus down');
    expect(published).toEqual([]);
    const out = await dispatchIntegrationEvents(received(), deps);
    expect(out).toMatchObject({ requested: 0, repeated: 2 });
    expect(published).toHaveLength(2);
  });

  it('waits for the reopening of a closed conversation, after publishing the rest, and gives up waiting after a few tries', async () => {
    put(`CONV#${KEY}`, 'CONV', {
      ...items.get(`CONV#${KEY}|CONV`),
      state: 'closed',
      closedAt: '2026-12-07T09:00:00.000Z',
      createdAt: '2026-12-07T08:00:00.000Z',
    });
    await expect(dispatchIntegrationEvents(received(), deps, { receiveCount: 1 })).rejects.toBeInstanceOf(ReopenPendingError);
    expect(details().map((d) => d.eventType)).toEqual(['message.received']);
    // The agent reopened it: the new session opens.
    put(`CONV#${KEY}`, 'CONV', { ...items.get(`CONV#${KEY}|CONV`), state: 'bot', reopenedAt: '2026-12-07T10:00:02.000Z' });
    await dispatchIntegrationEvents(received(), deps, { receiveCount: 2 });
    expect(details().map((d) => [d.eventType, d.occurredAt])).toEqual([
      ['message.received', '2026-12-07T10:00:00.000Z'],
      ['conversation.opened', '2026-12-07T10:00:02.000Z'],
    ]);
    expect(details()[1]!.request.body).toMatchObject({ conversation: { openedAt: '2026-12-07T10:00:02.000Z' } });
    // Never reopened: after five receives the opening is dropped rather than retried forever.
    put(`CONV#${KEY}`, 'CONV', { ...items.get(`CONV#${KEY}|CONV`), state: 'closed', closedAt: '2026-12-07T10:00:03.000Z' });
    await expect(
      dispatchIntegrationEvents(received({ occurredAt: '2026-12-07T10:05:00.000Z', eventId: 'wa:evt:9' }), deps, { receiveCount: 5 }),
    ).resolves.toMatchObject({ outcome: 'dispatched' });
  });
});

describe('what a mapper sees and may ask', () => {
  beforeEach(() => {
    integrations = [integration({ integrationId: 'icrm00000001', kind: 'hubspot', events: ['conversation.closed'], resources: {} })];
  });

  const closed = () => ({
    id: 'eb-closed',
    source: 'io.omnichannel.human-agent',
    'detail-type': 'conversation.closed',
    detail: { v: 1, conversationKey: KEY, channel: 'whatsapp', accountId: ACCOUNT, closedAt: '2026-12-07T11:00:00.000Z', outcome: 'resolved' },
  });

  it('gets the conversation as it closed, the contact, and no message text when it chose no message event', async () => {
    await dispatchIntegrationEvents(closed(), deps);
    expect(mapperInputs).toHaveLength(1);
    const seen = mapperInputs[0]!;
    expect(seen).toMatchObject({ eventType: 'conversation.closed', occurredAt: '2026-12-07T11:00:00.000Z', contact: { contactId: contact.contactId } });
    expect(seen.conversation).toMatchObject({
      state: 'closed',
      closedAt: '2026-12-07T11:00:00.000Z',
      outcome: 'resolved',
      openedAt: '2026-12-07T10:00:00.000Z',
    });
    expect(seen.eventId).toMatch(/^e_[0-9a-f]{32}$/);
    const [detail] = details();
    expect(detail!.request).toMatchObject({ destination: 'upsert', method: 'PATCH', pathParams: ['r1'], idempotencyKey: `hubspot:upsert:${seen.eventId}` });
    expect(detail!.idempotencyKey).toBe(`hubspot:upsert:${seen.eventId}`);
    // Only webhooks are signed.
    expect(detail!.request).not.toHaveProperty('signature');
  });

  it('drops requests its destinations cannot carry, and every header a mapper asks for (none can travel per delivery)', async () => {
    fakeRequests = () => [
      { destination: 'nowhere', method: 'POST', path: '/x', body: {}, idempotencyKey: 'k-000000001' },
      { destination: 'upsert', method: 'POST', path: '/records/r1', pathParams: ['r1'], body: {}, idempotencyKey: 'k-000000002' },
      { destination: 'upsert', method: 'PATCH', path: '/records/../admin', pathParams: ['../admin'], body: {}, idempotencyKey: 'k-000000003' },
      { destination: 'upsert', method: 'PATCH', path: '/records/', pathParams: [], body: {}, idempotencyKey: 'k-000000004' },
      {
        destination: 'note',
        method: 'POST',
        path: '/notes',
        body: { n: 1 },
        idempotencyKey: 'k&signature=forged',
        headers: { 'X-Custom': 'v', 'Idempotency-Key': 'from-mapper-1' },
      },
    ];
    const out = await dispatchIntegrationEvents(closed(), deps);
    expect(out).toMatchObject({ outcome: 'dispatched', requested: 1, droppedHeaders: 2 });
    expect((out as { dropped: Array<{ reason: string }> }).dropped.map((d) => d.reason)).toEqual([
      'unknown_destination',
      'method_mismatch',
      'bad_path_params',
      'bad_path_params',
    ]);
    const [note] = details();
    // A key the mapper gave that a query string could not carry as it is (`&`, `=`) is replaced by a stable one.
    expect(note!.idempotencyKey).toMatch(/^hubspot:note:[0-9a-f]{40}$/);
    expect(note!.request.idempotencyKey).toBe(note!.idempotencyKey);
    expect(note!.request).not.toHaveProperty('headers');
  });
});

describe('statuses, templates and contacts', () => {
  beforeEach(() => {
    integrations = [integration({ events: ['message.status', 'message.sent', 'message.failed', 'template.sent', 'contact.updated', 'contact.merged'] })];
    put(`CONV#${KEY}`, 'MSG#out_1', {
      entity: 'Message',
      messageId: 'out_1',
      providerMessageId: 'wamid.out1',
      direction: 'outbound',
      type: 'text',
      text: 'Tu pedido sale hoy',
      status: 'delivered',
      occurredAt: '2026-12-07T10:02:00.000Z',
    });
  });
  const status = (s: string, at: string) => ({
    id: `eb-${s}`,
    source: 'io.omnichannel.status',
    'detail-type': `message.${s}`,
    detail: {
      v: 1,
      conversationKey: KEY,
      messageId: 'out_1',
      channel: 'whatsapp',
      accountId: ACCOUNT,
      status: s,
      occurredAt: at,
      ...(s === 'failed' ? { errorCode: 131047 } : {}),
    },
  });

  it('makes a delivered and a read receipt two message.status and one message.sent', async () => {
    await dispatchIntegrationEvents(status('delivered', '2026-12-07T10:02:05.000Z'), deps);
    await dispatchIntegrationEvents(status('read', '2026-12-07T10:03:00.000Z'), deps);
    expect(details().map((d) => [d.eventType, (d.request.body as { message?: { status?: string } }).message?.status])).toEqual([
      ['message.status', 'delivered'],
      ['message.sent', 'delivered'],
      ['message.status', 'read'],
    ]);
    expect(details()[1]!.occurredAt).toBe('2026-12-07T10:02:00.000Z');
  });

  it('makes a failure message.failed with its code', async () => {
    await dispatchIntegrationEvents(status('failed', '2026-12-07T10:02:05.000Z'), deps);
    expect(details().map((d) => d.eventType)).toEqual(['message.failed']);
    expect(details()[0]!.request.body).toMatchObject({ message: { status: 'failed', errorCode: '131047' } });
  });

  it('makes a template send template.sent, and a plain reply from a person nothing', async () => {
    put(`CONV#${KEY}`, 'MSG#out_t_1', {
      entity: 'Message',
      messageId: 'out_t_1',
      direction: 'outbound',
      type: 'template',
      template: { name: 'order_update', language: 'es', category: 'utility' },
      status: 'pending',
      occurredAt: '2026-12-07T10:04:00.000Z',
      createdAt: '2026-12-07T10:04:00.000Z',
    });
    const request = (source: string, outboundId: string) => ({
      id: `eb-${outboundId}`,
      source,
      'detail-type': 'reply.requested',
      time: '2026-12-07T10:04:01Z',
      detail: { v: 1, conversationKey: KEY, outboundId, channel: 'whatsapp', accountId: ACCOUNT },
    });
    await dispatchIntegrationEvents(request('io.omnichannel.templates', 'out_t_1'), deps);
    await dispatchIntegrationEvents(request('io.omnichannel.human-agent', 'out_1'), deps);
    expect(await dispatchIntegrationEvents(request('io.omnichannel.agent', 'out_t_1'), deps)).toEqual({
      outcome: 'ignored',
      reason: 'not_an_integration_event',
    });
    expect(details().map((d) => [d.eventType, (d.request.body as { message?: { templateName?: string } }).message?.templateName])).toEqual([
      ['template.sent', 'order_update'],
    ]);
  });

  it('sends the contact for contact events (the survivor for a merge)', async () => {
    await dispatchIntegrationEvents(
      {
        id: 'eb-c1',
        source: 'io.omnichannel.contacts',
        'detail-type': 'contact.updated',
        detail: { v: 1, businessId: 'acme', contactId: contact.contactId, changed: ['tags'], version: 4, at: '2026-12-07T12:00:00.000Z' },
      },
      deps,
    );
    await dispatchIntegrationEvents(
      {
        id: 'eb-c2',
        source: 'io.omnichannel.contacts',
        'detail-type': 'contact.merged',
        detail: { v: 1, businessId: 'acme', survivorId: contact.contactId, absorbedId: 'c_OTHER', mergeId: 'm_1', version: 5, at: '2026-12-07T12:01:00.000Z' },
      },
      deps,
    );
    expect(details().map((d) => [d.eventType, (d.request.body as { contact?: { contactId?: string } }).contact?.contactId])).toEqual([
      ['contact.updated', contact.contactId],
      ['contact.merged', contact.contactId],
    ]);
  });
});

describe('what it leaves alone', () => {
  it('ignores accounts nobody registered, businesses without integrations, unprovisioned or unsubscribed ones, and counts unreadable events', async () => {
    expect(await dispatchIntegrationEvents(received({ accountId: '999' }), deps)).toEqual({ outcome: 'ignored', reason: 'unknown_account' });
    integrations = [integration({ provisioning: { state: 'failed', at: 'x' } }), integration({ integrationId: 'iother000001', events: ['contact.merged'] })];
    expect(await dispatchIntegrationEvents(received(), deps)).toEqual({ outcome: 'ignored', reason: 'no_integration' });
    expect(
      await dispatchIntegrationEvents(
        { id: 'x', source: 'io.omnichannel.normalizer', 'detail-type': 'message.received', detail: { conversationKey: 3 } },
        deps,
      ),
    ).toMatchObject({ outcome: 'invalid' });
    expect(await dispatchIntegrationEvents('not an event', deps)).toMatchObject({ outcome: 'invalid' });
    expect(await dispatchIntegrationEvents({ id: 'x', source: 'io.omnichannel.routing', 'detail-type': 'sla.breached', detail: {} }, deps)).toEqual({
      outcome: 'ignored',
      reason: 'not_an_integration_event',
    });
    expect(published).toEqual([]);
  });

  it("never sends another business's conversation: the conversation key's account must be the event's business", async () => {
    // Business "other" has its own account and conversation; events naming acme's account or acme
    // itself with that conversation's key must not give acme's integration what it holds.
    const OTHER_ACCOUNT = '200000000000999';
    const OTHER_KEY = `wa:${OTHER_ACCOUNT}:${CUSTOMER}`;
    const accounts = deps.accounts;
    deps.accounts = { account: async (id) => (id === OTHER_ACCOUNT ? ({ businessId: 'other' } as never) : accounts.account(id)) };
    put(`CONV#${OTHER_KEY}`, 'CONV', {
      entity: 'Conversation',
      conversationKey: OTHER_KEY,
      channel: 'whatsapp',
      accountId: OTHER_ACCOUNT,
      customerId: CUSTOMER,
      state: 'bot',
      createdAt: '2026-12-07T10:00:00.000Z',
    });
    put(`CONV#${OTHER_KEY}`, 'MSG#wamid.9', {
      entity: 'Message',
      providerMessageId: 'wamid.9',
      direction: 'inbound',
      type: 'text',
      text: 'secreto de otro negocio',
      occurredAt: '2026-12-07T10:00:00.000Z',
    });
    integrations = [integration({ events: ['message.received', 'conversation.assigned', 'conversation.closed'] })];
    const refused = { outcome: 'ignored', reason: 'conversation_of_another_business' };
    expect(await dispatchIntegrationEvents(received({ conversationKey: OTHER_KEY, providerMessageId: 'wamid.9' }), deps)).toEqual(refused);
    const assigned = {
      id: 'eb-a',
      source: 'io.omnichannel.routing',
      'detail-type': 'conversation.assigned',
      detail: { v: 1, businessId: 'acme', conversationKey: OTHER_KEY, agentId: 'ana', at: '2026-12-07T10:01:00.000Z' },
    };
    expect(await dispatchIntegrationEvents(assigned, deps)).toEqual(refused);
    const closed = {
      id: 'eb-c',
      source: 'io.omnichannel.human-agent',
      'detail-type': 'conversation.closed',
      detail: { v: 1, accountId: ACCOUNT, conversationKey: OTHER_KEY, closedAt: '2026-12-07T10:02:00.000Z' },
    };
    expect(await dispatchIntegrationEvents(closed, deps)).toEqual(refused);
    expect(published).toEqual([]);
  });
});
