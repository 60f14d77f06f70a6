import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { upsertChannelAccount } from '#lambdas/accounts/channel-account';
import { createGraphApiClient } from '#lambdas/adapters/graph-api-client';
import type { CampaignCounter } from '#lambdas/campaigns/campaign-counts';
import { dynamoCampaignCounts, dynamoCampaignMessageReader } from '#lambdas/campaigns/campaign-counts-store';
import { campaignMessageId, campaignSk, campaignsPk } from '#lambdas/campaigns/campaign-keys';
import { releaseTick, type ReleaseDeps } from '#lambdas/campaigns/campaign-release';
import { checkRelease, type ReleaseCheck } from '#lambdas/campaigns/campaign-release-check';
import { dynamoReleaseSources } from '#lambdas/campaigns/campaign-lookups-store';
import { countCampaignSend } from '#lambdas/campaigns/campaign-send';
import { dynamoCampaignMessages, dynamoCampaignOutbox } from '#lambdas/campaigns/campaign-send-items-store';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { CONVERSATION_SK, conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import { replyRequestedEvent } from '#lambdas/outbound/reply-requested';
import { consentSk } from '#lambdas/outbound/send-context';
import { sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { templateKey } from '#lambdas/templates/template-item';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import {
  ACCOUNT_ID,
  BUSINESS,
  CAMPAIGN_ID,
  campaign,
  fakeBudget,
  recordingPublisher,
  recordingSendQueue,
  recordingTicks,
  WABA_ID,
} from '#test/helpers/campaign-release-fakes';
import { dynamoSendStores } from '#lambdas/outbound/send-stores';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const RECIPIENTS = 30;
const waId = (i: number) => `5511${String(90000000 + i)}`;
/** Every third customer has no recorded opt-in: the sender refuses them at send time. */
const optedIn = (i: number) => i % 3 !== 2;

let server: Server;
let graphBase: string;
let graphSends: Array<{ to: string; callback: string }>;
let table: TestTable & { newTable(): Promise<string> };

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { to: string; biz_opaque_callback_data: string };
      graphSends.push({ to: body.to, callback: body.biz_opaque_callback_data });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.${graphSends.length}` }] }),
        );
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

interface World {
  tableName: string;
  store: CampaignStore;
  counter: CampaignCounter;
  deps: ReleaseDeps;
  queue: ReturnType<typeof recordingSendQueue>;
  ticks: ReturnType<typeof recordingTicks>;
  sendDeps: SendReplyDeps;
}

let w: World;

beforeEach(async () => {
  graphSends = [];
  const tableName = await table.newTable();
  const db = table.db;
  // A number at 2 msg/s (1.6 for the campaign: 16 a tick), the template, and the customers' consent.
  await upsertChannelAccount(
    db,
    tableName,
    { accountId: ACCOUNT_ID, channel: 'whatsapp', businessId: BUSINESS, wabaId: WABA_ID, status: 'active', throughputPerSecond: 2, qualityRating: 'GREEN' },
    NOW,
  );
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...templateKey(WABA_ID, 'promo', 'es'),
        entity: 'Template',
        wabaId: WABA_ID,
        name: 'promo',
        language: 'es',
        status: 'APPROVED',
        category: 'MARKETING',
        parameterFormat: 'POSITIONAL',
        componentsJson: JSON.stringify([{ type: 'BODY', text: 'Hola {{1}}, 20% hoy' }]),
      },
    }),
  );
  for (let i = 0; i < RECIPIENTS; i++) {
    if (!optedIn(i)) continue;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `ACCT#${ACCOUNT_ID}`,
          sk: consentSk(waId(i)),
          entity: 'Consent',
          accountId: ACCOUNT_ID,
          customerId: waId(i),
          marketingOptInAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );
  }
  const store = dynamoCampaignStore({ db, tableName });
  await store.create(campaign());
  await store.addRecipients(
    BUSINESS,
    CAMPAIGN_ID,
    0,
    Array.from({ length: RECIPIENTS }, (_, i) => ({ waId: waId(i), variables: { '1': `Cliente ${i}` } })),
  );
  await store.putRelease(BUSINESS, CAMPAIGN_ID, { nextSeq: 0, total: RECIPIENTS, tick: 0 });
  const counter = dynamoCampaignCounts({ db, tableName });
  const queue = recordingSendQueue();
  const ticks = recordingTicks();
  const deps: ReleaseDeps = {
    store,
    counts: counter,
    sources: dynamoReleaseSources({ db, tableName }),
    budget: fakeBudget(),
    outbox: dynamoCampaignOutbox({ db, tableName, retentionDays: 30 }),
    sendQueue: queue,
    ticks,
    publisher: recordingPublisher(),
    now: () => NOW,
  };
  const sendDeps: SendReplyDeps = {
    ...dynamoSendStores(db, tableName),
    publisher: { publish: async () => undefined },
    graph: createGraphApiClient({ timeoutMs: 5_000 }),
    accessTokenFor: async () => 'token',
    graphConfig: { baseUrl: graphBase, version: GRAPH_API_VERSION },
    now: () => NOW,
  };
  w = { tableName, store, counter, deps, queue, ticks, sendDeps };
});

