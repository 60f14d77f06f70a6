import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConformance } from '#test/helpers/conformance';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

const ddb = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
let handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
let server: Server;
const requests: Array<{ path: string; authorization?: string }> = [];

beforeAll(async () => {
  // The Graph API: account 1 sends fine, account 2 is rate limited.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      if (req.url?.includes('/2/')) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(readConformance('graph-api', 'courier-error-131056-pair-rate-limit.json'));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(readConformance('graph-api', 'restfb-wa-send-response.json'));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.env.GRAPH_API_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.TABLE_NAME = 'table';
  process.env.EVENT_BUS_NAME = 'bus';
  process.env.META_ACCESS_TOKENS_SECRET_ID = 'meta-tokens';
  process.env.AWS_REGION = 'us-east-1';
  process.env.QUEUE_URL = 'http://127.0.0.1:4566/000000000000/outbound-send';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = (await import('#lambdas/handlers/outbound-send')) as never);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  ddb.reset();
  eventBridge.reset();
  secrets.reset();
  sqs.reset();
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ '1': 'TOKEN-1', default: 'TOKEN-DEFAULT' }) });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
});

function record(id: string, accountId: string): SQSRecord {
  const detail = { v: 1, conversationKey: `wa:${accountId}:555`, outboundId: `out_${accountId}`, channel: 'whatsapp', accountId };
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify({ version: '0', id: `evt-${id}`, 'detail-type': 'reply.requested', source: 'io.omnichannel.agent', detail }),
    attributes: { ApproximateReceiveCount: '1' } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:outbound-send',
    awsRegion: 'us-east-1',
  };
}

const item = (accountId: string) => ({
  pk: `CONV#wa:${accountId}:555`,
  sk: `MSG#out_${accountId}`,
  messageId: `out_${accountId}`,
  conversationKey: `wa:${accountId}:555`,
  channel: 'whatsapp',
  accountId,
  recipientId: '555',
  direction: 'outbound',
  type: 'text',
  text: 'Thanks!',
  status: 'pending',
});

const context = { functionName: 'outbound-send', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as Context;

describe('outbound-send Lambda handler', () => {
  it('sends with the account token from the secret and hands back only the rate-limited record', async () => {
    // Pacing and account reads find nothing: defaults apply and every schedule starts now.
    ddb.on(GetCommand).resolves({});
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Array<{ pk: string }> }> }) => ({
      Responses: { table: [{ pk: input.RequestItems.table!.Keys[0]!.pk, sk: 'CONV', lastInboundAt: new Date().toISOString() }] },
    }));
    ddb.on(GetCommand, { Key: { pk: 'CONV#wa:1:555', sk: 'MSG#out_1' } }).resolves({ Item: item('1') });
    ddb.on(GetCommand, { Key: { pk: 'CONV#wa:2:555', sk: 'MSG#out_2' } }).resolves({ Item: item('2') });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(UpdateCommand, { Key: { sk: 'PAIR#555' } }).callsFake(() => ({ Attributes: { tat: Date.now() + 6_000 } }));
    ddb.on(UpdateCommand, { Key: { sk: 'NUMBER#0' } }).callsFake(() => ({ Attributes: { nextAt: Date.now() } }));
    ddb.on(PutCommand).resolves({});

    const result = await handler({ Records: [record('sent', '1'), record('limited', '2'), record('poison', '')] }, context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'limited' }]);
    expect(requests.map((r) => [r.path, r.authorization]).sort()).toEqual([
      [`/${GRAPH_API_VERSION}/1/messages`, 'Bearer TOKEN-1'],
      [`/${GRAPH_API_VERSION}/2/messages`, 'Bearer TOKEN-DEFAULT'],
    ]);
    const pointer = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item;
    expect(pointer).toMatchObject({ pk: 'PMID#wamid.foobar', messageSk: 'MSG#out_1' });
    // Each send was paced per recipient and per number, with the number's limits read from its account.
    const pacedKeys = ddb.commandCalls(UpdateCommand).map((c) => `${c.args[0].input.Key?.pk}/${c.args[0].input.Key?.sk}`);
    expect(pacedKeys).toEqual(expect.arrayContaining(['PACE#1/PAIR#555', 'PACE#1/NUMBER#0', 'PACE#2/NUMBER#0']));
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.Key?.pk)).toEqual(expect.arrayContaining(['ACCT#1', 'ACCT#2']));
  });

  it('hands back a record whose recipient must wait longer than the sender may wait', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { table: [{ pk: 'CONV#wa:3:555', sk: 'CONV', lastInboundAt: new Date().toISOString() }] } });
    ddb.on(GetCommand, { Key: { pk: 'CONV#wa:3:555', sk: 'MSG#out_3' } }).resolves({ Item: item('3') });
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    ddb.on(UpdateCommand, { Key: { sk: 'MSG#out_3' } }).resolves({});
    // The recipient's schedule is booked a minute ahead.
    ddb.on(GetCommand, { Key: { pk: 'PACE#3', sk: 'PAIR#555' } }).callsFake(() => ({ Item: { tat: Date.now() + 60_000 } }));
    const before = requests.length;

    const result = await handler({ Records: [record('later', '3')] }, context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'later' }]);
    expect(requests.length).toBe(before);
    // It comes back when the recipient's turn is near, not after the queue's visibility timeout.
    const visibility = sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
    expect(visibility).toHaveLength(1);
    expect(visibility[0]).toMatchObject({
      // The queue URL the stack gives the function, so local SQS endpoints work too.
      QueueUrl: 'http://127.0.0.1:4566/000000000000/outbound-send',
      ReceiptHandle: 'rh-later',
    });
    expect(visibility[0]!.VisibilityTimeout).toBeGreaterThanOrEqual(30);
    expect(visibility[0]!.VisibilityTimeout).toBeLessThanOrEqual(60);
    // Claimed, then given back: the message is pending again for the retry.
    const messageUpdates = ddb.commandCalls(UpdateCommand, { Key: { sk: 'MSG#out_3' } }).map((c) => c.args[0].input.ExpressionAttributeValues);
    expect(messageUpdates).toEqual([
      expect.objectContaining({ ':sending': 'sending', ':pending': 'pending', ':one': 1 }),
      expect.objectContaining({ ':pending': 'pending', ':minusOne': -1 }),
    ]);
  });
});
