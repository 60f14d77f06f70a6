import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoIntegrationStore, type IntegrationDelivery, type IntegrationRecord, type IntegrationStore } from '#lambdas/integrations/integration-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let store: IntegrationStore;
let tableName: string;
let nowMs: number;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  nowMs = Date.parse('2026-12-07T12:00:00.000Z');
  tableName = await table.newTable();
  store = dynamoIntegrationStore({ db: table.db, tableName, nowMs: () => nowMs });
});

const record = (over: Partial<IntegrationRecord> = {}): IntegrationRecord => ({
  businessId: 'acme',
  integrationId: 'iaaaaaaaaaa1',
  kind: 'webhook',
  name: 'Orders backend',
  baseUrl: 'https://hooks.acme.example/omnichannel',
  authType: 'api_key',
  events: ['message.received', 'conversation.closed'],
  rateLimitPerSecond: 10,
  lookup: false,
  enabled: true,
  resources: { signingSecretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:x' },
  createdAt: '2026-12-07T12:00:00.000Z',
  updatedAt: '2026-12-07T12:00:00.000Z',
  version: 1,
  ...over,
});

const delivery = (over: Partial<IntegrationDelivery> = {}): IntegrationDelivery => ({
  businessId: 'acme',
  integrationId: 'iaaaaaaaaaa1',
  deliveryId: 'a'.repeat(32),
  eventType: 'message.received',
  status: 'requested',
  at: '2026-12-07T11:00:00.000Z',
  destination: 'event',
  method: 'POST',
  path: '',
  idempotencyKey: 'webhook:event:1234567890abcdef',
  ...over,
});

describe('integration configs', () => {
  it('stores an integration once, reads it back, and lists only its business’s live ones', async () => {
    await store.createIntegration(record());
    await store.createIntegration(record({ integrationId: 'iaaaaaaaaaa2', name: 'CRM', kind: 'hubspot' }));
    await store.createIntegration(record({ businessId: 'globex', integrationId: 'iaaaaaaaaaa3' }));
    await expect(store.createIntegration(record())).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });

    expect(await store.getIntegration('acme', 'iaaaaaaaaaa1')).toEqual(record());
    expect(await store.getIntegration('globex', 'iaaaaaaaaaa1')).toBeUndefined();
    expect((await store.listIntegrations('acme')).map((i) => i.integrationId)).toEqual(['iaaaaaaaaaa1', 'iaaaaaaaaaa2']);
    // Deliveries and lookups in the same partition are not integrations.
    await store.recordRequested(delivery());
    await store.putLookup('acme', 'iaaaaaaaaaa1', 'h1', { outcome: 'not_found' }, 60);
    expect(await store.listIntegrations('acme')).toHaveLength(2);
  });

  it('saves the next version only over the version read, and says what stands in the way', async () => {
    await store.createIntegration(record());
    const saved = await store.saveIntegration({ ...record(), name: 'Renamed' }, 1);
    expect(saved).toEqual({ ok: true, value: { ...record(), name: 'Renamed', version: 2 } });
    expect(await store.saveIntegration({ ...record(), name: 'Stale' }, 1)).toEqual({ ok: false, refusal: 'changed_meanwhile', currentVersion: 2 });
    expect((await store.getIntegration('acme', 'iaaaaaaaaaa1'))?.name).toBe('Renamed');
    expect(await store.saveIntegration(record({ integrationId: 'iaaaaaaaaaa9' }), 1)).toEqual({ ok: false, refusal: 'not_found' });
  });

  it('keeps a deleted integration as an expiring tombstone that reads as gone and cannot be saved over', async () => {
    await store.createIntegration(record());
    const marked = await store.markDeleted('acme', 'iaaaaaaaaaa1', 1, 'admin@acme', '2026-12-07T12:30:00.000Z');
    expect(marked).toMatchObject({ ok: true, value: { deletedAt: '2026-12-07T12:30:00.000Z', deletedBy: 'admin@acme', enabled: false, version: 2 } });
    expect(await store.getIntegration('acme', 'iaaaaaaaaaa1')).toBeUndefined();
    expect(await store.getIntegration('acme', 'iaaaaaaaaaa1', { includeDeleted: true })).toMatchObject({ deletedAt: '2026-12-07T12:30:00.000Z' });
    expect(await store.listIntegrations('acme')).toEqual([]);
    expect(await store.saveIntegration(record(), 2)).toEqual({ ok: false, refusal: 'not_found' });
    expect(await store.markDeleted('acme', 'iaaaaaaaaaa1', 2, 'admin@acme', '2026-12-07T12:31:00.000Z')).toEqual({ ok: false, refusal: 'not_found' });
    const item = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: 'INTEG#acme', sk: 'CONF#iaaaaaaaaaa1' } }))).Item;
    expect(item?.expiresAt).toBe(nowMs / 1000 + 30 * 86_400);
  });
});

