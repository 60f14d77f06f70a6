import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';

const ddb = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
let handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

beforeAll(async () => {
  process.env.TABLE_NAME = 'table';
  process.env.EVENT_BUS_NAME = 'bus';
  process.env.AWS_REGION = 'us-east-1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // These messages were "just received": answer at once (agent-handler-quiet.test.ts covers the wait).
  process.env.REPLY_QUIET_MS = '0';
  ({ handler } = (await import('#lambdas/handlers/agent')) as never);
});

beforeEach(() => {
  ddb.reset();
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
});

function record(id: string, detail: unknown): SQSRecord {
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

const wakeUp = (conversationKey: string) => ({
  v: 1,
  conversationKey,
  channel: 'whatsapp',
  accountId: '1',
  eventId: `wa:msg:${conversationKey}`,
  occurredAt: new Date().toISOString(),
  providerMessageId: `wamid.${conversationKey}`,
  type: 'text',
  origin: 'customer',
  direction: 'inbound',
  standby: false,
});

const context = { functionName: 'agent', awsRequestId: 'req-1' } as Context;

describe('agent Lambda handler', () => {
  it('replies, consumes poison, and hands back only the record whose table read failed', async () => {
    const at = new Date().toISOString();
    ddb.on(GetCommand, { Key: { pk: 'CONV#wa:1:ok', sk: 'CONV' } }).resolves({
      Item: { state: 'bot', channel: 'whatsapp', accountId: '1', customerId: 'ok' },
    });
    ddb.on(GetCommand, { Key: { pk: 'CONV#wa:1:broken', sk: 'CONV' } }).rejects(new Error('InternalServerError'));
    // The account's business in the registry, and that business's bot settings.
    ddb.on(GetCommand, { Key: { pk: 'ACCT#1', sk: 'ACCOUNT' } }).resolves({
      Item: { accountId: '1', channel: 'whatsapp', businessId: 'shop', status: 'active', createdAt: at, updatedAt: at },
    });
    ddb.on(GetCommand, { Key: { pk: 'BUSINESS#shop', sk: 'BOT#CURRENT' } }).resolves({
      Item: { version: 1, changedBy: 'admin', changedAt: at, settings: demoBotSettings() },
    });
    ddb.on(QueryCommand).resolves({
      Items: [
        {
          sk: 'MSG#wamid.ok',
          lsi1sk: `MSG#${at}#wamid.ok`,
          entity: 'Message',
          providerMessageId: 'wamid.ok',
          direction: 'inbound',
          origin: 'customer',
          type: 'text',
          text: 'hi',
          occurredAt: at,
        },
      ],
    });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    const result = await handler({ Records: [record('ok', wakeUp('wa:1:ok')), record('broken', wakeUp('wa:1:broken')), record('poison', { v: 9 })] }, context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'broken' }]);
    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => [e.DetailType, e.Source])).toEqual([['reply.requested', 'io.omnichannel.agent']]);
  });

  it('sends nothing for an account whose business has no bot settings, and hands the conversation to its people', async () => {
    const at = new Date().toISOString();
    ddb.on(GetCommand, { Key: { pk: 'CONV#wa:7:ok', sk: 'CONV' } }).resolves({
      Item: { state: 'bot', channel: 'whatsapp', accountId: '7', customerId: 'ok' },
    });
    ddb.on(GetCommand, { Key: { pk: 'ACCT#7', sk: 'ACCOUNT' } }).resolves({
      Item: { accountId: '7', channel: 'whatsapp', businessId: 'new-shop', status: 'active', createdAt: at, updatedAt: at },
    });
    ddb.on(GetCommand, { Key: { pk: 'BUSINESS#new-shop', sk: 'BOT#CURRENT' } }).resolves({});
    ddb.on(QueryCommand).resolves({
      Items: [
        {
          sk: 'MSG#wamid.ok',
          lsi1sk: `MSG#${at}#wamid.ok`,
          entity: 'Message',
          providerMessageId: 'wamid.ok',
          direction: 'inbound',
          origin: 'customer',
          type: 'text',
          text: 'hi',
          occurredAt: at,
        },
      ],
    });
    ddb.on(UpdateCommand).resolves({});

    const result = await handler({ Records: [record('r1', { ...wakeUp('wa:7:ok'), accountId: '7' })] }, context);

    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.DetailType)).toEqual(['conversation.handoff_requested']);
    expect(JSON.parse(entries[0]!.Detail!)).toMatchObject({ reason: 'no_bot_configured', accountId: '7' });
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ExpressionAttributeValues).toMatchObject({ ':toState': 'human', ':reason': 'no_bot_configured' });
  });
});
