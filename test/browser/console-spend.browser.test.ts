import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { LOCAL_WHATSAPP_NUMBER } from '#lib/local-cloud/graph-simulator/accounts';
import { whatsAppStatus } from '#lib/local-cloud/graph-simulator/whatsapp-webhooks';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import { BrowserHarness } from '#test/browser/browser-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';

// The functions given to page.evaluate run in the page, whose globals this Node program lacks.
declare const document: {
  body: { innerText: string };
  querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null;
};

/**
 * The Spend screen in a real browser against one local cloud (issue 19): WhatsApp messages priced
 * from Meta's status webhooks (marketing, utility, authentication charged; a service message with no
 * rate yet; a free entry-point message; the bot's free service reply to a real customer message),
 * resolved conversations counted from `conversation.closed`, then an admin reads the month by
 * category and country and sets the budget, the bar showing its 80% and 100% marks. A supervisor
 * reads without the budget form; an admin of another business sees nothing of this one.
 */
const h = new BrowserHarness();
const ACCOUNT = LOCAL_WHATSAPP_NUMBER.phoneNumberId;
const BOT_CUSTOMER = '5511977770001';

beforeAll(() => h.start({ tenants: openAllWeekLocalTenants() }), 600_000);
afterAll(() => h.stop(), 60_000);
h.reportFailures();

const api = (roles: OperatorRole[], method: string, path: string, options: { businessId?: string; body?: unknown } = {}) =>
  h.api({ subject: 'admin', roles, ...(options.businessId ? { businessId: options.businessId } : {}) }, method, path, options.body);

