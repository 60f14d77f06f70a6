import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { StatusEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent, type RecordDeps } from '#lambdas/conversation/record-normalized-event';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';
import { applyReceiptOnArrival } from '#lambdas/status/apply-receipt-on-arrival';
import { parseRateCard } from '#lambdas/pricing/rate-card';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoIngressStores } from '#lambdas/ingress/ingress-stores';
import type { CompleteSendDeps } from '#lambdas/status/complete-interrupted-send';

let table: TestTable & { newTable(): Promise<string> };
let deps: StatusDeps & RecordDeps & CompleteSendDeps;
let tableName: string;

const CARD = parseRateCard({
  snapshot: false,
  effectiveDate: '2026-04-01',
  currency: 'USD',
  sourceUrl: 'https://example.test/rates',
  markets: { BR: { name: 'Brazil', rates: { marketing: 0.0625, utility: 0.0068 } }, OTHER: { name: 'Other', rates: { marketing: 0.06 } } },
});

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  deps = { ...dynamoIngressStores(table.db, tableName), publisher: { publish: async () => {} }, retentionDays: 30, rateCard: CARD };
});

const KEY = 'wa:100:5511987654321';
const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };

async function seedSentMessage(messageId: string, providerMessageId: string) {
  const at = '2026-11-21T10:00:00.000Z';
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `CONV#${KEY}`,
        sk: `MSG#${messageId}`,
        lsi1sk: `MSG#${at}#${messageId}`,
        entity: 'Message',
        messageId,
        direction: 'outbound',
        origin: 'campaign',
        type: 'template',
        status: 'sent',
        statusRank: 1,
        providerMessageId,
        occurredAt: at,
        sentAt: at,
      },
    }),
  );
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: `PMID#${providerMessageId}`, sk: 'PMID', entity: 'ProviderMessageId', conversationKey: KEY, messageSk: `MSG#${messageId}` },
    }),
  );
}

const status = (providerMessageId: string, s: StatusEvent['status'], at: string, pricing?: StatusEvent['pricing'], eventSuffix = ''): StatusEvent => ({
  kind: 'status',
  channel: 'whatsapp',
  conversationKey: KEY,
  accountId: '100',
  businessAccountId: '200',
  occurredAt: at,
  eventId: `wa:status:${providerMessageId}:${s}${eventSuffix}`,
  status: s,
  providerMessageId,
  customer: { id: '5511987654321', waId: '5511987654321' },
  ...(pricing ? { pricing } : {}),
});

const message = async (id: string) => (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: `MSG#${id}` } }))).Item!;
const MARKETING = { billable: true, pricingModel: 'PMP', type: 'regular', category: 'marketing' };

describe('Meta spend on DynamoDB Local', () => {
  it("prices a message once: delivered twice, sent late, the charge is the first receipt's", async () => {
    await seedSentMessage('out_m', 'wamid.M');
    const delivered = status('wamid.M', 'delivered', '2026-11-21T10:00:02.000Z', MARKETING);
    await applyReceiptOnArrival(delivered, ctx, deps);
    const first = await message('out_m');
    expect(first).toMatchObject({
      status: 'delivered',
      metaPricingModel: 'PMP',
      metaCategory: 'marketing',
      metaPricingType: 'regular',
      metaBillable: true,
      recipientCountry: 'BR',
      rateMarket: 'BR',
      metaChargeUsd: 0.0625,
      rateCardDate: '2026-04-01',
      metaPricedAt: '2026-11-21T10:00:02.000Z',
    });

    // The same receipt again, and the `sent` that arrives after it with a different (hostile) category.
    await applyReceiptOnArrival(delivered, ctx, deps);
    await applyReceiptOnArrival(status('wamid.M', 'sent', '2026-11-21T10:00:01.000Z', { ...MARKETING, category: 'utility' }), ctx, deps);
    // A later card must not re-price it either.
    deps.rateCard = parseRateCard({ ...CARD, markets: { ...CARD.markets, BR: { name: 'Brazil', rates: { marketing: 0.5 } } } });
    await applyReceiptOnArrival(status('wamid.M', 'delivered', '2026-11-21T10:00:05.000Z', MARKETING, ':again'), ctx, deps);

    const after = await message('out_m');
    expect(after.metaChargeUsd).toBe(0.0625);
    expect(after.metaCategory).toBe('marketing');
    expect(after.metaPricedAt).toBe(first.metaPricedAt);
  });

  it('a free customer-service reply is stored at 0 and free', async () => {
    await seedSentMessage('out_s', 'wamid.S');
    await applyReceiptOnArrival(
      status('wamid.S', 'sent', '2026-11-21T10:00:01.000Z', { billable: false, pricingModel: 'PMP', type: 'free_customer_service', category: 'service' }),
      ctx,
      deps,
    );
    expect(await message('out_s')).toMatchObject({ metaCategory: 'service', metaPricingType: 'free_customer_service', metaBillable: false, metaChargeUsd: 0 });
  });

  it('status tracking prices a receipt kept apart (it beat the send) from the StatusChange item, once', async () => {
    const delivered = status('wamid.L', 'delivered', '2026-11-21T10:00:02.000Z', { billable: true, pricingModel: 'PMP', type: 'regular', category: 'utility' });
    // The receipt came before the sender recorded the message: the normalizer keeps it.
    await recordNormalizedEvent(delivered, ctx, deps);
    await seedSentMessage('out_l', 'wamid.L');
    for (let i = 0; i < 2; i++) await applyDeliveryStatus(domainEventFor(delivered).detail, deps, { receiveCount: 2 });
    expect(await message('out_l')).toMatchObject({
      metaCategory: 'utility',
      metaChargeUsd: 0.0068,
      recipientCountry: 'BR',
      metaPricedAt: '2026-11-21T10:00:02.000Z',
    });
  });

  it('a receipt without pricing (Instagram, read) prices nothing', async () => {
    await seedSentMessage('out_r', 'wamid.R');
    await applyReceiptOnArrival(status('wamid.R', 'read', '2026-11-21T10:00:09.000Z'), ctx, deps);
    const item = await message('out_r');
    expect(item.status).toBe('read');
    expect(item.metaPricedAt).toBeUndefined();
  });
});
