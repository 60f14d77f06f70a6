import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { StatusEvent } from '#lambdas/conversation/model';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import { routeSpendRequest } from '#lambdas/pricing/api/route-spend-request';
import { spendAdmin } from '#lambdas/pricing/api/spend-admin';
import type { SpendSummary } from '#lambdas/pricing/api/spend-api-contract';
import { cachedBudgetGate, dynamoBudgetGate } from '#lambdas/pricing/budget-gate';
import { countResolvedConversation } from '#lambdas/pricing/count-resolved-conversation';
import { parseRateCard } from '#lambdas/pricing/rate-card';
import { tableSpendCounter } from '#lambdas/pricing/spend-wiring';
import { dynamoSpendStore, type SpendStore } from '#lambdas/pricing/spend-store';
import { campaignSk, campaignsPk } from '#lambdas/campaigns/campaign-keys';
import { emptyCounts } from '#lambdas/campaigns/campaign-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import type { StatusDeps } from '#lambdas/status/apply-delivery-status';
import { applyReceiptOnArrival } from '#lambdas/status/apply-receipt-on-arrival';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { fakeAccounts } from '#test/helpers/fake-accounts';
import { dynamoIngressStores } from '#lambdas/ingress/ingress-stores';
import type { CompleteSendDeps } from '#lambdas/status/complete-interrupted-send';
import type { RecordDeps } from '#lambdas/conversation/record-normalized-event';

/**
 * Meta spend per business on DynamoDB Local (docs/meta-pricing.md § Budgets): receipts priced by
 * the status path add to the business's month, a budget crossing is announced once however the
 * receipts repeat or race, campaigns get their spend, and the spend API reads it all back.
 */
let table: TestTable & { newTable(): Promise<string> };
let deps: StatusDeps & RecordDeps & CompleteSendDeps;
let tableName: string;
let store: SpendStore;
let published: DomainEvent[];

const CARD = parseRateCard({
  snapshot: false,
  effectiveDate: '2026-04-01',
  currency: 'USD',
  sourceUrl: 'https://example.test/rates',
  markets: {
    BR: { name: 'Brazil', rates: { marketing: 0.0625, utility: 0.0068, authentication: 0.0068 } },
    OTHER: { name: 'Other', rates: { marketing: 0.06, utility: 0.008, authentication: 0.008 } },
  },
});
const accounts = fakeAccounts([
  { accountId: '100', channel: 'whatsapp', businessId: 'acme' },
  { accountId: '300', channel: 'whatsapp', businessId: 'other-business' },
]);

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  tableName = await table.newTable();
  const publisher = { publish: async (events: DomainEvent[]) => void published.push(...events) };
  deps = {
    ...dynamoIngressStores(table.db, tableName),
    publisher,
    retentionDays: 30,
    rateCard: CARD,
    spend: tableSpendCounter({ db: table.db, tableName, publisher, accounts }),
  };
  store = dynamoSpendStore({ db: table.db, tableName });
});

const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };
const customerOf = (n: number) => `55119876543${String(n).padStart(2, '0')}`;

async function seedSentMessage(n: number, extra: Record<string, unknown> = {}, accountId = '100') {
  const key = `wa:${accountId}:${customerOf(n)}`;
  const at = '2026-11-21T10:00:00.000Z';
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `CONV#${key}`,
        sk: `MSG#out_${n}`,
        lsi1sk: `MSG#${at}#out_${n}`,
        entity: 'Message',
        messageId: `out_${n}`,
        conversationKey: key,
        accountId,
        channel: 'whatsapp',
        direction: 'outbound',
        origin: 'agent',
        type: 'text',
        status: 'sent',
        statusRank: 1,
        providerMessageId: `wamid.${n}`,
        occurredAt: at,
        sentAt: at,
        ...extra,
      },
    }),
  );
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: `PMID#wamid.${n}`, sk: 'PMID', entity: 'ProviderMessageId', conversationKey: key, messageSk: `MSG#out_${n}` },
    }),
  );
}

