import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { createGraphApiClient } from '#lambdas/adapters/graph-api-client';
import type { Channel } from '#lambdas/conversation/model';
import type { OutboundMessageItem } from '#lambdas/outbound/outbound-message';
import { sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { dynamoSendStores } from '#lambdas/outbound/send-stores';

/** Graph stand-in that accepts everything and records what it was asked. */
let server: Server;
let graphBase: string;
let received: Array<Record<string, unknown>>;
let table: TestTable & { newTable(): Promise<string> };
let deps: SendReplyDeps;
let tableName: string;
let published: DomainEvent[];

const NOW = new Date('2026-11-21T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      received.push(body);
      const answer =
        body.messaging_product === 'whatsapp'
          ? { messaging_product: 'whatsapp', contacts: [{ input: '5511999', wa_id: '5511999' }], messages: [{ id: `wamid.${received.length}` }] }
          : { recipient_id: 'R', message_id: `mid.${received.length}` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
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
  published = [];
  tableName = await table.newTable();
  deps = {
    ...dynamoSendStores(table.db, tableName),
    publisher: { publish: async (e) => void published.push(...e) },
    graph: createGraphApiClient({ timeoutMs: 5_000 }),
    accessTokenFor: async () => 'token',
    graphConfig: { baseUrl: graphBase, version: GRAPH_API_VERSION },
    now: () => NOW,
  };
});

const KEYS: Record<Channel, string> = { whatsapp: 'wa:100:5511999', instagram: 'ig:1784:IGSID', messenger: 'fb:PAGE:PSID' };

/** A conversation whose customer last wrote `lastInboundAt` (if ever) and one pending outbound message. */
async function pending(options: { channel?: Channel; lastInboundAt?: string; outboundId?: string; item?: Partial<OutboundMessageItem> }) {
  const channel = options.channel ?? 'whatsapp';
  const conversationKey = KEYS[channel];
  const [, accountId, customerId] = conversationKey.split(':') as [string, string, string];
  const outboundId = options.outboundId ?? 'out_1';
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `CONV#${conversationKey}`,
        sk: 'CONV',
        entity: 'Conversation',
        ...(options.lastInboundAt ? { lastInboundAt: options.lastInboundAt } : {}),
      },
    }),
  );
  const item: OutboundMessageItem = {
    pk: `CONV#${conversationKey}`,
    sk: `MSG#${outboundId}`,
    lsi1sk: `MSG#${NOW.toISOString()}#${outboundId}`,
    entity: 'Message',
    messageId: outboundId,
    conversationKey,
    channel,
    accountId,
    customerId,
    recipientId: customerId,
    direction: 'outbound',
    origin: 'agent',
    type: 'text',
    text: 'We are on it.',
    replyToMessageIds: [],
    status: 'pending',
    occurredAt: NOW.toISOString(),
    createdAt: NOW.toISOString(),
    expiresAt: 1_900_000_000,
    ...options.item,
  };
  await table.db.send(new PutCommand({ TableName: tableName, Item: item }));
  return { v: 1, conversationKey, outboundId, channel, accountId };
}

async function messageItem(request: { conversationKey: string; outboundId: string }) {
  const out = await table.db.send(
    new GetCommand({ TableName: tableName, Key: { pk: `CONV#${request.conversationKey}`, sk: `MSG#${request.outboundId}` }, ConsistentRead: true }),
  );
  return out.Item;
}

async function consent(fields: Record<string, string>) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: 'ACCT#100', sk: 'CONSENT#5511999', entity: 'Consent', accountId: '100', customerId: '5511999', ...fields },
    }),
  );
}

const marketingTemplate = {
  type: 'template' as const,
  text: undefined,
  template: { name: 'black_friday', language: 'en_US', category: 'marketing' as const, components: [] },
};

