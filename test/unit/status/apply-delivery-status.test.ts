import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#lambdas/adapters/dynamodb';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { announcedStatuses } from '#lambdas/status/announced-statuses';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';
import { MessageNotYetKnownError } from '#lambdas/status/errors';
import { STATUS_RANK } from '#lambdas/status/status-rank';

const ddb = mockClient(DynamoDBDocumentClient);
let published: DomainEvent[];
let deps: StatusDeps;

const KEY = 'wa:100:5511999';
const PMID = 'wamid.OUT1';

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

function conditionFailed() {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

beforeEach(() => {
  ddb.reset();
  // Reads nobody set up find nothing, as DynamoDB answers for a missing item (e.g. no StatusChange item).
  ddb.on(GetCommand).resolves({});
  published = [];
  deps = {
    db: documentClient(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'table',
    publisher: { publish: async (events) => void published.push(...events) },
  };
  ddb
    .on(GetCommand, { Key: { pk: `PMID#${PMID}`, sk: 'PMID' } })
    .resolves({ Item: { pk: `PMID#${PMID}`, sk: 'PMID', conversationKey: KEY, messageSk: 'MSG#out_1' } });
});

describe('applyDeliveryStatus', () => {
  it('moves the status forward, stamps its time and announces it', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'delivered' } });

    const result = await applyDeliveryStatus(detail(), deps);

    expect(result).toEqual({ outcome: 'applied', advanced: 1, recorded: 0, unknownMessageIds: [] });
    const advance = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(advance.Key).toEqual({ pk: `CONV#${KEY}`, sk: 'MSG#out_1' });
    expect(advance.ExpressionAttributeNames).toMatchObject({ '#at': 'deliveredAt' });
    expect(advance.ExpressionAttributeValues).toMatchObject({ ':rank': STATUS_RANK.delivered, ':status': 'delivered' });
    expect(advance.ConditionExpression).toContain('statusRank < :rank');
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
    // No write is spent on marking the announcement; the only other item read is the conversation
    // (the message is not a reply to a customer here, so not even that).
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('only records the time when the message is already past this status, and stays silent', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { status: 'read', statusRank: 3, statusEventId: 'other-event' } });

    const result = await applyDeliveryStatus(detail(), deps);

    expect(result).toEqual({ outcome: 'applied', advanced: 0, recorded: 1, unknownMessageIds: [] });
    const stamp = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(stamp.UpdateExpression).toBe('SET #at = if_not_exists(#at, :at)');
    expect(published).toEqual([]);
  });

  it('announces again when this same receipt advanced the message but its announcement never went out', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { status: 'delivered', statusRank: 2, statusEventId: detail().eventId, providerMessageId: PMID } });

    const result = await applyDeliveryStatus(detail(), deps);

    expect(result).toMatchObject({ advanced: 1 });
    expect(published.map((e) => e.detailType)).toEqual(['message.delivered']);
  });

  it('announces again on a redelivery of the receipt that last advanced the message, but not after a later one', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { statusRank: 2, statusEventId: detail().eventId } });
    expect(await applyDeliveryStatus(detail(), deps)).toMatchObject({ advanced: 1, recorded: 0 });
    expect(published.map((e) => e.detailType)).toEqual(['message.delivered']);

    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: { pk: `PMID#${PMID}`, sk: 'PMID', conversationKey: KEY, messageSk: 'MSG#out_1' } });
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { statusRank: 3, statusEventId: 'the-read-receipt' } });
    published = [];
    expect(await applyDeliveryStatus(detail(), deps)).toMatchObject({ advanced: 0, recorded: 1 });
    expect(published).toEqual([]);
  });

  it('writes nothing for a `sent` receipt on a message the sender already recorded as sent: one read', async () => {
    ddb
      .on(GetCommand, { Key: { pk: `CONV#${KEY}`, sk: 'MSG#out_1' } })
      .resolves({ Item: { providerMessageId: PMID, statusRank: 1, statusEventId: 'the-sender' } });

    expect(await applyDeliveryStatus(detail({ status: 'sent', eventId: 'e-sent' }), deps)).toMatchObject({ advanced: 0, recorded: 1 });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(published).toEqual([]);
  });

  it('still writes a `sent` receipt when the message is not recorded as sent (the advance, as for any status)', async () => {
    ddb.on(GetCommand, { Key: { pk: `CONV#${KEY}`, sk: 'MSG#out_1' } }).resolves({ Item: { providerMessageId: PMID } });
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'sent', statusRank: 1 } });

    expect(await applyDeliveryStatus(detail({ status: 'sent', eventId: 'e-sent' }), deps)).toMatchObject({ advanced: 1 });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ConditionExpression).toBe(
      'attribute_exists(providerMessageId) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
    );
  });

  it('advances after all when the sender records the send between the advance and the stamp', async () => {
    // The advance finds no provider id yet; the sender then records the send (status sent); the
    // stamp, finding the message behind this status, is refused; the advance is tried again.
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { providerMessageId: PMID, status: 'read', statusRank: 3 } });

    expect(await applyDeliveryStatus(detail({ status: 'read', eventId: 'e-read' }), deps)).toMatchObject({ advanced: 1, recorded: 0 });
    const conditions = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ConditionExpression);
    expect(conditions).toEqual([
      'attribute_exists(providerMessageId) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
      'attribute_exists(providerMessageId) AND statusRank >= :rank',
      'attribute_exists(providerMessageId) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
    ]);
  });

  it('announces only the statuses the stack publishes', async () => {
    deps.announce = (status) => status === 'failed';
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'delivered' } });
    expect(await applyDeliveryStatus(detail(), deps)).toMatchObject({ advanced: 1 });
    expect(published).toEqual([]);

    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'failed' } });
    await applyDeliveryStatus(detail({ status: 'failed', eventId: 'e-failed', errorCodes: [131026] }), deps);
    expect(published.map((e) => [e.detailType, e.detail.errorCode])).toEqual([['message.failed', 131026]]);
  });

  it("by default announces delivered and read of a person's messages only, and every failure", async () => {
    deps.announce = announcedStatuses(undefined);
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'delivered', origin: 'agent' } });
    await applyDeliveryStatus(detail(), deps);
    expect(published).toEqual([]);

    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'delivered', origin: 'human_agent' } });
    await applyDeliveryStatus(detail({ eventId: 'e-human-delivered' }), deps);
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'read', origin: 'human_agent' } });
    await applyDeliveryStatus(detail({ status: 'read', eventId: 'e-human-read' }), deps);
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'failed', origin: 'agent' } });
    await applyDeliveryStatus(detail({ status: 'failed', eventId: 'e-bot-failed', errorCodes: [131026] }), deps);
    expect(published.map((e) => [e.detailType, e.detail.messageId])).toEqual([
      ['message.delivered', 'out_1'],
      ['message.read', 'out_1'],
      ['message.failed', 'out_1'],
    ]);
  });

  it('takes error title and pricing from the caller without reading the StatusChange item, and reports unknown ids instead of throwing', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID, status: 'delivered' } });
    await applyDeliveryStatus(detail(), deps, { receiveCount: 1, details: { pricingCategory: 'service', billable: false } });
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ExpressionAttributeValues).toMatchObject({ ':pricing': 'service', ':billable': false });
    expect(ddb.commandCalls(GetCommand).filter((c) => String(c.args[0].input.Key?.sk).startsWith('STATUS#'))).toHaveLength(0);

    const stray = detail({ providerMessageId: 'wamid.UNKNOWN', eventId: 'e-stray' });
    expect(await applyDeliveryStatus(stray, deps, { receiveCount: 1, retryUnknown: false })).toMatchObject({
      outcome: 'applied',
      unknownMessageIds: ['wamid.UNKNOWN'],
    });
    await expect(applyDeliveryStatus(stray, deps, { receiveCount: 1 })).rejects.toBeInstanceOf(MessageNotYetKnownError);
  });

  it("records a reply's conversation metrics only from the receipt that moves it past sent", async () => {
    const replyItem = { direction: 'outbound', origin: 'agent', messageId: 'out_1', providerMessageId: PMID, sentAt: '2026-11-21T10:00:04.000Z' };
    const conversationReads = () => ddb.commandCalls(GetCommand).filter((c) => c.args[0].input.Key?.sk === 'CONV').length;

    // WhatsApp's `sent` only confirms what the sender recorded: nothing is read or written for the conversation.
    ddb.on(GetCommand, { Key: { pk: `CONV#${KEY}`, sk: 'MSG#out_1' } }).resolves({ Item: { ...replyItem, status: 'sent', statusRank: 1 } });
    await applyDeliveryStatus(detail({ status: 'sent', eventId: 'e-sent' }), deps);
    expect(conversationReads()).toBe(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);

    // `delivered` moves it past sent: the conversation is read and its metrics written once.
    ddb.on(UpdateCommand).resolves({ Attributes: { ...replyItem, status: 'delivered', statusRank: 2 } });
    ddb.on(GetCommand, { Key: { pk: `CONV#${KEY}`, sk: 'CONV' } }).resolves({ Item: { pk: `CONV#${KEY}` } });
    ddb.on(QueryCommand).resolves({ Items: [{ occurredAt: '2026-11-21T10:00:00.000Z' }] });
    await applyDeliveryStatus(detail(), deps);
    expect(conversationReads()).toBe(1);
    const metrics = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.Key?.sk === 'CONV');
    expect(metrics?.UpdateExpression).toBe(
      'SET lastAgentReplyAt = :at, lastAgentReplyMessageId = :id, firstResponseAt = :at, firstResponseMs = :ms, firstResponseMessageId = :id, firstInboundAt = :inboundAt',
    );
    expect(metrics?.ExpressionAttributeValues).toMatchObject({ ':ms': 4000, ':at': '2026-11-21T10:00:04.000Z' });
  });

  it('retries a receipt for an unknown message a few times, then gives it up', async () => {
    const unknown = detail({ providerMessageId: 'wamid.NOT_YET' });
    ddb.on(GetCommand, { Key: { pk: 'PMID#wamid.NOT_YET', sk: 'PMID' } }).resolves({});

    await expect(applyDeliveryStatus(unknown, deps, { receiveCount: 1 })).rejects.toBeInstanceOf(MessageNotYetKnownError);
    await expect(applyDeliveryStatus(unknown, deps, { receiveCount: 3 })).rejects.toBeInstanceOf(MessageNotYetKnownError);
    expect(await applyDeliveryStatus(unknown, deps, { receiveCount: 4 })).toEqual({
      outcome: 'applied',
      advanced: 0,
      recorded: 0,
      unknownMessageIds: ['wamid.NOT_YET'],
    });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('records a failure with the code from the event and the title from the stored status change', async () => {
    ddb
      .on(GetCommand, { Key: { pk: `CONV#${KEY}`, sk: `STATUS#${PMID}#failed` } })
      .resolves({ Item: { errorCode: 131047, errorTitle: 'Re-engagement message' } });
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: PMID } });

    await applyDeliveryStatus(detail({ status: 'failed', eventId: 'e-failed', errorCodes: [131047] }), deps);

    const advance = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(advance.ExpressionAttributeNames).toMatchObject({ '#at': 'failedAt' });
    expect(advance.ExpressionAttributeValues).toMatchObject({ ':rank': 5, ':code': 131047, ':title': 'Re-engagement message' });
    expect(published[0]).toMatchObject({ detailType: 'message.failed', detail: { status: 'failed', errorCode: 131047 } });
  });

  it('applies a watermark receipt to every sent business message up to the watermark', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ sk: 'MSG#m_1' }, { sk: 'MSG#m_2' }] });
    ddb.on(UpdateCommand).resolves({ Attributes: { providerMessageId: 'mid.x' } });

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
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.IndexName).toBe('byTime');
    expect(query.ExpressionAttributeValues).toMatchObject({ ':pk': 'CONV#fb:1:2', ':from': 'MSG#', ':to': 'MSG#2026-11-21T10:00:00.000Z$' });
    const keys = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key?.sk);
    expect(keys).toEqual(expect.arrayContaining(['MSG#m_1', 'MSG#m_2']));
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
    expect(ddb.calls()).toHaveLength(0);
  });

  it('lets a DynamoDB failure through so the record is retried', async () => {
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(applyDeliveryStatus(detail(), deps)).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(published).toEqual([]);
  });
});
