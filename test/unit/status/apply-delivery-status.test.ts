import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { announcedStatuses } from '#lambdas/status/announced-statuses';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';
import { MessageNotYetKnownError } from '#lambdas/status/errors';
import type { MessageRef } from '#lambdas/status/message-status-store';
import { STATUS_RANK } from '#lambdas/status/status-rank';
import { fakeMessageStatusStore, type FakeMessageStatusStore } from '#test/helpers/fakes/message-status-store-fake';
import { fakeReplyMetricsStore, type FakeReplyMetricsStore } from '#test/helpers/fakes/reply-metrics-store-fake';

// Status tracking against in-memory stores; the stores' conditions, keys and queries are tested
// against DynamoDB Local (test/integration/message-status-store.test.ts, conversation-metrics.test.ts).
let statuses: FakeMessageStatusStore;
let replyMetrics: FakeReplyMetricsStore;
let published: DomainEvent[];
let deps: StatusDeps;

const KEY = 'wa:100:5511999';
const PMID = 'wamid.OUT1';
const REF: MessageRef = { conversationKey: KEY, messageSk: 'MSG#out_1' };

function detail(overrides: Record<string, unknown> = {}) {
  return {
    v: 1,
    conversationKey: KEY,
    channel: 'whatsapp',
    accountId: '100',
    eventId: `wa:status:${PMID}:delivered`,
    occurredAt: '2026-11-21T10:00:05.000Z',
    status: 'delivered',
    providerMessageId: PMID,
    errorCodes: [],
    ...overrides,
  };
}

/** A message the sender recorded as sent, reachable through its provider id. */
const sent = (extra: Record<string, unknown> = {}) => statuses.putMessage(REF, { providerMessageId: PMID, status: 'sent', statusRank: 1, ...extra }, PMID);
const writes = () => statuses.calls.filter((c) => ['advanceStatus', 'stampStatusTime', 'priceMessage'].includes(c));

beforeEach(() => {
  statuses = fakeMessageStatusStore();
  replyMetrics = fakeReplyMetricsStore();
  published = [];
  deps = { statuses, replyMetrics, publisher: { publish: async (events) => void published.push(...events) } };
});

