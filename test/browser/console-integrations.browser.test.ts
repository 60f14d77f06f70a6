import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { BrowserHarness } from '#test/browser/browser-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';

// The functions given to page.evaluate run in the page, whose globals this Node program lacks.
declare const document: {
  body: { innerText: string };
  querySelector(selector: string): { textContent: string | null } | null;
};

/**
 * Integrations in the agent console's admin view, in a real browser against one local cloud
 * (issue 18): an admin adds a webhook integration pointing at the local CRM simulator's webhook
 * receiver, is shown its signing secret once, runs a test call (which the receiver accepts only
 * signed with that secret), sees the result and the test among the last deliveries, and deletes
 * it after a confirmation. An agent is shown no admin view and so no integrations.
 */
const h = new BrowserHarness();
const NAME = 'Pedidos backend';

beforeAll(() => h.start({ tenants: openAllWeekLocalTenants() }), 600_000);
afterAll(() => h.stop(), 60_000);
h.reportFailures();

async function api(roles: OperatorRole[], method: string, path: string): Promise<{ status: number; body: any }> {
  const token = await h.cloud.operatorToken({ businessId: 'local', subject: 'admin', roles });
  const res = await fetch(`${h.cloud.cloud.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

describe('integrations in the agent console (issue 18)', () => {
  it('lets an admin add a webhook, keep its secret, test it, read its deliveries and delete it', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'admin', '#/admin/integrations');
    await page.waitForSelector('[data-testid="integrations"]');
    await page.click('[data-testid="integration-add"]');
    const form = '[data-testid="integration-form"]';
    await page.waitForSelector(form);
    await page.type(`${form} input[data-field="name"]`, NAME);

    // A URL the API refuses: its message is shown beside the form, and nothing is stored.
    await page.type(`${form} input[data-field="baseUrl"]`, 'http://10.0.0.8/hook');
    await page.type(`${form} input[data-field="apiKey"]`, 'key-e2e-1');
    await page.click(`${form} input[data-event="message.received"]`);
    await page.click(`${form} input[data-event="conversation.closed"]`);
    await page.click('[data-testid="integration-save"]');
    await h.waitForText(page, '[data-testid="integration-save-error"]', /baseUrl/);
    await h.expectAccessible(page, 'admin-integration-form-refused');
    expect((await api(['admin'], 'GET', '/admin/integrations')).body.items).toEqual([]);

    await page.click(`${form} input[data-field="baseUrl"]`, { count: 3 });
    await page.type(`${form} input[data-field="baseUrl"]`, h.cloud.crm.webhookUrl('/e2e'));
    await page.click('[data-testid="integration-save"]');

    // The signing secret, once, with its warning; the receiver is told it and refuses anything else.
    await page.waitForSelector('[data-testid="signing-secret"]');
    await h.waitForText(page, '[data-testid="signing-secret"]', /will not be shown again/);
    const secret = await page.$eval('[data-testid="signing-secret-value"]', (el) => el.textContent ?? '');
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await h.cloud.crm.setWebhookSecret(secret, '/e2e');
    await page.waitForSelector('[data-testid="integration-row"]');
    await h.waitForText(
      page,
      '[data-testid="integration-row"]',
      new RegExp(`${NAME}[\\s\\S]*Webhook[\\s\\S]*/webhook/e2e[\\s\\S]*message\\.received, conversation\\.closed`),
    );
    await h.waitForText(page, '[data-testid="integration-provisioning"]', /Ready/);
    await h.expectAccessible(page, 'admin-integration-created');

    const stored = (await api(['admin'], 'GET', '/admin/integrations')).body.items;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      kind: 'webhook',
      name: NAME,
      baseUrl: h.cloud.crm.webhookUrl('/e2e'),
      authType: 'api_key',
      events: ['message.received', 'conversation.closed'],
      enabled: true,
    });
    expect(JSON.stringify(stored[0])).not.toContain('key-e2e-1');
    expect(JSON.stringify(stored[0])).not.toContain(secret);

    // Dismissed, the secret is gone from the page, and reopening the section does not bring it back.
    await page.click('[data-testid="signing-secret-done"]');
    expect(await page.$('[data-testid="signing-secret"]')).toBeNull();
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="integration-row"]');
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(secret);

    // The form on a saved integration shows no credential and keeps them unless replaced.
    await page.click('[data-testid="integration-edit"]');
    await page.waitForSelector(`${form} input[data-field="replaceAuth"]`);
    expect(await page.$(`${form} input[data-field="apiKey"]`)).toBeNull();
    await page.click(`${form} input[data-field="replaceAuth"]`);
    expect(await page.$eval(`${form} input[data-field="apiKey"]`, (el) => (el as unknown as { value: string }).value)).toBe('');
    await page.click(`${form} input[data-field="replaceAuth"]`);
    await page.click(`${form} input[data-event="contact.updated"]`);
    await page.click('[data-testid="integration-save"]');
    await h.waitForText(page, '[data-testid="integration-row"]', /message\.received, conversation\.closed, contact\.updated/);
    const edited = (await api(['admin'], 'GET', '/admin/integrations')).body.items[0];
    expect(edited).toMatchObject({ authType: 'api_key', events: ['message.received', 'conversation.closed', 'contact.updated'] });
    expect(edited.version).toBeGreaterThan(stored[0].version);

    // The test call: signed with the secret shown, accepted by the receiver, recorded as test_ok.
    await page.click('[data-testid="integration-open"]');
    await page.waitForSelector('[data-testid="integration-detail"]');
    await page.click('[data-testid="integration-test"]');
    await page.waitForSelector('[data-testid="integration-test-result"] [data-status="test_ok"]', { timeout: 20_000 });
    await h.waitForText(page, '[data-testid="integration-test-result"]', /Test passed[\s\S]*test_ok[\s\S]*HTTP 200/);
    const received = (await h.cloud.crm.webhooks()).filter((w) => w.path === '/e2e');
    expect(received.map((w) => [w.signature, w.status])).toEqual([['valid', 200]]);
    expect(received[0]!.body).toMatchObject({ type: 'integration.test' });

    // …and listed among the last deliveries.
    await page.waitForSelector('[data-testid="integration-deliveries"] [data-testid="delivery-row"] [data-status="test_ok"]');
    await h.waitForText(page, '[data-testid="integration-deliveries"]', /integration\.test[\s\S]*test_ok[\s\S]*HTTP 200/);
    await h.expectAccessible(page, 'admin-integration-tested');

    // Deleted after a confirmation.
    await page.click('[data-testid="integration-delete"]');
    await page.waitForSelector('[data-testid="integration-delete-confirm"]');
    await h.waitForText(page, '[data-testid="integration-delete-confirm"]', new RegExp(`Delete the integration ${NAME}\\?`));
    await h.expectAccessible(page, 'admin-integration-delete-confirm');
    await page.click('[data-testid="integration-delete-submit"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="integration-row"]') === null);
    await h.waitForText(page, '[data-testid="integrations"]', /No integrations yet/);
    expect((await api(['admin'], 'GET', '/admin/integrations')).body.items).toEqual([]);
    await page.browserContext().close();
  });

  it('shows an agent no integrations section', async () => {
    const page = await h.newPage();
    await h.signInTo(page, 'ana', '#/admin/integrations');
    // The admin view is not the agent's: the console opens the agent's own view instead.
    await page.waitForFunction(() => document.querySelector('[data-testid="integrations"]') === null && document.querySelector('header.topbar') !== null);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await page.$('[data-testid="integrations"]')).toBeNull();
    expect(await page.$('a[href="#/admin/integrations"]')).toBeNull();
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/Integrations|Integraciones|Integrações/);
    expect((await api(['agent'], 'GET', '/admin/integrations')).status).toBe(403);
    await page.browserContext().close();
  });

  it('threw nothing uncaught in any page', () => {
    expect(h.pageErrors.filter((e) => !/Failed to load resource|status of 4\d\d/.test(e))).toEqual([]);
  });
});