describe('delivery log', () => {
  it('records a delivery once: a redelivered event learns whether it was published', async () => {
    expect(await store.recordRequested(delivery())).toBe('recorded');
    expect(await store.recordRequested(delivery())).toBe('known_unpublished');
    await store.markPublished(delivery(), '2026-12-07T12:00:01.000Z');
    expect(await store.recordRequested(delivery({ requestedAt: 'later' }))).toBe('known_published');
    const [listed] = await store.listDeliveries('acme', 'iaaaaaaaaaa1', 10);
    expect(listed).toEqual({ ...delivery(), publishedAt: '2026-12-07T12:00:01.000Z' });
    const item = (
      await table.db.send(
        new GetCommand({ TableName: tableName, Key: { pk: 'INTEG#acme', sk: `DLV#iaaaaaaaaaa1#2026-12-07T11:00:00.000Z#${'a'.repeat(32)}` } }),
      )
    ).Item;
    expect(item).toMatchObject({ entity: 'IntegrationDelivery', expiresAt: nowMs / 1000 + 30 * 86_400 });
  });

  it('lists an integration’s deliveries newest event first, at most the limit, never another integration’s', async () => {
    for (let i = 0; i < 5; i++) await store.recordRequested(delivery({ deliveryId: String(i).repeat(32), at: `2026-12-07T11:0${i}:00.000Z` }));
    await store.recordRequested(delivery({ integrationId: 'iaaaaaaaaaa2', at: '2026-12-07T11:59:00.000Z' }));
    await store.recordTest(
      delivery({ deliveryId: 'f'.repeat(32), status: 'test_ok', eventType: 'integration.test', at: '2026-12-07T11:30:00.000Z', httpStatus: 204 }),
    );
    const listed = await store.listDeliveries('acme', 'iaaaaaaaaaa1', 3);
    expect(listed.map((d) => [d.at, d.status])).toEqual([
      ['2026-12-07T11:30:00.000Z', 'test_ok'],
      ['2026-12-07T11:04:00.000Z', 'requested'],
      ['2026-12-07T11:03:00.000Z', 'requested'],
    ]);
    expect(await store.listDeliveries('acme', 'iaaaaaaaaaa1', 1000)).toHaveLength(6);
  });

  it('marks a dead letter on its delivery, and writes one whose requested item expired from what the letter says', async () => {
    await store.recordRequested(delivery());
    const error = {
      code: 'SDK_CLIENT_ERROR',
      message: 'Target responded with 410',
      retryAttempts: 0,
      ruleArn: 'arn:aws:events:::rule/x',
      targetArn: 'arn:aws:events:::api-destination/x',
    };
    await store.recordDeadLettered({ ...delivery({ destination: 'other' }), deadLetteredAt: '2026-12-08T11:00:00.000Z', error });
    const [dead] = await store.listDeliveries('acme', 'iaaaaaaaaaa1', 10);
    // What the requested item said is kept; the letter only fills gaps.
    expect(dead).toMatchObject({ status: 'dead_lettered', destination: 'event', deadLetteredAt: '2026-12-08T11:00:00.000Z', error });

    await store.recordDeadLettered({
      ...delivery({ deliveryId: 'b'.repeat(32), at: '2026-12-01T00:00:00.000Z' }),
      deadLetteredAt: '2026-12-08T11:00:00.000Z',
      error: { code: 'CONNECTION_FAILURE' },
    });
    const orphan = (await store.listDeliveries('acme', 'iaaaaaaaaaa1', 10)).find((d) => d.deliveryId === 'b'.repeat(32));
    expect(orphan).toMatchObject({
      status: 'dead_lettered',
      eventType: 'message.received',
      destination: 'event',
      idempotencyKey: delivery().idempotencyKey,
      error: { code: 'CONNECTION_FAILURE' },
    });

    await store.recordRedriven(delivery(), '2026-12-09T09:00:00.000Z');
    await store.recordRedriven(delivery(), '2026-12-09T10:00:00.000Z');
    const [again] = await store.listDeliveries('acme', 'iaaaaaaaaaa1', 1);
    expect(again).toMatchObject({ status: 'requested', redrivenAt: '2026-12-09T10:00:00.000Z', redrives: 2 });
  });
});

describe('lookup cache', () => {
  it('answers a cached result until it is due, then misses (TTL deletion is lazy)', async () => {
    await store.putLookup('acme', 'iaaaaaaaaaa1', 'h1', { outcome: 'found', result: { name: 'Ana', vip: true } }, 3600);
    await store.putLookup('acme', 'iaaaaaaaaaa1', 'h2', { outcome: 'not_found' }, 600);
    expect(await store.getLookup('acme', 'iaaaaaaaaaa1', 'h1')).toEqual({ outcome: 'found', result: { name: 'Ana', vip: true } });
    expect(await store.getLookup('acme', 'iaaaaaaaaaa1', 'h2')).toEqual({ outcome: 'not_found' });
    expect(await store.getLookup('acme', 'iaaaaaaaaaa2', 'h1')).toBeUndefined();
    nowMs += 601_000;
    expect(await store.getLookup('acme', 'iaaaaaaaaaa1', 'h2')).toBeUndefined();
    expect(await store.getLookup('acme', 'iaaaaaaaaaa1', 'h1')).toBeDefined();
    nowMs += 3_000_000;
    expect(await store.getLookup('acme', 'iaaaaaaaaaa1', 'h1')).toBeUndefined();
  });
});