const receipt = (n: number, status: 'sent' | 'delivered', pricing: StatusEvent['pricing'], accountId = '100', suffix = ''): StatusEvent => ({
  kind: 'status',
  channel: 'whatsapp',
  conversationKey: `wa:${accountId}:${customerOf(n)}`,
  accountId,
  businessAccountId: '200',
  occurredAt: `2026-11-21T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
  eventId: `wa:status:wamid.${n}:${status}${suffix}`,
  status,
  providerMessageId: `wamid.${n}`,
  customer: { id: customerOf(n), waId: customerOf(n) },
  ...(pricing ? { pricing } : {}),
});
const priced = (category: string, type = 'regular', billable = true) => ({ billable, pricingModel: 'PMP', type, category });
const deliver = async (n: number, pricing: StatusEvent['pricing'], accountId = '100') => {
  await seedSentMessage(n, {}, accountId);
  await applyReceiptOnArrival(receipt(n, 'delivered', pricing, accountId), ctx, deps);
};

function request(method: string, path: string, options: { query?: Record<string, string>; body?: unknown } = {}): APIGatewayProxyEventV2 {
  return {
    rawPath: path,
    routeKey: `${method} ${path}`,
    queryStringParameters: options.query,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: { http: { method }, requestId: 'r1' },
  } as unknown as APIGatewayProxyEventV2;
}
const person = (roles: OperatorRole[], businessId = 'acme'): OperatorIdentity => ({
  subject: 's',
  actor: 'alex',
  businessId,
  roles,
  scopes: ['omnichannel/admin'],
});
async function call(identity: OperatorIdentity, method: string, path: string, options: { query?: Record<string, string>; body?: unknown } = {}) {
  const res = await routeSpendRequest(request(method, path, options), identity, { admin: spendAdmin(store), now: () => new Date('2026-11-21T12:00:00.000Z') });
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}

describe("a business's running month", () => {
  it('adds each priced message once, whatever receipts repeat, by category, country, day and number; free ones counted apart', async () => {
    await deliver(1, priced('marketing'));
    await deliver(2, priced('utility'));
    await deliver(3, priced('authentication'));
    await deliver(4, priced('service', 'free_customer_service', false));
    await deliver(5, priced('marketing', 'free_entry_point', false));
    await deliver(6, priced('service')); // charged from 2026-10-01, no rate on this card: unpriced
    // Meta repeats the pricing on `sent`, and redelivers: nothing more is counted.
    await applyReceiptOnArrival(receipt(1, 'sent', priced('marketing')), ctx, deps);
    await applyReceiptOnArrival(receipt(1, 'delivered', priced('marketing'), '100', ':again'), ctx, deps);

    const month = await store.getMonth('acme', '2026-11');
    expect(month).toMatchObject({
      spentMicros: 62_500 + 6_800 + 6_800,
      chargedCount: 3,
      messageCount: 6,
      byCategory: { marketing: { micros: 62_500, count: 1 }, utility: { micros: 6_800, count: 1 }, authentication: { micros: 6_800, count: 1 } },
      free: { free_customer_service: 1, free_entry_point: 1 },
      unpriced: { service: 1 },
      byCountry: { BR: { micros: 76_100, count: 6 } },
      byDay: { '21': { micros: 76_100, count: 6 } },
      byAccount: { '100': { micros: 76_100, count: 6 } },
      rateCardDate: '2026-04-01',
    });
    expect(await store.getMonth('other-business', '2026-11')).toBeUndefined();
  });

  it("adds a campaign send's charge to its campaign's counts", async () => {
    await table.db.send(
      new PutCommand({ TableName: tableName, Item: { pk: campaignsPk('acme'), sk: campaignSk('cmp_1'), entity: 'Campaign', counts: emptyCounts() } }),
    );
    await seedSentMessage(7, { origin: 'campaign', campaignId: 'cmp_1', campaignBusinessId: 'acme' });
    await applyReceiptOnArrival(receipt(7, 'sent', priced('marketing')), ctx, deps);
    await applyReceiptOnArrival(receipt(7, 'delivered', priced('marketing')), ctx, deps);
    const campaign = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: campaignsPk('acme'), sk: campaignSk('cmp_1') } }))).Item!;
    expect(campaign.counts.spendMicros).toBe(62_500);
    expect(campaign.counts.sent).toBe(0);
  });

  it('takes the price back when the month could not be counted, so the retry counts it', async () => {
    await seedSentMessage(8);
    const failing = { ...deps, spend: tableSpendCounter({ db: table.db, tableName: 'no-such-table', publisher: deps.publisher, accounts }) };
    await expect(applyReceiptOnArrival(receipt(8, 'delivered', priced('marketing')), ctx, failing)).rejects.toThrow();
    const item = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#wa:100:${customerOf(8)}`, sk: 'MSG#out_8' } }))).Item!;
    expect(item.metaPricedAt).toBeUndefined();
    expect(item.status).toBe('delivered');
    // The retry (status tracking) prices and counts it.
    await applyReceiptOnArrival(receipt(8, 'sent', priced('marketing')), ctx, deps);
    expect((await store.getMonth('acme', '2026-11'))?.spentMicros).toBe(62_500);
  });
});

