import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import type { Contact } from '#lambdas/contacts/contact-model';
import { dispatchIntegrationEvents, type DeliveryRequestedEvent, type DispatchDeps } from '#lambdas/integrations/dispatch-integration-events';
import type { Integration, IntegrationMapper } from '#lambdas/integrations/integration-model';
import type { IntegrationDelivery, IntegrationRecord } from '#lambdas/integrations/integration-store';
import { mapperRegistry } from '#lambdas/integrations/mappers/index';
import { zendeskMapper } from '#lambdas/integrations/mappers/zendesk';
import { provisionIntegration, type ProvisionDeps } from '#lambdas/integrations/provision-integration';
import { handleIntegrationDeadLetter } from '#lambdas/integrations/record-dead-letter';
import { verifySignature } from '#lambdas/integrations/signed-body';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { integration as crmIntegration, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { startFixture, until, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';
import { startScriptedHttpServer, type ScriptedHttpServer } from '#test/unit/local-cloud/aws/scripted-http-server';
import { dynamoSnapshotSource } from '#lambdas/integrations/dispatch/snapshots-store';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';

/**
 * The dispatcher's events, the provisioned rule, target and API destination, and the dead-letter
 * consumer, against the local cloud's EventBridge (real SDK clients): what reaches the webhook is
 * the body that was signed, with the integration's credentials, and the per-delivery values in the
 * query string (header values are sent as written, by AWS and by the emulator alike).
 */
const BUS = 'Omnichannel-local-events';
const SECRET = 'e'.repeat(64);

let f: EmulatorFixture;
let server: ScriptedHttpServer;
let published: DeliveryRequestedEvent[];

const contact: Contact = {
  businessId: 'acme',
  contactId: 'c_01JABCDEFGHJKMNPQRSTVWXYZ0',
  name: 'Lucía “Luli” Pérez ✓',
  identities: [{ kind: 'whatsapp', value: '5511987650301', linkedAt: '2026-12-01T00:00:00.000Z', linkedBy: 'channel' }],
  consent: {},
  tags: ['vip'],
  attributes: {},
  crmIds: {},
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 1,
};

beforeEach(async () => {
  f = await startFixture();
  server = await startScriptedHttpServer();
  f.emulator.events.createEventBus(BUS);
  f.emulator.sqs.createQueue('integration-dead-letters');
  published = [];
});
afterEach(async () => {
  await f.close();
  await server.close();
});

function provisionDeps(): ProvisionDeps {
  return {
    eventBridge: f.eventBridge,
    busName: BUS,
    invokeRoleArn: 'arn:aws:iam::000000000000:role/Omnichannel-local-IntegrationInvokeRole',
    deadLetterQueueArn: f.emulator.sqs.arnOf('integration-dead-letters'),
    names: { namePrefix: 'Omnichannel-local-i-', secretPrefix: 'Omnichannel-local/integrations' },
    mappers: mapperRegistry,
  };
}

/** The `integration.delivery_requested` detail the dispatcher would publish for one mapper request. */
function deliveryEvent(integration: Integration, request: ReturnType<IntegrationMapper['map']>[number], deliveryId: string): Record<string, unknown> {
  const detail: DeliveryRequestedEvent = {
    v: 1,
    businessId: integration.businessId,
    integrationId: integration.integrationId,
    deliveryId,
    eventType: 'conversation.closed',
    idempotencyKey: request.idempotencyKey,
    occurredAt: '2026-12-07T12:00:00.000Z',
    request: {
      destination: request.destination,
      method: request.method,
      path: request.path,
      pathParams: request.pathParams ?? [],
      body: request.body,
      idempotencyKey: request.idempotencyKey,
    },
  };
  return detail as unknown as Record<string, unknown>;
}

/** Crosses the back-offs of a few retries one clock second at a time, letting each attempt finish before the clock moves on. */
async function crossBackoffs(retries: number): Promise<void> {
  await f.emulator.events.settled();
  for (let i = 0; i < retries * 20; i++) {
    await f.clock.advance(1_000);
    await f.emulator.events.settled();
  }
}

async function provisionedWebhook(overrides: Partial<IntegrationRecord> = {}): Promise<IntegrationRecord> {
  const integration: IntegrationRecord = {
    businessId: 'acme',
    integrationId: 'i0a1b2c3d4e5',
    kind: 'webhook',
    name: 'Backend',
    baseUrl: `${server.url}/hooks`,
    authType: 'api_key',
    events: ['contact.updated'],
    rateLimitPerSecond: 10,
    lookup: false,
    enabled: true,
    resources: { signingSecretId: 'secret-1' },
    provisioning: { state: 'provisioned', at: '2026-12-01T00:00:00.000Z' },
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    version: 2,
    ...overrides,
  };
  await provisionIntegration(provisionDeps(), integration, { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'acme-key' });
  return integration;
}

function dispatchDeps(integration: IntegrationRecord): DispatchDeps {
  const publisher = eventBridgePublisher(f.eventBridge, BUS);
  return {
    snapshots: dynamoSnapshotSource({ send: async () => ({}) } as unknown as DocumentClient, 't'),
    accounts: { account: async () => ({ businessId: 'acme' }) as never },
    integrations: { enabled: async () => [integration] },
    contacts: { get: async () => contact, findByIdentity: async () => contact },
    store: { recordRequested: async () => 'recorded', markPublished: async () => undefined },
    secrets: { read: async () => ({ signingSecret: SECRET, auth: { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'acme-key' } }) },
    publisher: {
      publish: async (events) => {
        published.push(...events.map((e) => e.detail as unknown as DeliveryRequestedEvent));
        await publisher.publish(events);
      },
    },
    mappers: mapperRegistry,
  };
}

const contactUpdated = {
  id: 'eb-1',
  source: 'io.omnichannel.contacts',
  'detail-type': 'contact.updated',
  detail: { v: 1, businessId: 'acme', contactId: contact.contactId, changed: ['name'], version: 2, at: '2026-12-07T12:00:00.000Z' },
};

describe('a webhook delivery through the local EventBridge', () => {
  it('reaches the endpoint with the body exactly as signed, and the connection’s key', async () => {
    const integration = await provisionedWebhook();
    await dispatchIntegrationEvents(contactUpdated, dispatchDeps(integration));
    await until(() => server.requests.length === 1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', headers: { 'x-api-key': 'acme-key', 'content-type': 'application/json; charset=utf-8' } });
    expect(server.requestsTo('/hooks')).toHaveLength(1);
    const body = Buffer.from(request!.body, 'utf8');
    // The bytes EventBridge wrote are the bytes the dispatcher signed.
    expect(body.equals(Buffer.from(JSON.stringify(published[0]!.request.body), 'utf8'))).toBe(true);
    expect(verifySignature(body, SECRET, published[0]!.request.signature)).toBe(true);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'contact.updated', contact: { name: 'Lucía “Luli” Pérez ✓' } });
  });

  // EventBridge resolves JSON paths in PathParameterValues and QueryStringParameters, never in
  // HeaderParameters ("HttpParameters (except HeaderParameters)", user guide, Target parameters), and
  // the local emulator does the same: per-delivery values arrive in the query string.
  it('carries the signature and the idempotency key from the event in its query string, next to the URL’s own', async () => {
    const integration = await provisionedWebhook({ baseUrl: `${server.url}/hooks?tenant=acme` });
    await dispatchIntegrationEvents(contactUpdated, dispatchDeps(integration));
    await until(() => server.requests.length === 1);
    const [request] = server.requests;
    const query = new URL(request!.url, server.url).searchParams;
    expect(query.get('tenant')).toBe('acme');
    expect(query.get('idempotency_key')).toBe(published[0]!.idempotencyKey);
    expect(query.get('idempotency_key')).toMatch(/^webhook:event:[0-9a-f]{40}$/);
    // What a receiver does: HMAC-SHA256 over the raw body, compared with the `signature` parameter.
    expect(query.get('signature')).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(Buffer.from(request!.body, 'utf8'), SECRET, query.get('signature') ?? undefined)).toBe(true);
    expect(verifySignature(Buffer.from(request!.body, 'utf8'), 'f'.repeat(64), query.get('signature') ?? undefined)).toBe(false);
    // The body names the same key; the one header of ours is a literal.
    expect(JSON.parse(request!.body)).toMatchObject({ idempotencyKey: published[0]!.idempotencyKey });
    expect(request!.headers['x-omnichannel-integration']).toBe('i0a1b2c3d4e5');
    expect(request!.headers).not.toHaveProperty('x-hub-signature-256');
    expect(request!.headers).not.toHaveProperty('idempotency-key');
  });

  it('tries a Zendesk ticket create once (a 503 goes straight to the dead-letter queue) while the user upsert is retried', async () => {
    server.script((req) => {
      if (req.url.startsWith('/zendesk/api/v2/tickets')) return { status: 503 };
      return server.requestsTo('/zendesk/api/v2/users/create_or_update').length === 1 ? { status: 503 } : { status: 200, body: { user: { id: 1 } } };
    });
    const zendesk = crmIntegration('zendesk', { businessId: 'acme', integrationId: 'i0zendesk0001', baseUrl: `${server.url}/zendesk`, authType: 'basic' });
    await provisionIntegration(provisionDeps(), zendesk, { type: 'basic', username: 'ops@acme.example/token', password: 'zd-token' });
    const requests = zendeskMapper.map(mapperInput('zendesk', { integration: zendesk }));
    await eventBridgePublisher(f.eventBridge, BUS).publish(
      requests.map((r, i) => ({
        source: EVENT_SOURCE.integrations,
        detailType: DETAIL_TYPE.integrationDeliveryRequested,
        detail: deliveryEvent(zendesk, r, `d${i}`),
      })),
    );
    await crossBackoffs(3);

    const tickets = server.requestsTo('/zendesk/api/v2/tickets');
    expect(tickets).toHaveLength(1);
    expect(new URL(tickets[0]!.url, server.url).searchParams.get('idempotency_key')).toBe(requests[1]!.idempotencyKey);
    expect(server.requestsTo('/zendesk/api/v2/users/create_or_update')).toHaveLength(2);
    const out = await f.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: f.emulator.sqs.queueUrl('integration-dead-letters'), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    expect(out.Messages).toHaveLength(1);
    expect(JSON.parse(out.Messages![0]!.Body!)).toMatchObject({ detail: { deliveryId: 'd1', request: { destination: 'tickets_create' } } });
    expect(out.Messages![0]!.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('0');
    expect(out.Messages![0]!.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain('HTTP 503');
  });

  it('dead-letters a delivery the endpoint refuses, and the consumer records it with EventBridge’s reasons', async () => {
    server.script(() => ({ status: 410, body: { error: 'gone' } }));
    const integration = await provisionedWebhook();
    await dispatchIntegrationEvents(contactUpdated, dispatchDeps(integration));
    await f.emulator.events.settled();
    const out = await f.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: f.emulator.sqs.queueUrl('integration-dead-letters'), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    expect(out.Messages).toHaveLength(1);
    const recorded: Array<Omit<IntegrationDelivery, 'status'>> = [];
    f.emulator.sqs.createQueue('integration-dead-letters-dlq');
    const outcome = await handleIntegrationDeadLetter(
      {
        body: out.Messages![0]!.Body!,
        messageAttributes: Object.fromEntries(Object.entries(out.Messages![0]!.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue }])),
      },
      {
        store: { recordDeadLettered: async (d) => void recorded.push(d), recordRedriven: async () => undefined },
        publisher: { publish: async () => undefined },
        sqs: f.sqs,
        parkedQueueUrl: f.emulator.sqs.queueUrl('integration-dead-letters-dlq'),
      },
    );
    expect(outcome).toMatchObject({ outcome: 'recorded', businessId: 'acme', integrationId: 'i0a1b2c3d4e5' });
    expect(recorded[0]).toMatchObject({
      deliveryId: published[0]!.deliveryId,
      eventType: 'contact.updated',
      at: '2026-12-07T12:00:00.000Z',
      error: {
        ruleArn: expect.stringContaining('rule/Omnichannel-local-events/Omnichannel-local-i-acme-i0a1b2c3d4e5-event'),
        targetArn: expect.stringContaining('api-destination/'),
        retryAttempts: 0,
      },
    });
    expect(recorded[0]!.error?.code).toBeTruthy();
  });
});