describe('send rules on DynamoDB Local', () => {
  it('sends free-form WhatsApp inside the window read from the stored conversation', async () => {
    const request = await pending({ lastInboundAt: hoursAgo(23) });
    expect(await sendReply(request, deps)).toMatchObject({ outcome: 'sent' });
    expect(received).toHaveLength(1);
  });

  it('fails free-form WhatsApp outside the window with window_closed, announces it, and never calls Meta', async () => {
    const request = await pending({ lastInboundAt: hoursAgo(25) });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'refused', reason: 'window_closed' });
    expect(received).toHaveLength(0);
    expect(await messageItem(request)).toMatchObject({ status: 'failed', failureReason: 'window_closed', failedAt: NOW.toISOString(), statusRank: 5 });
    expect(published.map((e) => [e.detailType, e.detail.reason])).toEqual([['message.failed', 'window_closed']]);
    // A redelivery neither sends nor announces again.
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status: 'failed' });
    expect(published).toHaveLength(1);
  });

  it('sends a utility template outside the window', async () => {
    const request = await pending({
      lastInboundAt: hoursAgo(400),
      item: { type: 'template', template: { name: 'order_update', language: 'en_US', category: 'utility' } },
    });
    expect(await sendReply(request, deps)).toMatchObject({ outcome: 'sent' });
    expect(received[0]).toMatchObject({ type: 'template', template: { name: 'order_update', language: { code: 'en_US' } } });
  });

  it('sends a marketing template only with an opt-in and no later opt-out, reading consent from the table', async () => {
    const noConsent = await pending({ outboundId: 'm1', item: marketingTemplate });
    expect(await sendReply(noConsent, deps)).toEqual({ outcome: 'refused', reason: 'marketing_opt_in_missing' });

    await consent({ marketingOptInAt: hoursAgo(48), marketingOptInEvidence: 'form:signup' });
    const optedIn = await pending({ outboundId: 'm2', item: marketingTemplate });
    expect(await sendReply(optedIn, deps)).toMatchObject({ outcome: 'sent' });

    await consent({ marketingOptInAt: hoursAgo(48), marketingOptOutAt: hoursAgo(1) });
    const optedOut = await pending({ outboundId: 'm3', item: marketingTemplate });
    expect(await sendReply(optedOut, deps)).toEqual({ outcome: 'refused', reason: 'marketing_opted_out' });

    expect(received).toHaveLength(1);
    expect(await messageItem(optedOut)).toMatchObject({ status: 'failed', failureReason: 'marketing_opted_out' });
  });

  it('tags a human agent reply on Instagram and Messenger between 24 hours and 7 days, and refuses the bot', async () => {
    const ig = await pending({ channel: 'instagram', lastInboundAt: hoursAgo(72), item: { origin: 'human_agent' } });
    expect(await sendReply(ig, deps)).toMatchObject({ outcome: 'sent' });
    expect(received[0]).toMatchObject({ recipient: { id: 'IGSID' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    const fb = await pending({ channel: 'messenger', lastInboundAt: hoursAgo(72), item: { origin: 'human_agent' } });
    expect(await sendReply(fb, deps)).toMatchObject({ outcome: 'sent' });
    expect(received[1]).toMatchObject({ recipient: { id: 'PSID' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    const bot = await pending({ channel: 'instagram', outboundId: 'out_bot', lastInboundAt: hoursAgo(72) });
    expect(await sendReply(bot, deps)).toEqual({ outcome: 'refused', reason: 'window_closed' });
    const late = await pending({ channel: 'messenger', outboundId: 'out_late', lastInboundAt: hoursAgo(24 * 8), item: { origin: 'human_agent' } });
    expect(await sendReply(late, deps)).toEqual({ outcome: 'refused', reason: 'window_closed' });
    expect(received).toHaveLength(2);
  });

  it('does not tag a human agent reply inside 24 hours', async () => {
    const fb = await pending({ channel: 'messenger', lastInboundAt: hoursAgo(1), item: { origin: 'human_agent' } });
    expect(await sendReply(fb, deps)).toMatchObject({ outcome: 'sent' });
    expect(received[0]).toMatchObject({ messaging_type: 'RESPONSE' });
    expect(received[0]).not.toHaveProperty('tag');
  });

  it("marks the customer's message read with a typing indicator just before the reply", async () => {
    const request = await pending({ lastInboundAt: hoursAgo(1), item: { markReadMessageId: 'wamid.IN1' } });
    expect(await sendReply(request, deps)).toMatchObject({ outcome: 'sent' });
    expect(received).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1', typing_indicator: { type: 'text' } },
      expect.objectContaining({ type: 'text', to: '5511999' }),
    ]);
  });

  it('sends the reply even when marking read fails', async () => {
    const request = await pending({ lastInboundAt: hoursAgo(1), item: { markReadMessageId: 'wamid.IN1' } });
    const post = deps.graph.post;
    deps.graph = {
      post: async (req, token) => {
        if ((req.body as { status?: string }).status === 'read') throw new Error('mark read refused');
        return post(req, token);
      },
    };
    expect(await sendReply(request, deps)).toMatchObject({ outcome: 'sent' });
    expect(received).toHaveLength(1);
  });
});