describe('budget thresholds', () => {
  const thresholdEvents = () => published.filter((e) => e.detailType === DETAIL_TYPE.budgetThresholdCrossed);

  it('publishes budget.threshold_crossed once at 80% and once at 100%, however the receipts repeat and race', async () => {
    // A US$ 0.25 budget: three marketing messages at 0.0625 are 75%; the fourth reaches 100% (both thresholds).
    expect((await call(person(['admin']), 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 0.25 } })).status).toBe(200);
    for (let n = 11; n <= 13; n++) await deliver(n, priced('marketing'));
    expect(thresholdEvents()).toEqual([]);
    // The 4th and 5th in parallel, each with its `sent` and `delivered` racing, some twice.
    await Promise.all([14, 15].map((n) => seedSentMessage(n)));
    await Promise.all(
      [14, 15].flatMap((n) => [
        applyReceiptOnArrival(receipt(n, 'sent', priced('marketing')), ctx, deps),
        applyReceiptOnArrival(receipt(n, 'delivered', priced('marketing')), ctx, deps),
        applyReceiptOnArrival(receipt(n, 'delivered', priced('marketing'), '100', ':dup'), ctx, deps),
      ]),
    );
    for (let n = 16; n <= 18; n++) await deliver(n, priced('marketing'));
    const events = thresholdEvents();
    expect(events.map((e) => e.detail.threshold).sort()).toEqual([100, 80]);
    for (const e of events)
      expect(e).toMatchObject({ source: EVENT_SOURCE.spend, detail: { v: 1, businessId: 'acme', month: '2026-11', budgetMicros: 250_000, currency: 'USD' } });
    const month = await store.getMonth('acme', '2026-11');
    expect(month?.spentMicros).toBe(8 * 62_500);
    expect(Object.keys(month?.crossed ?? {}).sort()).toEqual(['100', '80']);
  });

  it('announces again after an admin raises the budget, and never for a business without one', async () => {
    await call(person(['admin']), 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 0.1 } });
    for (let n = 21; n <= 22; n++) await deliver(n, priced('marketing'));
    expect(thresholdEvents().map((e) => e.detail.threshold)).toEqual([80, 100]);
    const { body } = await call(person(['admin']), 'GET', '/admin/spend/budget');
    await call(person(['admin']), 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 0.15, expectedVersion: body.budget.version } });
    // The counter keeps a budget for a minute: a new counter is a new minute.
    deps.spend = tableSpendCounter({ db: table.db, tableName: tableName, publisher: deps.publisher, accounts });
    await deliver(23, priced('marketing'));
    expect(thresholdEvents().map((e) => [e.detail.threshold, e.detail.budgetMicros])).toEqual([
      [80, 100_000],
      [100, 100_000],
      [80, 150_000],
      [100, 150_000],
    ]);
    // other-business has no budget: its spend grows without a word.
    for (let n = 31; n <= 33; n++) await deliver(n, priced('marketing'), '300');
    expect(thresholdEvents()).toHaveLength(4);
  });

  it('the budget gate reports the standing, cached a minute', async () => {
    await call(person(['admin']), 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 0.5 } });
    await deliver(41, priced('marketing'));
    const gate = dynamoBudgetGate(store);
    const now = new Date('2026-11-21T12:00:00.000Z');
    expect(await gate.standing('acme', now)).toEqual({ budgetMicros: 500_000, spentMicros: 62_500, share: 0.125 });
    expect(await gate.standing('acme', new Date('2026-12-01T00:00:00.000Z'))).toEqual({ budgetMicros: 500_000, spentMicros: 0, share: 0 });
    expect(await gate.standing('nobody', now)).toEqual({ spentMicros: 0, share: 0 });
    const cached = cachedBudgetGate(gate);
    expect((await cached.standing('acme', now)).spentMicros).toBe(62_500);
    await deliver(42, priced('marketing'));
    expect((await cached.standing('acme', now)).spentMicros).toBe(62_500);
    expect((await gate.standing('acme', now)).spentMicros).toBe(125_000);
  });
});

