import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countCampaignReply } from '#lambdas/campaigns/campaign-counts-replies';
import { COUNT_SHARDS, type CampaignCounter } from '#lambdas/campaigns/campaign-counts';
import { dynamoCampaignCounts, dynamoConversationCampaignReader } from '#lambdas/campaigns/campaign-counts-store';
import { campaignMessageId, campaignSk, campaignsPk } from '#lambdas/campaigns/campaign-keys';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { ACCOUNT_ID, BUSINESS, CAMPAIGN_ID, campaign } from '#test/helpers/campaign-release-fakes';
import { dynamoStatusStores } from '#lambdas/status/status-stores';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
const waId = (i: number) => `5511${String(90000000 + i)}`;
const keyOf = (i: number) => `wa:${ACCOUNT_ID}:${waId(i)}`;

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let store: CampaignStore;
let counter: CampaignCounter;
let deps: StatusDeps;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  store = dynamoCampaignStore({ db: table.db, tableName });
  counter = dynamoCampaignCounts({ db: table.db, tableName });
  await store.create(campaign({ state: 'running' }));
  await store.addRecipients(
    BUSINESS,
    CAMPAIGN_ID,
    0,
    Array.from({ length: 5 }, (_, i) => ({ waId: waId(i), variables: { '1': 'x' } })),
  );
  deps = { ...dynamoStatusStores(table.db, tableName), publisher: { publish: async () => undefined }, campaignCounts: { counter, recipients: store } };
});

/** A campaign message Meta accepted: the item and pointer the sender writes, as the sender left it. */
async function sentCampaignMessage(i: number, counted: string[] = ['sent']) {
  const id = campaignMessageId(CAMPAIGN_ID, waId(i));
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: conversationPk(keyOf(i)),
        sk: `MSG#${id}`,
        lsi1sk: `MSG#${NOW.toISOString()}#${id}`,
        entity: 'Message',
        messageId: id,
        direction: 'outbound',
        origin: 'campaign',
        type: 'template',
        status: 'sent',
        statusRank: 1,
        providerMessageId: `wamid.${i}`,
        sentAt: NOW.toISOString(),
        occurredAt: NOW.toISOString(),
        campaignId: CAMPAIGN_ID,
        campaignBusinessId: BUSINESS,
        campaignSeq: i,
        ...(counted.length > 0 ? { campaignCounted: new Set(counted) } : {}),
      },
    }),
  );
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: `PMID#wamid.${i}`, sk: 'PMID', entity: 'ProviderMessageId', conversationKey: keyOf(i), messageSk: `MSG#${id}` },
    }),
  );
}

let eventSeq = 0;
function receipt(i: number, status: 'sent' | 'delivered' | 'read' | 'failed', minutes: number, errorCodes: number[] = [], eventId = `ev-${++eventSeq}`) {
  return {
    v: 1,
    conversationKey: keyOf(i),
    channel: 'whatsapp',
    accountId: ACCOUNT_ID,
    eventId,
    occurredAt: at(minutes),
    status,
    providerMessageId: `wamid.${i}`,
    errorCodes,
  };
}

async function counts() {
  await counter.rollUp(BUSINESS, CAMPAIGN_ID, 5);
  const item = (
    await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: campaignsPk(BUSINESS), sk: campaignSk(CAMPAIGN_ID) }, ConsistentRead: true }))
  ).Item;
  return item?.counts as Record<string, unknown>;
}

describe('campaign counts from receipts', () => {
  it('counts each transition once, however often and in whatever order the receipts come', async () => {
    await sentCampaignMessage(0);
    await sentCampaignMessage(1);
    // Message 0: delivered twice (the same event redelivered, and a second webhook), then read.
    const delivered = receipt(0, 'delivered', 1);
    await applyDeliveryStatus(delivered, deps);
    await applyDeliveryStatus(delivered, deps);
    await applyDeliveryStatus(receipt(0, 'delivered', 1), deps);
    await applyDeliveryStatus(receipt(0, 'read', 2), deps);
    // Message 1: read before delivered (Meta does not promise order); delivered late counts nothing more.
    await applyDeliveryStatus(receipt(1, 'read', 2), deps);
    await applyDeliveryStatus(receipt(1, 'delivered', 1), deps);
    await applyDeliveryStatus(receipt(1, 'sent', 0), deps);
    // The same receipts through the normalizer's path (details in hand), once more.
    await applyDeliveryStatus(receipt(1, 'read', 2), deps, { receiveCount: 1, retryUnknown: false, details: {} });
    // `sent` was counted by the sender (the mark on the item): the receipts add nothing to it.
    expect(await counts()).toMatchObject({ sent: 0, delivered: 2, read: 2, failed: 0 });
  });

  it("counts a failure once with Meta's code, keeps what the message reached before, and marks the recipient failed", async () => {
    await sentCampaignMessage(2);
    await applyDeliveryStatus(receipt(2, 'delivered', 1), deps);
    const failed = receipt(2, 'failed', 3, [131049]);
    await applyDeliveryStatus(failed, deps);
    await applyDeliveryStatus(failed, deps);
    expect(await counts()).toMatchObject({ delivered: 1, failed: 1, failedByError: { '131049': 1 } });
    expect(await store.recipientByWaId(BUSINESS, CAMPAIGN_ID, waId(2))).toMatchObject({ state: 'failed', errorCode: '131049' });
  });

  it('counts sent from the `sent` receipt when the sender stopped before counting it, and only once', async () => {
    await sentCampaignMessage(3, []);
    await applyDeliveryStatus(receipt(3, 'sent', 0), deps);
    await applyDeliveryStatus(receipt(3, 'sent', 0), deps);
    expect(await counts()).toMatchObject({ sent: 1, delivered: 0 });
  });

  it('keeps the count items spread over their shards and the roll-up monotonic', async () => {
    for (let i = 0; i < 5; i++) await sentCampaignMessage(i, []);
    await Promise.all(Array.from({ length: 5 }, (_, i) => applyDeliveryStatus(receipt(i, 'delivered', 1), deps)));
    const totals = await counter.totals(BUSINESS, CAMPAIGN_ID);
    expect(totals).toMatchObject({ sent: 5, delivered: 5 });
    expect(COUNT_SHARDS).toBe(16);
    expect(await counter.rollUp(BUSINESS, CAMPAIGN_ID, 5)).toBe(true);
    // Nothing new: a second roll-up of the same totals writes nothing.
    expect(await counter.rollUp(BUSINESS, CAMPAIGN_ID, 5)).toBe(false);
    expect(await counter.rollUp(BUSINESS, CAMPAIGN_ID, 4)).toBe(false);
  });
});