const tick = (n: number) => ({ businessId: BUSINESS, campaignId: CAMPAIGN_ID, tick: n });

/** The campaign sender, as its handler runs it: the outbound use case, then the count. */
async function deliver(send: { conversationKey: string; outboundId: string; accountId: string }) {
  const detail = replyRequestedEvent(EVENT_SOURCE.campaigns, { ...send, channel: 'whatsapp' }).detail;
  const outcome = await sendReply(detail, w.sendDeps);
  await countCampaignSend(detail, outcome, { messages: dynamoCampaignMessageReader(table.db, w.tableName), counter: w.counter, recipients: w.store });
  return outcome;
}

async function releaseAll() {
  for (let n = 0; n < 10; n++) {
    const outcome = await releaseTick(tick(n), w.deps);
    if (outcome.outcome === 'released' && outcome.completed) return;
  }
  throw new Error('the campaign did not complete');
}

async function campaignItem() {
  return (
    await table.db.send(new GetCommand({ TableName: w.tableName, Key: { pk: campaignsPk(BUSINESS), sk: campaignSk(CAMPAIGN_ID) }, ConsistentRead: true }))
  ).Item;
}

describe('campaign release against DynamoDB Local', () => {
  it("writes each recipient's pending Message item and conversation once, then releases at 16 a tick until complete", async () => {
    await releaseAll();
    expect(w.ticks.scheduled).toEqual([{ tick: 1, delaySeconds: 10 }]);
    const item = (
      await table.db.send(
        new GetCommand({
          TableName: w.tableName,
          Key: { pk: conversationPk(`wa:${ACCOUNT_ID}:${waId(4)}`), sk: messageSk(campaignMessageId(CAMPAIGN_ID, waId(4))) },
        }),
      )
    ).Item;
    expect(item).toMatchObject({
      entity: 'Message',
      status: 'pending',
      origin: 'campaign',
      type: 'template',
      recipientId: waId(4),
      campaignId: CAMPAIGN_ID,
      campaignBusinessId: BUSINESS,
      campaignSeq: 4,
      template: { name: 'promo', language: 'es', category: 'marketing', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Cliente 4' }] }] },
    });
    const conversation = (
      await table.db.send(new GetCommand({ TableName: w.tableName, Key: { pk: conversationPk(`wa:${ACCOUNT_ID}:${waId(4)}`), sk: CONVERSATION_SK } }))
    ).Item;
    expect(conversation).toMatchObject({
      entity: 'Conversation',
      channel: 'whatsapp',
      accountId: ACCOUNT_ID,
      customerId: waId(4),
      lastCampaign: { businessId: BUSINESS, campaignId: CAMPAIGN_ID, at: NOW.toISOString() },
    });
    // Not in the conversation lists until the customer writes.
    expect(conversation).not.toHaveProperty('gsi1pk');
    expect((await w.store.get(BUSINESS, CAMPAIGN_ID))?.state).toBe('completed');
    expect(await w.store.reachInLast24h(BUSINESS, NOW)).toBe(RECIPIENTS);
  });

  it('sends each opted-in customer one message however often its tick and its sends are repeated, refuses the others, and counts both once', async () => {
    // Tick 0 twice in a row, and twice at once; tick 1 after a crash between writing and enqueueing.
    await releaseTick(tick(0), w.deps);
    await releaseTick(tick(0), w.deps);
    w.queue.failNext = 1;
    await expect(releaseTick(tick(1), w.deps)).rejects.toThrow();
    await Promise.all([releaseTick(tick(1), w.deps), releaseTick(tick(1), w.deps)]);
    expect((await w.store.get(BUSINESS, CAMPAIGN_ID))?.state).toBe('completed');
    const ids = w.queue.sends.map((s) => s.outboundId);
    expect(new Set(ids).size).toBe(RECIPIENTS);
    expect(ids.length).toBeGreaterThanOrEqual(RECIPIENTS);

    // Every enqueued copy delivered, some twice and some at once, as SQS may.
    await Promise.all(w.queue.sends.map((s) => deliver(s)));
    await Promise.all(w.queue.sends.slice(0, 10).map((s) => deliver(s)));

    const expected = Array.from({ length: RECIPIENTS }, (_, i) => i)
      .filter(optedIn)
      .map(waId);
    expect(graphSends.map((s) => s.to).sort()).toEqual(expected.sort());
    expect(graphSends.every((s) => s.callback.startsWith(`cmp.${CAMPAIGN_ID}.`))).toBe(true);

    await w.counter.rollUp(BUSINESS, CAMPAIGN_ID, RECIPIENTS);
    expect((await campaignItem())?.counts).toMatchObject({ released: RECIPIENTS, sent: 20, failed: 10, failedByError: { marketing_opt_in_missing: 10 } });
    const failed = await w.store.listRecipients(BUSINESS, CAMPAIGN_ID, { state: 'failed', limit: 100 });
    expect(failed.items.map((r) => r.waId).sort()).toEqual([2, 5, 8, 11, 14, 17, 20, 23, 26, 29].map(waId).sort());
    expect(failed.items[0]).toMatchObject({ errorCode: 'marketing_opt_in_missing' });
  });

  it('refuses a customer who opted out after the list was built, at send time', async () => {
    await releaseTick(tick(0), w.deps);
    await table.db.send(
      new PutCommand({
        TableName: w.tableName,
        Item: {
          pk: `ACCT#${ACCOUNT_ID}`,
          sk: consentSk(waId(0)),
          entity: 'Consent',
          accountId: ACCOUNT_ID,
          customerId: waId(0),
          marketingOptInAt: '2026-01-01T00:00:00.000Z',
          marketingOptOutAt: '2026-11-21T11:00:00.000Z',
        },
      }),
    );
    expect(await deliver(w.queue.sends[0]!)).toEqual({ outcome: 'refused', reason: 'marketing_opted_out' });
    expect(graphSends).toEqual([]);
  });

  it("pauses when the number's quality rating is RED and publishes why", async () => {
    await releaseTick(tick(0), w.deps);
    await upsertChannelAccount(
      table.db,
      w.tableName,
      { accountId: ACCOUNT_ID, channel: 'whatsapp', businessId: BUSINESS, wabaId: WABA_ID, status: 'active', throughputPerSecond: 2, qualityRating: 'RED' },
      NOW,
    );
    expect(await releaseTick(tick(1), w.deps)).toEqual({ outcome: 'paused', reason: 'quality_red' });
    expect(await w.store.get(BUSINESS, CAMPAIGN_ID)).toMatchObject({ state: 'paused', pauseReason: 'quality_red' });
    expect(w.queue.sends).toHaveLength(16);
  });

  it('asks again, a quarter of an hour later, for a send whose request was lost and one whose sender died after claiming it, and sends each once', async () => {
    const checks: Array<{ check: ReleaseCheck; delaySeconds: number }> = [];
    w.deps.scheduleCheck = async (check, delaySeconds) => void checks.push({ check, delaySeconds });
    await releaseTick(tick(0), w.deps);
    expect(checks).toEqual([{ check: { businessId: BUSINESS, campaignId: CAMPAIGN_ID, check: { fromSeq: 0, toSeq: 16, round: 1 } }, delaySeconds: 900 }]);
    const [lost, interrupted, inFlight, ...rest] = w.queue.sends;
    // Every send delivered but the first (its SQS message lost); the second's sender died after the claim.
    for (const s of rest) await deliver(s);
    const claimed = { pk: conversationPk(interrupted!.conversationKey), sk: messageSk(interrupted!.outboundId) };
    await table.db.send(
      new UpdateCommand({
        TableName: w.tableName,
        Key: claimed,
        UpdateExpression: 'SET #s = :sending, sendingAt = :long',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending', ':long': new Date(NOW.getTime() - 10 * 60_000).toISOString() },
      }),
    );
    const recent = { pk: conversationPk(inFlight!.conversationKey), sk: messageSk(inFlight!.outboundId) };
    await table.db.send(
      new UpdateCommand({
        TableName: w.tableName,
        Key: recent,
        UpdateExpression: 'SET #s = :sending, sendingAt = :now',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending', ':now': NOW.toISOString() },
      }),
    );
    w.queue.sends.length = 0;
    const rescheduled: typeof checks = [];
    const checkDeps = {
      store: w.store,
      messages: dynamoCampaignMessages({ db: table.db, tableName: w.tableName }),
      sendQueue: w.queue,
      scheduleCheck: async (check: ReleaseCheck, delaySeconds: number) => void rescheduled.push({ check, delaySeconds }),
      now: () => NOW,
    };
    expect(await checkRelease(checks[0]!.check, checkDeps)).toEqual({
      outcome: 'checked',
      looked: 16,
      askedAgain: 2,
      claimsReleased: 1,
      stillOpen: 3,
      givenUp: false,
    });
    expect(w.queue.sends.map((s) => s.outboundId).sort()).toEqual([lost!.outboundId, interrupted!.outboundId].sort());
    expect(rescheduled).toEqual([{ check: { businessId: BUSINESS, campaignId: CAMPAIGN_ID, check: { fromSeq: 0, toSeq: 16, round: 2 } }, delaySeconds: 900 }]);
    for (const s of w.queue.sends) await deliver(s);
    // The second check finds them sent; the claim still in progress is left alone until it is stale.
    expect(await checkRelease(rescheduled[0]!.check, checkDeps)).toMatchObject({ askedAgain: 0, claimsReleased: 0, stillOpen: 1 });
    const sentTo = graphSends.map((g) => g.to);
    expect(new Set(sentTo).size).toBe(sentTo.length);
    expect(sentTo).toContain(lost!.conversationKey.split(':')[2]);
    expect(sentTo).toContain(interrupted!.conversationKey.split(':')[2]);
    expect(sentTo).not.toContain(inFlight!.conversationKey.split(':')[2]);
  });

  it('refuses hostile release checks', async () => {
    const checkDeps = {
      store: w.store,
      messages: dynamoCampaignMessages({ db: table.db, tableName: w.tableName }),
      sendQueue: w.queue,
      scheduleCheck: async () => undefined,
    };
    for (const body of [
      {},
      { businessId: BUSINESS, campaignId: CAMPAIGN_ID, check: { fromSeq: -1, toSeq: 2, round: 1 } },
      { businessId: BUSINESS, campaignId: CAMPAIGN_ID, check: { fromSeq: 0, toSeq: 2, round: 9 } },
    ]) {
      expect((await checkRelease(body, checkDeps)).outcome).toBe('invalid');
    }
  });
});