describe('resolved conversations', () => {
  it('counts each resolved close or bot end once, by the month it ended in', async () => {
    const deps2 = { store, businessOfAccount: async (id: string) => (await accounts.account(id))?.businessId };
    const closed = { conversationKey: 'wa:100:1', channel: 'whatsapp', accountId: '100', closedAt: '2026-11-20T10:00:00.000Z', outcome: 'resolved' };
    expect(await countResolvedConversation(DETAIL_TYPE.conversationClosed, closed, deps2)).toEqual({
      outcome: 'counted',
      businessId: 'acme',
      month: '2026-11',
    });
    expect(await countResolvedConversation(DETAIL_TYPE.conversationClosed, closed, deps2)).toEqual({ outcome: 'repeat' });
    expect(await countResolvedConversation(DETAIL_TYPE.conversationClosed, { ...closed, outcome: 'spam' }, deps2)).toEqual({ outcome: 'not_resolved' });
    const ended = { conversationKey: 'wa:100:2', channel: 'whatsapp', accountId: '100', endedAt: '2026-11-20T11:00:00.000Z', outcome: 'resolved_by_bot' };
    expect(await countResolvedConversation(DETAIL_TYPE.conversationEnded, ended, deps2)).toMatchObject({ outcome: 'counted' });
    expect(await countResolvedConversation(DETAIL_TYPE.conversationEnded, { ...ended, accountId: '999' }, deps2)).toEqual({ outcome: 'no_business' });
    expect(await countResolvedConversation(DETAIL_TYPE.conversationEnded, { conversationKey: 'x' }, deps2)).toMatchObject({ outcome: 'invalid' });
    expect((await store.getMonth('acme', '2026-11'))?.resolvedCount).toBe(2);
  });
});

