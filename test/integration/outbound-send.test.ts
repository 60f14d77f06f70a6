import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { createGraphApiClient } from '#lambdas/adapters/graph-api-client';
import { answerConversation } from '#lambdas/agent/answer-conversation';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent, StatusEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { applyDeliveryStatus } from '#lambdas/status/apply-delivery-status';
import { loadSendBodyValidator, type SendBodyValidator } from '#lib/local-cloud/graph-simulator/send-body-validator';
import { readConformanceJson } from '#test/helpers/conformance';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { GRAPH_API_OPENAPI_SPEC_FILE, GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { dynamoSendStores } from '#lambdas/outbound/send-stores';
import { dynamoStatusStores } from '#lambdas/status/status-stores';

const SPEC = fileURLToPath(new URL(`../../../shared/meta-openapi/${GRAPH_API_OPENAPI_SPEC_FILE}`, import.meta.url));

interface GraphReply {
  status: number;
  body: unknown;
  delayMs?: number;
}

/** A tiny stand-in for graph.facebook.com: records every send and answers what the test queued. */
let server: Server;
let graphBase: string;
let received: Array<{ path: string; authorization?: string; body: Record<string, unknown> }>;
let replies: GraphReply[];
let validator: SendBodyValidator;

let table: TestTable & { newTable(): Promise<string> };
let deps: SendReplyDeps;
let tableName: string;
let published: DomainEvent[];

const KEY = 'wa:100:5511999';
const NOW = new Date('2026-11-21T12:00:00.000Z');

const okResponse = (wamid: string) => ({
  status: 200,
  body: { messaging_product: 'whatsapp', contacts: [{ input: '5511999', wa_id: '5511999 ' }], messages: [{ id: wamid }] },
});

beforeAll(async () => {
  validator = await loadSendBodyValidator(SPEC);
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(raw) });
      const reply = replies.shift() ?? { status: 500, body: { error: { message: 'no reply queued', code: 1 } } };
      setTimeout(() => res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body)), reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  graphBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  table = await startTestTable();
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await table?.stop();
});
beforeEach(async () => {
  received = [];
  replies = [];
  published = [];
  tableName = await table.newTable();
  deps = {
    ...dynamoSendStores(table.db, tableName),
    publisher: { publish: async (e) => void published.push(...e) },
    graph: createGraphApiClient({ timeoutMs: 5_000 }),
    accessTokenFor: async (accountId) => `token-for-${accountId}`,
    graphConfig: { baseUrl: graphBase, version: GRAPH_API_VERSION },
    now: () => NOW,
  };
});

/** A customer writes, the agent answers: returns the reply.requested detail the sender gets. */
async function replyRequested(text = 'hi', channel: MessageEvent['channel'] = 'whatsapp') {
  const key = channel === 'whatsapp' ? KEY : channel === 'instagram' ? 'ig:1784:IGSID' : 'fb:PAGE:PSID';
  const inbound: MessageEvent = {
    kind: 'message',
    channel,
    conversationKey: key,
    accountId: key.split(':')[1]!,
    businessAccountId: '200',
    occurredAt: '2026-11-21T11:59:00.000Z',
    eventId: `in:${key}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: `in.${channel}`,
    customer: channel === 'whatsapp' ? { id: '5511999', waId: '5511999' } : { id: key.split(':')[2]! },
    type: 'text',
    text,
  };
  await recordNormalizedEvent(inbound, { receivedAt: inbound.occurredAt }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  const agentEvents: DomainEvent[] = [];
  await answerConversation(domainEventFor(inbound).detail, {
    ...dynamoConversationStores(table.db, tableName),
    retentionDays: 30,
    replyQuietMs: 0,
    publisher: { publish: async (e) => void agentEvents.push(...e) },
    now: () => NOW,
    botSettings: fixedBotSettings(demoBotSettings()),
  });
  return agentEvents[0]!.detail as { conversationKey: string; outboundId: string };
}

async function stored(key: { pk: string; sk: string }) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}
const messageKey = (detail: { conversationKey: string; outboundId: string }) => ({
  pk: `CONV#${detail.conversationKey}`,
  sk: `MSG#${detail.outboundId}`,
});

