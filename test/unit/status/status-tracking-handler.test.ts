import { PutEventsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ddb = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
let handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

beforeAll(async () => {
  process.env.TABLE_NAME = 'table';
  process.env.EVENT_BUS_NAME = 'bus';
  // Delivered and read announcements are off by default (status/announced-statuses.ts); this stack publishes them.
  process.env.STATUS_EVENTS = 'all';
  process.env.AWS_REGION = 'us-east-1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = (await import('#lambdas/handlers/status-tracking')) as never);
});

beforeEach(() => {
  ddb.reset();
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  // Reads nobody set up find nothing, as DynamoDB answers for a missing item (e.g. no StatusChange item).
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: { pk: 'PMID#wamid.KNOWN', sk: 'PMID' } }).resolves({ Item: { conversationKey: 'wa:1:2', messageSk: 'MSG#out_1' } });
  ddb.on(GetCommand, { Key: { pk: 'PMID#wamid.UNKNOWN', sk: 'PMID' } }).resolves({});
  ddb.on(UpdateCommand).resolves({ Attributes: {} });
});

function record(id: string, body: string, receiveCount = '1'): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: receiveCount } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:status-tracking',
    awsRegion: 'us-east-1',
  };
}

const envelope = (providerMessageId: string) =>
  JSON.stringify({
    version: '0',
    id: `evt-${providerMessageId}`,
    'detail-type': 'message.status_received',
    source: 'io.omnichannel.normalizer',
    account: '000000000000',
    time: '2026-11-21T10:00:02Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      v: 1,
      conversationKey: 'wa:1:2',
      channel: 'whatsapp',
      accountId: '1',
      eventId: `wa:status:${providerMessageId}:delivered`,
      occurredAt: '2026-11-21T10:00:02.000Z',
      status: 'delivered',
      providerMessageId,
      errorCodes: [],
    },
  });

const context = { functionName: 'status-tracking', awsRequestId: 'req-1' } as Context;

describe('status-tracking Lambda handler', () => {
  it('reports only the record whose message is not known yet; poison is consumed', async () => {
    const result = await handler(
      {
        Records: [
          record('known', envelope('wamid.KNOWN')),
          record('unknown', envelope('wamid.UNKNOWN')),
          record('poison', 'not json'),
          record('given-up', envelope('wamid.UNKNOWN'), '5'),
        ],
      },
      context,
    );

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'unknown' }]);
    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => [e.DetailType, e.Source, e.EventBusName])).toEqual([['message.delivered', 'io.omnichannel.status', 'bus']]);
  });
});
