import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_TUNING_ENV } from '#lambdas/campaigns/campaign-wiring';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID as WABA, LOCAL_WHATSAPP_PHONE_NUMBER_ID as PHONE } from '#lib/local-cloud/graph-simulator/accounts';
import { BrowserHarness } from '#test/browser/browser-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';

// The functions given to page.evaluate run in the page, whose globals this Node program lacks.
declare const document: {
  body: { innerText: string };
  querySelector(selector: string): { textContent: string | null } | null;
};
declare const location: { hash: string };

/**
 * The Campaigns screen in a real browser against one local cloud (issue 19): an admin creates a
 * campaign from an approved template (with an image header and a code to copy) for the contacts
 * tagged `vip`, previews and schedules it, watches its counts move as the release loop sends and
 * Meta's receipts come back, pauses, resumes and cancels it; a CSV list with a bad line is refused
 * with that line shown. A supervisor reads without acting; an admin of another business sees none.
 */
const h = new BrowserHarness();
// Thirty at one message a second: the campaign is still sending when the admin pauses it.
const optedIn = Array.from({ length: 30 }, (_, i) => `55119800001${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  // The release loop ticks every 2 s, so the screen sees the counts move within the test.
  await h.start({ tenants: openAllWeekLocalTenants(), extraEnvironment: { [CAMPAIGN_TUNING_ENV.tickSeconds]: '2' } });
  // The number sends one message a second: the campaign is still running when the admin pauses it.
  await h.cloud.db.send(
    new UpdateCommand({
      TableName: h.cloud.cloud.tableName,
      Key: { pk: `ACCT#${PHONE}`, sk: 'ACCOUNT' },
      UpdateExpression: 'SET throughputPerSecond = :one, qualityRating = :green, messagingLimitTier = :tier',
      ExpressionAttributeValues: { ':one': 1, ':green': 'GREEN', ':tier': 'TIER_1K' },
    }),
  );
  expect((await api(['admin'], 'POST', '/templates/sync', { body: { wabaId: WABA } })).status).toBe(200);
  const contacts = dynamoContactStore({ db: h.cloud.db, tableName: h.cloud.cloud.tableName });
  const at = new Date().toISOString();
  for (const [i, waId] of [...optedIn, '5511980000199'].entries()) {
    const { contact } = await contacts.resolve('local', [{ kind: 'whatsapp', value: waId, accountId: PHONE }], {
      name: `Cliente ${i + 1}`,
      nameSource: 'operator',
      at,
    });
    expect((await contacts.update('local', contact.contactId, undefined, { tags: { add: ['vip'] } }, at)).ok).toBe(true);
    // The last one never agreed to promotions: it is left out.
    if (i < optedIn.length)
      expect(
        (
          await contacts.recordConsent('local', contact.contactId, 'whatsapp', waId, {
            status: 'opted_in',
            scope: 'marketing',
            at,
            source: 'import',
            accountId: PHONE,
          })
        ).ok,
      ).toBe(true);
  }
}, 600_000);
afterAll(() => h.stop(), 60_000);
h.reportFailures();

const api = (roles: OperatorRole[], method: string, path: string, options: { businessId?: string; body?: unknown } = {}) =>
  h.api({ subject: 'admin', roles, ...(options.businessId ? { businessId: options.businessId } : {}) }, method, path, options.body);

const FORM = '[data-testid="campaign-form"]';
let campaignId = '';