describe('replies and opt-outs', () => {
  const envelope = (i: number, detailType: string, minutes: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      source: detailType === DETAIL_TYPE.messageReceived ? EVENT_SOURCE.normalizer : EVENT_SOURCE.agent,
      'detail-type': detailType,
      detail: { v: 1, conversationKey: keyOf(i), channel: 'whatsapp', accountId: ACCOUNT_ID, occurredAt: at(minutes), origin: 'customer', ...extra },
    });
  const replyDeps = () => ({ conversations: dynamoConversationCampaignReader(table.db, tableName), counter, store, now: () => new Date(at(30)) });

  async function conversationWithCampaign(i: number, campaignId = CAMPAIGN_ID, sentAt = NOW.toISOString()) {
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: conversationPk(keyOf(i)),
          sk: CONVERSATION_SK,
          entity: 'Conversation',
          customerId: waId(i),
          lastCampaign: { businessId: BUSINESS, campaignId, at: sentAt },
        },
      }),
    );
  }

  it('counts a reply once per customer and marks the recipient', async () => {
    await conversationWithCampaign(0);
    expect(await countCampaignReply(envelope(0, DETAIL_TYPE.messageReceived, 5), replyDeps())).toEqual({ outcome: 'counted', what: 'replied' });
    expect(await countCampaignReply(envelope(0, DETAIL_TYPE.messageReceived, 6), replyDeps())).toEqual({ outcome: 'already_counted', what: 'replied' });
    expect(await store.recipientByWaId(BUSINESS, CAMPAIGN_ID, waId(0))).toMatchObject({ replied: true });
    expect(await counts()).toMatchObject({ replied: 1, optedOut: 0 });
  });

  it('counts concurrent deliveries of the same reply once', async () => {
    await conversationWithCampaign(1);
    const results = await Promise.all([1, 2, 3].map(() => countCampaignReply(envelope(1, DETAIL_TYPE.messageReceived, 5), replyDeps())));
    expect(results.filter((r) => r.outcome === 'counted')).toHaveLength(1);
    expect(await counts()).toMatchObject({ replied: 1 });
  });

  it('counts an opt-out within the window, and nothing outside it, before the campaign, or without one', async () => {
    await conversationWithCampaign(2);
    expect(await countCampaignReply(envelope(2, DETAIL_TYPE.consentWithdrawn, 60, { occurredAt: undefined }), replyDeps())).toEqual({
      outcome: 'counted',
      what: 'optedOut',
    });
    await conversationWithCampaign(3, CAMPAIGN_ID, at(-8 * 24 * 60));
    expect(await countCampaignReply(envelope(3, DETAIL_TYPE.messageReceived, 0), replyDeps())).toEqual({ outcome: 'ignored', reason: 'outside_window' });
    await conversationWithCampaign(4);
    expect(await countCampaignReply(envelope(4, DETAIL_TYPE.messageReceived, -1), replyDeps())).toEqual({ outcome: 'ignored', reason: 'outside_window' });
    expect(await countCampaignReply(envelope(0, DETAIL_TYPE.messageReceived, 1), replyDeps())).toEqual({ outcome: 'ignored', reason: 'no_campaign' });
    expect(await countCampaignReply(envelope(4, DETAIL_TYPE.messageReceived, 1, { channel: 'instagram' }), replyDeps())).toEqual({
      outcome: 'ignored',
      reason: 'not_whatsapp',
    });
    expect(await counts()).toMatchObject({ replied: 0, optedOut: 1 });
  });

  it('reads hostile bodies as invalid', async () => {
    for (const body of [
      '',
      'null',
      '{"detail-type":"message.received"}',
      JSON.stringify({ source: 'x', 'detail-type': DETAIL_TYPE.messageReceived, detail: { conversationKey: 'k'.repeat(2000) } }),
    ]) {
      expect((await countCampaignReply(body, replyDeps())).outcome).toBe('invalid');
    }
  });
});