describe('the spend API', () => {
  it("answers the month's summary with the budget, the bars' figures and spend per resolved conversation", async () => {
    await call(person(['admin']), 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 0.1 } });
    await deliver(51, priced('marketing'));
    await deliver(52, priced('utility'));
    await deliver(53, priced('service', 'free_customer_service', false));
    await countResolvedConversation(
      DETAIL_TYPE.conversationClosed,
      { conversationKey: 'wa:100:1', accountId: '100', closedAt: '2026-11-21T09:00:00.000Z', outcome: 'converted' },
      { store, businessOfAccount: async () => 'acme' },
    );

    const { status, body } = await call(person(['supervisor']), 'GET', '/admin/spend');
    expect(status).toBe(200);
    const summary = body as SpendSummary;
    expect(summary).toMatchObject({
      businessId: 'acme',
      month: '2026-11',
      currency: 'USD',
      spentUsd: 0.0693,
      chargedMessages: 2,
      pricedMessages: 3,
      budget: { monthlyBudgetUsd: 0.1, version: 1, updatedBy: 'alex' },
      warningShare: 0.8,
      saving: false,
      byCategory: [
        { category: 'marketing', spentUsd: 0.0625, messages: 1 },
        { category: 'utility', spentUsd: 0.0068, messages: 1 },
      ],
      free: [{ type: 'free_customer_service', messages: 1 }],
      byCountry: [{ country: 'BR', spentUsd: 0.0693, messages: 3 }],
      byDay: [{ day: '2026-11-21', spentUsd: 0.0693, messages: 3 }],
      byAccount: [{ accountId: '100', spentUsd: 0.0693, messages: 3 }],
      resolvedConversations: 1,
      spendPerResolvedUsd: 0.0693,
    });
    expect(summary.share).toBeCloseTo(0.0693 / 0.1, 6);
    // Another month: empty, with the same budget.
    expect((await call(person(['admin']), 'GET', '/admin/spend', { query: { month: '2026-10' } })).body).toMatchObject({
      month: '2026-10',
      spentUsd: 0,
      byCategory: [],
      budget: { monthlyBudgetUsd: 0.1 },
    });
  });

  it('lets supervisors read and only admins set the budget; another business is refused; a platform operator names it', async () => {
    expect((await call(person(['agent']), 'GET', '/admin/spend')).status).toBe(403);
    expect((await call(person(['supervisor']), 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 10 } })).status).toBe(403);
    expect((await call(person(['admin'], 'other-business'), 'GET', '/admin/spend', { query: { businessId: 'acme' } })).status).toBe(403);
    expect(
      (await call(person(['admin'], 'other-business'), 'PUT', '/admin/spend/budget', { query: { businessId: 'acme' }, body: { monthlyBudgetUsd: 1 } })).status,
    ).toBe(403);
    expect((await call(person(['platform'], 'ops'), 'GET', '/admin/spend')).status).toBe(400);
    expect(
      (await call(person(['platform'], 'ops'), 'PUT', '/admin/spend/budget', { query: { businessId: 'acme' }, body: { monthlyBudgetUsd: 12.5 } })).body,
    ).toMatchObject({ budget: { monthlyBudgetUsd: 12.5 } });
    expect((await call(person(['supervisor']), 'GET', '/admin/spend/budget')).body).toMatchObject({ budget: { monthlyBudgetUsd: 12.5, version: 1 } });
    expect(await store.getBudget('other-business')).toBeUndefined();
  });

  it('refuses bad input with a message, and a stale version with 409', async () => {
    const admin = person(['admin']);
    for (const body of [
      { monthlyBudgetUsd: -1 },
      { monthlyBudgetUsd: 0 },
      { monthlyBudgetUsd: 1.005 },
      { monthlyBudgetUsd: 1e9 },
      { monthlyBudgetUsd: '10' },
      { monthlyBudgetUsd: 10, extra: 1 },
      {},
      [],
    ]) {
      const res = await call(admin, 'PUT', '/admin/spend/budget', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(/monthlyBudgetUsd|body|extra/);
    }
    expect((await call(admin, 'GET', '/admin/spend', { query: { month: '2026-13' } })).status).toBe(400);
    expect((await call(admin, 'GET', '/admin/spend', { query: { month: 'x'.repeat(5000) } })).status).toBe(400);
    expect((await call(admin, 'GET', '/admin/spend', { query: { businessId: '../../x' } })).status).toBe(400);
    expect((await call(admin, 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 100 } })).status).toBe(200);
    expect(await call(admin, 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 200, expectedVersion: 0 } })).toMatchObject({
      status: 409,
      body: { error: 'version_conflict', currentVersion: 1 },
    });
    expect((await call(admin, 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: null, expectedVersion: 1 } })).body).toMatchObject({
      budget: { monthlyBudgetUsd: null, version: 2 },
    });
    expect((await call(admin, 'DELETE', '/admin/spend/budget')).status).toBe(405);
  });
});