describe('the Campaigns screen (issue 19)', () => {
  it('lets an admin create, preview, schedule, pause, resume and cancel a campaign, its counts moving', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'admin', '#/campaigns');
    await page.waitForSelector('[data-testid="campaigns-empty"]');
    await page.click('[data-testid="campaign-new"]');
    await page.waitForSelector(`${FORM} option[value="summer_offer|en_US"]`);
    // The rejected template is not offered.
    expect(await page.$(`${FORM} option[value="welcome_back|en_US"]`)).toBeNull();

    // Without a name the form says so, and nothing is created.
    await page.select(`${FORM} select[data-field="template"]`, 'summer_offer|en_US');
    await page.click('[data-testid="campaign-save"]');
    await h.waitForText(page, '[data-testid="campaign-form-error"]', /Give the campaign a name/);
    await h.expectAccessible(page, 'campaign-form-refused');

    await page.type(`${FORM} input[data-field="name"]`, 'Promo VIP');
    await page.type(`${FORM} input[data-field="headerMediaLink"]`, 'https://shop.example/summer.jpg');
    await page.type(`${FORM} input[data-field="tags"]`, 'vip');
    await page.waitForSelector('[data-testid="campaign-variables"] [data-variable="2"]');
    for (const v of ['2', 'button.0']) {
      await page.select(`[data-variable="${v}"] select`, 'text');
      await page.type(`[data-variable="${v}"] input`, 'SUMMER20');
    }
    await h.expectAccessible(page, 'campaign-form');
    await page.click('[data-testid="campaign-save"]');

    // Saved as a draft and opened.
    await page.waitForSelector('[data-testid="campaign-detail"] [data-state="draft"]');
    campaignId = await page.evaluate(() => location.hash.replace('#/campaigns/', ''));
    expect(campaignId).toMatch(/^cmp_/);
    await page.click('[data-testid="campaign-preview-button"]');
    await h.waitForText(page, '[data-testid="campaign-preview"]', /Would reach 30 customers[\s\S]*no opt-in: 1/);
    await page.click('[data-testid="campaign-schedule"]');
    await page.waitForSelector('[data-testid="campaign-detail"] [data-state="running"], [data-testid="campaign-detail"] [data-state="scheduled"]');
    await h.waitForText(page, '[data-testid="campaign-counts"] tr[data-count="targeted"]', /30/);
    // The release loop sends at the number's pace and Meta's receipts come back: the screen reads them every 10 s.
    await h.waitForText(page, '[data-testid="campaign-counts"] tr[data-count="delivered"]', /[1-9]/, 60_000);
    await h.waitForText(page, '[data-testid="campaign-list"] [data-testid="campaign-row"]', /Promo VIP/);
    await h.expectAccessible(page, 'campaign-running');

    await page.click('[data-testid="campaign-pause"]');
    await page.waitForSelector('[data-testid="campaign-detail"] [data-state="paused"]');
    await h.waitForText(page, '[data-testid="campaign-detail"] [data-testid="campaign-state"]', /Paused · by a person/);
    expect((await api(['admin'], 'GET', `/admin/campaigns/get?id=${campaignId}`)).body).toMatchObject({ state: 'paused', pauseReason: 'operator' });
    await page.click('[data-testid="campaign-resume"]');
    await page.waitForSelector('[data-testid="campaign-detail"] [data-state="running"]');
    await page.click('[data-testid="campaign-cancel"]');
    await page.waitForSelector('[data-testid="campaign-detail"] [data-state="cancelled"]');
    expect(await page.$('[data-testid="campaign-detail"] [data-testid="campaign-resume"]')).toBeNull();
    const ended = (await api(['admin'], 'GET', `/admin/campaigns/get?id=${campaignId}`)).body;
    expect(ended.state).toBe('cancelled');
    // Nothing more goes out once cancelled, and the screen's counts are the API's.
    expect(ended.counts.sent).toBeLessThan(30);
    await h.waitForText(page, '[data-testid="campaign-counts"] tr[data-count="sent"]', /^Sent\s*\d+$/);
    await page.browserContext().close();
  });

  it('refuses a CSV list with a bad line and shows which line', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'admin', '#/campaigns');
    await page.waitForSelector('[data-testid="campaign-new"]');
    await page.click('[data-testid="campaign-new"]');
    await page.waitForSelector(`${FORM} option[value="summer_offer|en_US"]`);
    await page.type(`${FORM} input[data-field="name"]`, 'Lista de noviembre');
    await page.select(`${FORM} select[data-field="template"]`, 'summer_offer|en_US');
    await page.type(`${FORM} input[data-field="headerMediaLink"]`, 'https://shop.example/summer.jpg');
    await page.click(`${FORM} input[data-field="audience-csv"]`);
    await page.waitForSelector(`${FORM} textarea[data-field="csv"]`);
    const csv = `phone,1,2,button.0\n+${optedIn[0]},Ana,SUMMER20,SUMMER20\nnot a number,Bea,SUMMER20,SUMMER20\n`;
    // Pasted whole (typing a file key by key is slow and adds nothing).
    await page.$eval(
      `${FORM} textarea[data-field="csv"]`,
      (el, text) => {
        const area = el as unknown as { value: string; dispatchEvent(e: unknown): void };
        area.value = text as string;
        area.dispatchEvent(new (globalThis as unknown as { Event: new (type: string, init: unknown) => unknown }).Event('input', { bubbles: true }));
      },
      csv,
    );
    await page.click('[data-testid="campaign-save"]');
    await page.waitForSelector('[data-testid="campaign-bad-lines"] li[data-line="3"]');
    await h.waitForText(page, '[data-testid="campaign-bad-lines"]', /Lines that cannot be sent: 1[\s\S]*Line 3/);
    await h.expectAccessible(page, 'campaign-csv-refused');
    const names = ((await api(['admin'], 'GET', '/admin/campaigns')).body.items as Array<{ name: string }>).map((c) => c.name);
    expect(names).not.toContain('Lista de noviembre');
    await page.browserContext().close();
  });

  it('lets a supervisor read the campaigns and their counts, without acting', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'sofia', `#/campaigns/${campaignId}`);
    await page.waitForSelector('[data-testid="campaign-detail"] [data-testid="campaign-counts"]');
    await h.waitForText(page, '[data-testid="campaign-list"]', /Promo VIP/);
    expect(await page.$('[data-testid="campaign-new"]')).toBeNull();
    expect(await page.$('[data-testid="campaign-cancel"]')).toBeNull();
    expect(await page.$('[data-testid="campaign-pause"]')).toBeNull();
    await h.expectAccessible(page, 'campaigns-supervisor');
    await page.browserContext().close();
  });

  it('shows an admin of another business none of them', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'otto', `#/campaigns/${campaignId}`);
    await page.waitForSelector('[data-testid="campaigns-empty"]');
    // The other business's campaign id, named in the address, is not found.
    await page.waitForSelector('[data-testid="campaign-detail-error"]');
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/Promo VIP/);
    expect((await api(['admin'], 'GET', '/admin/campaigns?businessId=local', { businessId: 'other-business' })).status).toBe(403);
    expect((await api(['admin'], 'GET', `/admin/campaigns/get?id=${campaignId}`, { businessId: 'other-business' })).status).toBe(404);
    await h.expectAccessible(page, 'campaigns-other-business');
    await page.browserContext().close();
  });

  it('threw nothing uncaught in any page', () => {
    expect(h.pageErrors.filter((e) => !/Failed to load resource|status of 4\d\d/.test(e))).toEqual([]);
  });
});