describe('applyDeliveryStatus', () => {
  it('moves the status forward, stamps its time and announces it', async () => {
    sent();

    const result = await applyDeliveryStatus(detail(), deps);

    expect(result).toEqual({ outcome: 'applied', advanced: 1, recorded: 0, unknownMessageIds: [] });
    expect(statuses.message(REF)).toMatchObject({
      status: 'delivered',
      statusRank: STATUS_RANK.delivered,
      deliveredAt: '2026-11-21T10:00:05.000Z',
      statusUpdatedAt: '2026-11-21T10:00:05.000Z',
      statusEventId: detail().eventId,
    });
    expect(published).toEqual([
      {
        source: 'io.omnichannel.status',
        detailType: 'message.delivered',
        detail: {
          v: 1,
          conversationKey: KEY,
          messageId: 'out_1',
          providerMessageId: PMID,
          channel: 'whatsapp',
          accountId: '100',
          status: 'delivered',
          occurredAt: '2026-11-21T10:00:05.000Z',
        },
      },
    ]);
    // No write is spent on marking the announcement; the message is not a reply to a customer
    // here, so the conversation is not even read.
    expect(writes()).toEqual(['advanceStatus']);
    expect(replyMetrics.reads).toBe(0);
  });

  it('only records the time when the message is already past this status, and stays silent', async () => {
    sent({ status: 'read', statusRank: 3, statusEventId: 'other-event' });

    const result = await applyDeliveryStatus(detail(), deps);

    expect(result).toEqual({ outcome: 'applied', advanced: 0, recorded: 1, unknownMessageIds: [] });
    expect(writes()).toEqual(['advanceStatus', 'stampStatusTime']);
    expect(statuses.message(REF)).toMatchObject({ status: 'read', statusRank: 3, deliveredAt: '2026-11-21T10:00:05.000Z' });
    expect(published).toEqual([]);
  });

  it('announces again when this same receipt advanced the message but its announcement never went out', async () => {
    sent({ status: 'delivered', statusRank: 2, statusEventId: detail().eventId });

    const result = await applyDeliveryStatus(detail(), deps);

    expect(result).toMatchObject({ advanced: 1 });
    expect(published.map((e) => e.detailType)).toEqual(['message.delivered']);
  });

  it('announces again on a redelivery of the receipt that last advanced the message, but not after a later one', async () => {
    sent();
    expect(await applyDeliveryStatus(detail(), deps)).toMatchObject({ advanced: 1, recorded: 0 });
    expect(await applyDeliveryStatus(detail(), deps)).toMatchObject({ advanced: 1, recorded: 0 });
    expect(published.map((e) => e.detailType)).toEqual(['message.delivered', 'message.delivered']);

    await applyDeliveryStatus(detail({ status: 'read', eventId: 'the-read-receipt' }), deps);
    published = [];
    expect(await applyDeliveryStatus(detail(), deps)).toMatchObject({ advanced: 0, recorded: 1 });
    expect(published).toEqual([]);
  });

  it('writes nothing for a `sent` receipt on a message the sender already recorded as sent: one read', async () => {
    sent({ statusEventId: 'the-sender' });

    expect(await applyDeliveryStatus(detail({ status: 'sent', eventId: 'e-sent' }), deps)).toMatchObject({ advanced: 0, recorded: 1 });
    expect(writes()).toEqual([]);
    expect(statuses.calls).toEqual(['findByProviderId', 'readStatusChange', 'readSendState']);
    expect(published).toEqual([]);
  });

  it('still writes a `sent` receipt when the message is not recorded as sent (the advance, as for any status)', async () => {
    statuses.putMessage(REF, { providerMessageId: PMID }, PMID);

    expect(await applyDeliveryStatus(detail({ status: 'sent', eventId: 'e-sent' }), deps)).toMatchObject({ advanced: 1 });
    expect(writes()).toEqual(['advanceStatus']);
    expect(statuses.message(REF)).toMatchObject({ status: 'sent', statusRank: 1, sentAt: '2026-11-21T10:00:05.000Z' });
  });

  it('advances after all when the sender records the send between the advance and the stamp', async () => {
    // The advance finds no provider id yet; the sender then records the send (status sent); the
    // stamp, finding the message behind this status, is refused; the advance is tried again.
    statuses.putMessage(REF, { status: 'sending' }, PMID);
    const advance = statuses.advanceStatus;
    let first = true;
    statuses.advanceStatus = async (ref, change) => {
      const result = await advance(ref, change);
      if (first) {
        first = false;
        sent();
      }
      return result;
    };

    expect(await applyDeliveryStatus(detail({ status: 'read', eventId: 'e-read' }), deps)).toMatchObject({ advanced: 1, recorded: 0 });
    expect(writes()).toEqual(['advanceStatus', 'stampStatusTime', 'advanceStatus']);
    expect(statuses.message(REF)).toMatchObject({ status: 'read', statusRank: 3, readAt: '2026-11-21T10:00:05.000Z' });
  });

  it('announces only the statuses the stack publishes', async () => {
    deps.announce = (status) => status === 'failed';
    sent();
    expect(await applyDeliveryStatus(detail(), deps)).toMatchObject({ advanced: 1 });
    expect(published).toEqual([]);

    await applyDeliveryStatus(detail({ status: 'failed', eventId: 'e-failed', errorCodes: [131026] }), deps);
    expect(published.map((e) => [e.detailType, e.detail.errorCode])).toEqual([['message.failed', 131026]]);
  });

  it("by default announces delivered and read of a person's messages only, and every failure", async () => {
    deps.announce = announcedStatuses(undefined);
    sent({ origin: 'agent' });
    await applyDeliveryStatus(detail(), deps);
    expect(published).toEqual([]);

    sent({ origin: 'human_agent' });
    await applyDeliveryStatus(detail({ eventId: 'e-human-delivered' }), deps);
    await applyDeliveryStatus(detail({ status: 'read', eventId: 'e-human-read' }), deps);
    sent({ origin: 'agent' });
    await applyDeliveryStatus(detail({ status: 'failed', eventId: 'e-bot-failed', errorCodes: [131026] }), deps);
    expect(published.map((e) => [e.detailType, e.detail.messageId])).toEqual([
      ['message.delivered', 'out_1'],
      ['message.read', 'out_1'],
      ['message.failed', 'out_1'],
    ]);
  });

  it('takes error title and pricing from the caller without reading the StatusChange item, and reports unknown ids instead of throwing', async () => {
    sent();
    await applyDeliveryStatus(detail(), deps, { receiveCount: 1, details: { pricingCategory: 'service', billable: false } });
    expect(statuses.message(REF)).toMatchObject({ pricingCategory: 'service', billable: false });
    expect(statuses.calls.filter((c) => c === 'readStatusChange')).toHaveLength(0);

    const stray = detail({ providerMessageId: 'wamid.UNKNOWN', eventId: 'e-stray' });
    expect(await applyDeliveryStatus(stray, deps, { receiveCount: 1, retryUnknown: false })).toMatchObject({
      outcome: 'applied',
      unknownMessageIds: ['wamid.UNKNOWN'],
    });
    await expect(applyDeliveryStatus(stray, deps, { receiveCount: 1 })).rejects.toBeInstanceOf(MessageNotYetKnownError);
  });

  it("records a reply's conversation metrics only from the receipt that moves it past sent", async () => {
    sent({ direction: 'outbound', origin: 'agent', messageId: 'out_1', sentAt: '2026-11-21T10:00:04.000Z' });
    replyMetrics.conversations.set(KEY, { pk: `CONV#${KEY}` });
    replyMetrics.customerMessages.set(KEY, ['2026-11-21T10:00:00.000Z']);

    // WhatsApp's `sent` only confirms what the sender recorded: nothing is read or written for the conversation.
    await applyDeliveryStatus(detail({ status: 'sent', eventId: 'e-sent' }), deps);
    expect(replyMetrics.reads).toBe(0);
    expect(writes()).toEqual([]);

    // `delivered` moves it past sent: the conversation is read and its metrics written once.
    await applyDeliveryStatus(detail(), deps);
    expect(replyMetrics.reads).toBe(1);
    expect(replyMetrics.writes).toEqual([
      { at: '2026-11-21T10:00:04.000Z', messageId: 'out_1', moveLast: true, first: { inboundAt: '2026-11-21T10:00:00.000Z', ms: 4000 } },
    ]);
    expect(replyMetrics.conversations.get(KEY)).toMatchObject({
      lastAgentReplyAt: '2026-11-21T10:00:04.000Z',
      lastAgentReplyMessageId: 'out_1',
      firstResponseAt: '2026-11-21T10:00:04.000Z',
      firstResponseMs: 4000,
      firstResponseMessageId: 'out_1',
      firstInboundAt: '2026-11-21T10:00:00.000Z',
    });
  });

  it('retries a receipt for an unknown message a few times, then gives it up', async () => {
    const unknown = detail({ providerMessageId: 'wamid.NOT_YET' });

    await expect(applyDeliveryStatus(unknown, deps, { receiveCount: 1 })).rejects.toBeInstanceOf(MessageNotYetKnownError);
    await expect(applyDeliveryStatus(unknown, deps, { receiveCount: 3 })).rejects.toBeInstanceOf(MessageNotYetKnownError);
    expect(await applyDeliveryStatus(unknown, deps, { receiveCount: 4 })).toEqual({
      outcome: 'applied',
      advanced: 0,
      recorded: 0,
      unknownMessageIds: ['wamid.NOT_YET'],
    });
    expect(writes()).toEqual([]);
  });

  it('records a failure with the code from the event and the title from the stored status change', async () => {
    sent();
    statuses.statusChanges.set(`${KEY}|${PMID}|failed`, { errorCode: 131047, errorTitle: 'Re-engagement message' });

    await applyDeliveryStatus(detail({ status: 'failed', eventId: 'e-failed', errorCodes: [131047] }), deps);

    expect(statuses.message(REF)).toMatchObject({
      status: 'failed',
      statusRank: 5,
      failedAt: '2026-11-21T10:00:05.000Z',
      errorCode: 131047,
      errorTitle: 'Re-engagement message',
    });
    expect(published[0]).toMatchObject({ detailType: 'message.failed', detail: { status: 'failed', errorCode: 131047 } });
  });

  it('applies a watermark receipt to every sent business message up to the watermark', async () => {
    const fb = (id: string, occurredAt: string, extra: Record<string, unknown> = {}) =>
      statuses.putMessage(
        { conversationKey: 'fb:1:2', messageSk: `MSG#${id}` },
        { direction: 'outbound', occurredAt, providerMessageId: `mid.${id}`, ...extra },
      );
    fb('m_1', '2026-11-21T09:59:00.000Z', { status: 'sent', statusRank: 1 });
    fb('m_2', '2026-11-21T10:00:00.000Z', { status: 'delivered', statusRank: 2 });
    fb('m_3', '2026-11-21T10:00:01.000Z', { status: 'sent', statusRank: 1 });
    fb('m_4', '2026-11-21T09:58:00.000Z', { status: 'read', statusRank: 3, readAt: '2026-11-21T09:59:00.000Z' });

    const result = await applyDeliveryStatus(
      detail({
        channel: 'messenger',
        conversationKey: 'fb:1:2',
        status: 'read',
        providerMessageId: undefined,
        watermark: '2026-11-21T10:00:00.000Z',
        eventId: 'fb:read:1',
      }),
      deps,
    );

    expect(result).toMatchObject({ outcome: 'applied', advanced: 2 });
    expect(statuses.message({ conversationKey: 'fb:1:2', messageSk: 'MSG#m_1' })).toMatchObject({ status: 'read' });
    expect(statuses.message({ conversationKey: 'fb:1:2', messageSk: 'MSG#m_2' })).toMatchObject({ status: 'read' });
    // After the watermark, or already read: left alone.
    expect(statuses.message({ conversationKey: 'fb:1:2', messageSk: 'MSG#m_3' })).toMatchObject({ status: 'sent' });
    expect(statuses.message({ conversationKey: 'fb:1:2', messageSk: 'MSG#m_4' })).toMatchObject({ readAt: '2026-11-21T09:59:00.000Z' });
    expect(published.map((e) => e.detailType)).toEqual(['message.read', 'message.read']);
  });

  it('treats a detail that is not a status event as poison, and ignores statuses it does not track', async () => {
    expect(await applyDeliveryStatus({ v: 2 }, deps)).toMatchObject({ outcome: 'invalid' });
    expect(await applyDeliveryStatus(undefined, deps)).toMatchObject({ outcome: 'invalid' });
    expect(await applyDeliveryStatus(detail({ status: 'deleted' }), deps)).toEqual({ outcome: 'ignored', reason: 'status_not_tracked' });
    expect(await applyDeliveryStatus(detail({ providerMessageId: undefined }), deps)).toEqual({
      outcome: 'ignored',
      reason: 'no_message_reference',
    });
    expect(statuses.calls).toEqual([]);
  });

  it('lets a store failure through so the record is retried', async () => {
    sent();
    statuses.advanceStatus = async () => {
      throw new Error('ProvisionedThroughputExceeded');
    };
    await expect(applyDeliveryStatus(detail(), deps)).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(published).toEqual([]);
  });

  it('prices a WhatsApp message once, from the first receipt that carries pricing', async () => {
    sent();
    const pricing = { pricingModel: 'PMP', category: 'utility', billable: true, type: 'regular' };
    await applyDeliveryStatus(detail({ status: 'sent', eventId: 'e-sent' }), deps, { receiveCount: 1, details: { pricing, recipientId: '5511999' } });
    await applyDeliveryStatus(detail(), deps, { receiveCount: 1, details: { pricing, recipientId: '5511999' } });
    // The second receipt finds the price on the item it moved: no write is even tried.
    expect(statuses.calls.filter((c) => c === 'priceMessage')).toHaveLength(1);
    expect(statuses.message(REF)).toMatchObject({ metaPricingModel: 'PMP', metaCategory: 'utility', metaPricedAt: '2026-11-21T10:00:05.000Z' });
  });
});