describe('outbound send on DynamoDB Local and a local Graph API', () => {
  it('sends the agent reply once, records it sent, and points its wamid at it for receipts', async () => {
    const request = await replyRequested('hola');
    replies.push(okResponse('wamid.SENT1'));

    expect(await sendReply(request, deps)).toEqual({ outcome: 'sent', providerMessageId: 'wamid.SENT1' });

    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe(`/${GRAPH_API_VERSION}/100/messages`);
    expect(received[0]!.authorization).toBe('Bearer token-for-100');
    expect(received[0]!.body).toMatchObject({ to: '5511999', type: 'interactive', interactive: { type: 'button' } });
    expect(validator.validate(received[0]!.body)).toBeUndefined();
    expect(await stored(messageKey(request))).toMatchObject({
      status: 'sent',
      statusRank: 1,
      providerMessageId: 'wamid.SENT1',
      sentAt: NOW.toISOString(),
      recipientWaId: '5511999',
      attempts: 1,
    });
    expect(await stored({ pk: 'PMID#wamid.SENT1', sk: 'PMID' })).toMatchObject({
      conversationKey: KEY,
      messageSk: `MSG#${request.outboundId}`,
    });

    // The receipt that follows finds the message through that pointer.
    const delivered: StatusEvent = {
      kind: 'status',
      channel: 'whatsapp',
      conversationKey: KEY,
      accountId: '100',
      businessAccountId: '200',
      occurredAt: '2026-11-21T12:00:02.000Z',
      eventId: 'wa:status:wamid.SENT1:delivered',
      status: 'delivered',
      providerMessageId: 'wamid.SENT1',
      customer: { id: '5511999' },
    };
    await applyDeliveryStatus(domainEventFor(delivered).detail, { ...dynamoStatusStores(table.db, tableName), publisher: deps.publisher });
    expect(await stored(messageKey(request))).toMatchObject({ status: 'delivered', deliveredAt: '2026-11-21T12:00:02.000Z' });

    // A redelivered request sends nothing.
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status: 'delivered' });
    expect(received).toHaveLength(1);
  });

  it('makes exactly one Graph request for two concurrent sends of the same reply', async () => {
    const request = await replyRequested('where is my order?');
    replies.push({ ...okResponse('wamid.ONCE'), delayMs: 200 }, okResponse('wamid.TWICE'));

    const results = await Promise.all([sendReply(request, deps), sendReply(request, deps)]);

    expect(received).toHaveLength(1);
    expect(results.map((r) => r.outcome).sort()).toEqual(['outcome_unknown', 'sent']);
    expect(await stored(messageKey(request))).toMatchObject({ status: 'sent', providerMessageId: 'wamid.ONCE', attempts: 1 });
  });

  it('puts the reply back to pending and throws on a rate limit, then sends it on the retry', async () => {
    const request = await replyRequested('hello');
    replies.push({ status: 400, body: readConformanceJson('graph-api', 'kapso-error-130429-throughput.json') }, okResponse('wamid.RETRIED'));

    await expect(sendReply(request, deps)).rejects.toMatchObject({ name: 'GraphApiError', code: 130429, classification: 'retryable' });
    expect(await stored(messageKey(request))).toMatchObject({ status: 'pending', lastErrorCode: 130429, attempts: 1 });

    expect(await sendReply(request, deps)).toEqual({ outcome: 'sent', providerMessageId: 'wamid.RETRIED' });
    expect(await stored(messageKey(request))).toMatchObject({ status: 'sent', attempts: 2 });
    expect(received).toHaveLength(2);
  });

  it('marks the reply failed on a permanent error, announces it once, and never sends it again', async () => {
    const request = await replyRequested('hello');
    replies.push({ status: 400, body: readConformanceJson('graph-api', 'kapso-error-131047-reengagement.json') });

    expect(await sendReply(request, deps)).toEqual({ outcome: 'failed', classification: 'permanent', errorCode: 131047 });
    expect(await stored(messageKey(request))).toMatchObject({
      status: 'failed',
      statusRank: 5,
      errorCode: 131047,
      errorTitle: '(#131047) Re-engagement message',
      failedAt: NOW.toISOString(),
      failureAnnouncedAt: NOW.toISOString(),
    });
    expect(published.map((e) => [e.detailType, e.detail.messageId])).toEqual([['message.failed', request.outboundId]]);

    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status: 'failed' });
    expect(received).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  it('fails the reply on an expired token and says the account needs re-authorisation', async () => {
    const request = await replyRequested('hello');
    replies.push({ status: 401, body: readConformanceJson('graph-api', 'openapi-error-190-463-expired-token.json') });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'failed', classification: 'auth', errorCode: 190 });
    expect(await stored(messageKey(request))).toMatchObject({ status: 'failed', errorClassification: 'auth' });
    expect(await stored({ pk: 'ACCT#100', sk: 'ACCOUNT' })).toMatchObject({
      needsReauthorisation: true,
      reauthorisationRequiredAt: NOW.toISOString(),
      lastAuthErrorCode: 190,
      lastAuthErrorSubcode: 463,
    });
  });

  it('sends Instagram and Messenger replies with quick replies to the account endpoint', async () => {
    const ig = await replyRequested('hi', 'instagram');
    replies.push({ status: 200, body: readConformanceJson('graph-api', 'chatwoot-instagram-send-response.json') });
    expect(await sendReply(ig, deps)).toEqual({ outcome: 'sent', providerMessageId: 'random_message_id' });
    expect(received[0]!.path).toBe(`/${GRAPH_API_VERSION}/1784/messages`);
    expect(received[0]!.body).toMatchObject({ recipient: { id: 'IGSID' }, message: { quick_replies: expect.any(Array) } });

    const fb = await replyRequested('where is my order?', 'messenger');
    replies.push({ status: 200, body: readConformanceJson('graph-api', 'messenger4j-messenger-send-response.json') });
    expect(await sendReply(fb, deps)).toMatchObject({ outcome: 'sent' });
    expect(received[1]!.path).toBe(`/${GRAPH_API_VERSION}/PAGE/messages`);
    expect(received[1]!.body).toMatchObject({ recipient: { id: 'PSID' }, messaging_type: 'RESPONSE' });
    expect(await stored({ pk: 'PMID#mid.1473372944816:94f72b88c597657974', sk: 'PMID' })).toMatchObject({
      conversationKey: 'fb:PAGE:PSID',
    });
  });
});
