import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';

const ddb = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
let handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

beforeAll(async () => {
  process.env.TABLE_NAME = 'table';
  process.env.EVENT_BUS_NAME = 'bus';
  process.env.AWS_REGION = 'us-east-1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.REPLY_QUIET_MS = '2500';
  process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/agent';
  ({ handler } = (await import('#lambdas/handlers/agent')) as never);
});

beforeEach(() => {
  ddb.reset();
  eventBridge.reset();
  sqs.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
});

function record(id: string, providerMessageId: string): SQSRecord {
  const detail = {
    v: 1,
    conversationKey: 'wa:1:c',
    channel: 'whatsapp',
    accountId: '1',
    eventId: `wa:msg:${providerMessageId}`,
    providerMessageId,
    origin: 'customer',
    direction: 'inbound',
    standby: false,
  };
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify({ version: '0', id: `evt-${id}`, 'detail-type': 'message.received', source: 'io.omnichannel.normalizer', detail }),
    attributes: { ApproximateReceiveCount: '1' } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:agent',
    awsRegion: 'us-east-1',
  };
}

const context = { functionName: 'agent', awsRequestId: 'req-1' } as Context;

describe('agent Lambda handler: one reply per burst', () => {
  it('answers nothing while the customer is still writing: the newest message waits for the quiet period, the older ones leave it to it', async () => {
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    ddb.on(GetCommand, { Key: { pk: 'CONV#wa:1:c', sk: 'CONV' } }).resolves({ Item: { state: 'bot', channel: 'whatsapp', accountId: '1', customerId: 'c' } });
    ddb.on(GetCommand, { Key: { pk: 'ACCT#1', sk: 'ACCOUNT' } }).resolves({
      Item: { accountId: '1', channel: 'whatsapp', businessId: 'shop', status: 'active', createdAt: at(0), updatedAt: at(0) },
    });
    ddb.on(GetCommand, { Key: { pk: 'BUSINESS#shop', sk: 'BOT#CURRENT' } }).resolves({
      Item: { version: 1, changedBy: 'admin', changedAt: at(0), settings: demoBotSettings() },
    });
    const message = (id: string, msAgo: number, text: string) => ({
      sk: `MSG#${id}`,
      lsi1sk: `MSG#${at(msAgo)}#${id}`,
      entity: 'Message',
      providerMessageId: id,
      direction: 'inbound',
      origin: 'customer',
      type: 'text',
      text,
      occurredAt: at(msAgo),
      receivedAt: at(msAgo),
    });
    ddb
      .on(QueryCommand)
      .resolves({ Items: [message('wamid.a', 1_200, 'hey'), message('wamid.b', 800, 'quick question'), message('wamid.c', 300, 'do you take paypal?')] });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    const result = await handler({ Records: [record('r-a', 'wamid.a'), record('r-b', 'wamid.b'), record('r-c', 'wamid.c')] }, context);

    // Only the newest message's record comes back, after the rest of the quiet period (2.5 s − 0.3 s → 3 s in whole seconds).
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'r-c' }]);
    const visibility = sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
    expect(visibility).toEqual([expect.objectContaining({ ReceiptHandle: 'rh-r-c', VisibilityTimeout: 3 })]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