async function eventually<T>(read: () => Promise<T | undefined | false>, what: string, timeout = 60_000): Promise<T> {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A template the business sent (as the templates API or a campaign records it), then Meta's signed receipts with its pricing. */
async function pricedTemplate(n: number, customer: string, pricing: Record<string, unknown>): Promise<void> {
  const key = `wa:${ACCOUNT}:${customer}`;
  const messageId = `out_spend_${n}`;
  const wamid = `wamid.SPEND${n}`;
  const at = new Date().toISOString();
  await h.cloud.db.send(
    new PutCommand({
      TableName: h.cloud.cloud.tableName,
      Item: {
        pk: `CONV#${key}`,
        sk: `MSG#${messageId}`,
        lsi1sk: `MSG#${at}#${messageId}`,
        entity: 'Message',
        messageId,
        conversationKey: key,
        channel: 'whatsapp',
        accountId: ACCOUNT,
        customerId: customer,
        recipientId: customer,
        direction: 'outbound',
        origin: 'human_agent',
        type: 'template',
        status: 'sent',
        statusRank: 1,
        providerMessageId: wamid,
        occurredAt: at,
        sentAt: at,
        createdAt: at,
      },
    }),
  );
  await h.cloud.db.send(
    new PutCommand({
      TableName: h.cloud.cloud.tableName,
      Item: { pk: `PMID#${wamid}`, sk: 'PMID', entity: 'ProviderMessageId', conversationKey: key, messageSk: `MSG#${messageId}` },
    }),
  );
  const timestampSec = Math.floor(Date.now() / 1000);
  for (const status of ['sent', 'delivered', 'delivered'] as const) {
    const body = JSON.stringify(
      whatsAppStatus({ number: LOCAL_WHATSAPP_NUMBER, messageId: wamid, recipientId: customer, status, timestampSec, pricing: pricing as never }),
    );
    expect((await h.cloud.postWebhook(body)).status).toBe(200);
  }
}

async function closedResolved(conversationKey: string): Promise<void> {
  const events = new EventBridgeClient({ endpoint: h.cloud.cloud.awsEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const detail = {
    v: 1,
    conversationKey,
    channel: 'whatsapp',
    accountId: ACCOUNT,
    closedAt: new Date().toISOString(),
    outcome: 'resolved',
    reason: 'customer_request',
    tags: [],
    closedBy: 'ana',
    csatAsked: false,
  };
  // Twice: EventBridge may deliver an event twice, and the count must not move.
  for (let i = 0; i < 2; i++) {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: h.cloud.cloud.topology.buses[0]!.name,
            Source: EVENT_SOURCE.humanAgent,
            DetailType: DETAIL_TYPE.conversationClosed,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount ?? 0).toBe(0);
  }
}

const regular = (category: string) => ({ billable: true, pricing_model: 'PMP', type: 'regular', category });

describe('the Spend screen (issue 19)', () => {
  it("shows an admin this month's spend by category (free ones as free), country and per resolved conversation, and lets them set the budget", async () => {
    // A real customer message: the bot answers, and Meta's receipts say the reply was a free service message.
    await h.cloud.customerSays({ channel: 'whatsapp', customerId: BOT_CUSTOMER, name: 'Bruna', text: 'oi' });
    await pricedTemplate(1, '5511988880001', regular('marketing'));
    await pricedTemplate(2, '5215512340002', regular('utility'));
    await pricedTemplate(3, '14155550003', regular('authentication'));
    // Charged per message from 2026-10-01; the shipped card has no service rates yet.
    await pricedTemplate(4, '5511988880004', regular('service'));
    await pricedTemplate(5, '5511988880005', { billable: false, pricing_model: 'PMP', type: 'free_entry_point', category: 'service' });
    await closedResolved(`wa:${ACCOUNT}:5511988880001`);
    await closedResolved(`wa:${ACCOUNT}:5215512340002`);

    const summary = await eventually(async () => {
      const { body } = await api(['supervisor'], 'GET', '/admin/spend');
      const free = Object.fromEntries((body.free ?? []).map((f: { type: string; messages: number }) => [f.type, f.messages]));
      return body.chargedMessages === 3 && free.free_customer_service >= 1 && free.free_entry_point === 1 && body.resolvedConversations === 2 && body;
    }, 'the month priced from the receipts');
    expect(summary.spentUsd).toBeCloseTo(0.0625 + 0.0085 + 0.0135, 6);
    expect(summary.unpriced).toEqual([{ category: 'service', messages: 1 }]);
    expect(summary.byCountry.map((c: { country: string }) => c.country).sort()).toEqual(['BR', 'MX', 'US']);
    expect(summary.spendPerResolvedUsd).toBeCloseTo(0.0845 / 2, 6);

    const page = await h.newPage();
    await h.signInTo(page, 'admin', '#/spend');
    await page.waitForSelector('[data-testid="spend"] [data-testid="spend-categories"]');
    await h.waitForText(page, '[data-testid="spend-total"]', /\$0\.0845/);
    await h.waitForText(page, '[data-testid="spend-categories"] tr[data-category="marketing"]', /Marketing\s*1\s*\$0\.0625/);
    await h.waitForText(page, '[data-testid="spend-categories"] tr[data-category="utility"]', /Utility\s*1\s*\$0\.0085/);
    await h.waitForText(page, '[data-testid="spend-categories"] tr[data-category="authentication"]', /Authentication\s*1\s*\$0\.0135/);
    await h.waitForText(page, '[data-testid="spend-categories"] tr[data-category="service"]', /Service\s*0\s*· no rate yet: 1/);
    await h.waitForText(page, '[data-testid="spend-categories"] tr[data-free-type="free_customer_service"]', /Free service replies\s*free\s*[1-9]\d*\s*Free/);
    await h.waitForText(page, '[data-testid="spend-categories"] tr[data-free-type="free_entry_point"]', /Free entry point.*free\s*1\s*Free/);
    await h.waitForText(page, '[data-testid="spend-countries"]', /Brazil\s*4\s*\$0\.0625[\s\S]*United States\s*1\s*\$0\.0135[\s\S]*Mexico\s*1\s*\$0\.0085/);
    await h.waitForText(page, '[data-testid="spend-per-resolved"]', /\$0\.0423/);
    await h.waitForText(page, '[data-testid="spend-budget"]', /No budget/);
    expect(await page.$('[data-testid="budget-bar"]')).toBeNull();
    await h.expectAccessible(page, 'spend-no-budget');

    // A budget the form refuses, then one it keeps: 0.0845 of 0.10 is 85%, past the 80% mark.
    await page.type('[data-testid="budget-form"] input[data-field="monthlyBudgetUsd"]', '-3');
    await page.click('[data-testid="budget-save"]');
    await h.waitForText(page, '[data-testid="budget-error"]', /amount in dollars/);
    await h.expectAccessible(page, 'spend-budget-refused');
    await page.click('[data-testid="budget-form"] input[data-field="monthlyBudgetUsd"]', { count: 3 });
    await page.type('[data-testid="budget-form"] input[data-field="monthlyBudgetUsd"]', '0.10');
    await page.click('[data-testid="budget-save"]');
    await page.waitForSelector('[data-testid="budget-bar"][data-state="warning"]');
    await h.waitForText(page, '[data-testid="budget-percent"]', /85 % of the budget/);
    await h.waitForText(page, '[data-testid="spend-saving"]', /Saving messages/);
    const marks = await page.$$eval('[data-testid^="budget-mark-"]', (els) =>
      els.map((e) => [e.getAttribute('data-testid'), (e as unknown as { style: { left: string } }).style.left]),
    );
    expect(marks).toEqual([
      ['budget-mark-80', '80%'],
      ['budget-mark-100', '100%'],
    ]);
    await h.expectAccessible(page, 'spend-with-budget');
    expect((await api(['admin'], 'GET', '/admin/spend/budget')).body.budget).toMatchObject({ monthlyBudgetUsd: 0.1, version: 1, updatedBy: 'admin' });
    await page.browserContext().close();
  });

  it('lets a supervisor read the month without the budget form', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'sofia', '#/spend');
    await page.waitForSelector('[data-testid="spend-categories"]');
    await h.waitForText(page, '[data-testid="spend-total"]', /\$0\.0845/);
    expect(await page.$('[data-testid="budget-form"]')).toBeNull();
    await page.waitForSelector('[data-testid="budget-bar"]');
    await h.expectAccessible(page, 'spend-supervisor');
    expect((await api(['supervisor'], 'PUT', '/admin/spend/budget', { body: { monthlyBudgetUsd: 5 } })).status).toBe(403);
    await page.browserContext().close();
  });

  it('shows an admin of another business nothing of this one, and an agent no Spend screen', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'otto', '#/spend');
    await page.waitForSelector('[data-testid="spend-categories"]');
    await h.waitForText(page, '[data-testid="spend-total"]', /\$0\.00/);
    await h.waitForText(page, '[data-testid="spend-budget"]', /No budget/);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(/0\.0845|0\.0625|Brazil|Mexico/);
    expect(await page.$('[data-testid="spend-countries"]')).toBeNull();
    expect((await api(['admin'], 'GET', '/admin/spend?businessId=local', { businessId: 'other-business' })).status).toBe(403);
    expect((await api(['admin'], 'PUT', '/admin/spend/budget?businessId=local', { businessId: 'other-business', body: { monthlyBudgetUsd: 1 } })).status).toBe(
      403,
    );
    await h.expectAccessible(page, 'spend-other-business');
    await page.browserContext().close();

    const agent = await h.newPage();
    await h.signInTo(agent, 'ana', '#/spend');
    await agent.waitForFunction(() => document.querySelector('header.topbar') !== null && document.querySelector('[data-testid="spend"]') === null);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await agent.$('[data-testid="spend"]')).toBeNull();
    expect(await agent.$('a[href="#/spend"]')).toBeNull();
    expect((await api(['agent'], 'GET', '/admin/spend')).status).toBe(403);
    await agent.browserContext().close();
  });

  it('threw nothing uncaught in any page', () => {
    expect(h.pageErrors.filter((e) => !/Failed to load resource|status of 4\d\d/.test(e))).toEqual([]);
  });
});
