import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { LOCAL_INSTAGRAM_ACCOUNT_ID, LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { BrowserHarness, PHONE } from '#test/browser/browser-harness';
import { eventually } from '#test/e2e/local-cloud-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';

// The functions given to page.evaluate run in the page, whose globals this Node program lacks.
declare const document: {
  body: { innerText: string };
  querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null;
};

/**
 * Contacts in the agent console, in a real browser against one local cloud (issue 18): an admin
 * defines the contacts' custom attributes; an agent sees the customer's contact beside the
 * conversation (identities per channel, consent with its evidence, tags, attributes, first touch,
 * CRM ids), tags it, edits an attribute, records a consent given on the phone, links the customer's
 * other number, is told it belongs to another contact, merges the two after a confirmation that
 * shows both, and undoes the merge. Each screen is photographed and checked with axe-core.
 */
const h = new BrowserHarness();
const CUSTOMER = '5215550018001';
const KEY = `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:${CUSTOMER}`;
const INSTAGRAM_CUSTOMER = '17841499990018';
/** The Instagram contact's number, as the Mexican mobile it is (`+52 1 …` on WhatsApp, `+52 …` dialled). */
const OTHER_PHONE = '+525550018999';

let customerContact = '';
let instagramContact = '';

beforeAll(() => h.start({ tenants: openAllWeekLocalTenants() }), 600_000);
afterAll(() => h.stop(), 60_000);
const openPage = (): Promise<Page> => h.newPage();
h.reportFailures();

const api = (who: { subject: string; roles: OperatorRole[]; businessId?: string }, method: string, path: string, body?: unknown) =>
  h.api(who, method, path, body);
const ADMIN = { subject: 'admin', roles: ['admin'] as OperatorRole[] };
const ANA = { subject: 'ana', roles: ['agent'] as OperatorRole[] };

describe('contacts in the agent console (issue 18)', () => {
  it('lets an admin define the attributes agents see and edit', async () => {
    const page = await openPage();
    await h.signInTo(page, 'admin', '#/admin/contacts');
    await page.waitForSelector('[data-testid="contact-schema"]');
    await page.click('[data-testid="schema-add"]');
    const row = '[data-testid="schema-row"]:last-of-type';
    await page.type(`${row} input[data-field="key"]`, 'Plan');
    // A key with capitals is pointed at before saving, and saving waits until it is fixed.
    await page.waitForSelector(`${row}[aria-invalid="true"]`);
    expect(await page.$eval('[data-testid="schema-save"]', (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(true);
    await page.click(`${row} input[data-field="key"]`, { count: 3 });
    await page.type(`${row} input[data-field="key"]`, 'plan');
    await page.type(`${row} input[data-field="label"]`, 'Plan');
    await page.select(`${row} select[data-field="type"]`, 'enum');
    await page.type(`${row} input[data-field="options"]`, 'basic, gold');
    await page.click(`${row} input[data-field="editable"]`);
    await page.click('[data-testid="schema-add"]');
    await page.type('[data-testid="schema-row"]:last-of-type input[data-field="key"]', 'credit_limit');
    await page.type('[data-testid="schema-row"]:last-of-type input[data-field="label"]', 'Credit limit');
    await page.select('[data-testid="schema-row"]:last-of-type select[data-field="type"]', 'number');
    await h.expectAccessible(page, 'admin-contact-schema');
    await page.click('[data-testid="schema-save"]');
    const schema = await eventually(
      async () => {
        const read = await api(ADMIN, 'GET', '/admin/contacts/schema');
        return read.body.version === 1 ? read.body : undefined;
      },
      'the schema saved',
      15_000,
    );
    expect(schema.attributes).toEqual([
      { key: 'plan', label: 'Plan', type: 'enum', options: ['basic', 'gold'], visibleToAgents: true, editableByAgents: true },
      { key: 'credit_limit', label: 'Credit limit', type: 'number', visibleToAgents: true, editableByAgents: false },
    ]);
    await h.waitForText(page, '[data-testid="contact-schema"]', /Version 1/);
    await page.browserContext().close();
  });

  it("shows an agent the customer's contact beside the conversation, and lets them tag, edit, record consent, merge and undo", async () => {
    await h.cloud.customerSays({ channel: 'whatsapp', customerId: CUSTOMER, name: 'Renata Ortiz', text: 'hola, quiero saber de mi pedido' });
    await eventually(async () => (await h.cloud.item(`CONV#${KEY}`, 'CONV')) ?? undefined, 'the conversation stored', 60_000);
    // The contacts the pipeline keeps: the customer's (made here if the contacts consumer has not yet), and an
    // Instagram contact of the same person with her other number.
    const contacts = dynamoContactStore({ db: h.cloud.db, tableName: h.cloud.cloud.tableName });
    const at = new Date().toISOString();
    customerContact = (
      await contacts.resolve('local', [{ kind: 'whatsapp', value: CUSTOMER, accountId: LOCAL_WHATSAPP_PHONE_NUMBER_ID }], { name: 'Renata Ortiz', at })
    ).contact.contactId;
    const touched = await contacts.update(
      'local',
      customerContact,
      undefined,
      {
        crmIds: { hubspot: '51001' },
        firstTouch: {
          channel: 'whatsapp',
          accountId: LOCAL_WHATSAPP_PHONE_NUMBER_ID,
          conversationKey: KEY,
          at,
          source: 'ad',
          adId: '120210000000001',
          headline: 'Envío gratis en marzo',
          ctwaClid: 'ARAkLk3',
        },
      },
      at,
    );
    expect(touched.ok).toBe(true);
    instagramContact = (
      await contacts.resolve(
        'local',
        [
          { kind: 'instagram', value: INSTAGRAM_CUSTOMER, accountId: LOCAL_INSTAGRAM_ACCOUNT_ID },
          { kind: 'phone', value: OTHER_PHONE, accountId: LOCAL_INSTAGRAM_ACCOUNT_ID },
        ],
        { name: 'Renata IG', at },
      )
    ).contact.contactId;

    const page = await openPage();
    await h.signInTo(page, 'ana', `#/agent/c/${encodeURIComponent(KEY)}`);
    await page.waitForSelector('[data-testid="customer-name"]');
    await page.waitForSelector('[data-testid="contact-panel"][open] [data-testid="contact"]', { timeout: 30_000 });
    expect(await page.$eval('[data-testid="contact"]', (el) => el.getAttribute('data-contact-id'))).toBe(customerContact);
    await h.waitForText(page, '[data-testid="contact-name"]', /Renata Ortiz/);
    await h.waitForText(page, '[data-testid="contact-identities"]', new RegExp(`WhatsApp[\\s\\S]*${CUSTOMER}`));
    await h.waitForText(page, '[data-testid="contact-first-touch"]', /Envío gratis en marzo[\s\S]*120210000000001/);
    await h.waitForText(page, '[data-testid="contact-crm"]', /HubSpot[\s\S]*51001/);
    await h.waitForText(page, '[data-testid="contact-consent"]', /No decision/);
    await h.expectAccessible(page, 'agent-contact-panel');

    // A tag, typed and added.
    await page.type('[data-testid="contact-tag-input"]', 'Cliente-Frecuente');
    await page.keyboard.press('Enter');
    await h.waitForText(page, '[data-testid="contact-tags"]', /#cliente-frecuente/);
    expect((await api(ANA, 'GET', `/agent/contacts/${customerContact}`)).body.tags).toEqual(['cliente-frecuente']);

    // An attribute the admin let agents edit; the other is shown but not offered.
    await page.click('[data-testid="contact-attributes-edit"]');
    await page.waitForSelector('select[data-attribute="plan"]');
    expect(await page.$('input[data-attribute="credit_limit"]')).toBeNull();
    await page.select('select[data-attribute="plan"]', 'gold');
    await h.expectAccessible(page, 'agent-contact-attributes');
    await page.click('[data-testid="attributes-save"]');
    await h.waitForText(page, '[data-testid="contact-attributes"]', /Plan\s*gold/);

    // A consent the customer gave on the phone, with its evidence and who recorded it.
    await page.click('[data-testid="contact-consent-record"]');
    await page.waitForSelector('[data-testid="consent-evidence"]');
    await page.click('[data-testid="consent-opted_in"]');
    await page.type('[data-testid="consent-evidence"]', 'Aceptó promociones por teléfono el 2 de marzo');
    await page.click('form:has([data-testid="consent-evidence"]) button[type="submit"]');
    await page.waitForSelector('[data-testid="contact-consent"] [data-channel="whatsapp"][data-status="opted_in"]');
    await h.waitForText(page, '[data-testid="contact-consent"]', /Opted in[\s\S]*operator[\s\S]*ana[\s\S]*Aceptó promociones por teléfono/);
    const projection = await h.cloud.item(`ACCT#${LOCAL_WHATSAPP_PHONE_NUMBER_ID}`, `CONSENT#${CUSTOMER}`);
    expect(typeof projection?.marketingOptInAt).toBe('string');

    // Her other number belongs to the Instagram contact: linking it is refused with a way to merge instead.
    await page.click('[data-testid="contact-link"]');
    await page.waitForSelector('[data-testid="link-kind"]');
    await page.select('[data-testid="link-kind"]', 'phone');
    await page.type('[data-testid="link-value"]', '+52 1 55 5001 8999');
    await page.click('form:has([data-testid="link-value"]) button[type="submit"]');
    await page.waitForSelector('[data-testid="link-merge-instead"]');
    await page.click('[data-testid="link-merge-instead"]');
    await page.waitForSelector('[data-testid="merge-confirm"]');
    await h.waitForText(
      page,
      '[data-testid="merge-confirm"]',
      /Merge Renata IG into Renata Ortiz\?[\s\S]*Stays[\s\S]*Renata Ortiz[\s\S]*Merged into it[\s\S]*Renata IG[\s\S]*17841499990018/,
    );
    await h.expectAccessible(page, 'agent-contact-merge-confirm');
    await page.click('[data-testid="merge-submit"]');
    await h.waitForText(page, '[data-testid="contact-identities"]', new RegExp(`Instagram[\\s\\S]*${INSTAGRAM_CUSTOMER}`));
    await h.waitForText(page, '[data-testid="contact-merges"]', /Renata IG merged in[\s\S]*by ana/);
    expect((await api(ANA, 'GET', `/agent/contacts/${instagramContact}`)).body).toMatchObject({ contactId: customerContact, redirectedFrom: instagramContact });
    await h.expectAccessible(page, 'agent-contact-merged');

    // Undone from the merge list: she is two contacts again.
    await page.click('[data-testid="contact-unmerge"]');
    await page.waitForSelector('[data-testid="unmerge-confirm"]');
    await page.click('[data-testid="unmerge-confirm"]');
    await h.waitForText(page, '[data-testid="contact-merges"]', /undone on/);
    expect(await page.$eval('[data-testid="contact-identities"]', (el) => el.textContent ?? '')).not.toContain(INSTAGRAM_CUSTOMER);
    expect((await api(ANA, 'GET', `/agent/contacts/${instagramContact}`)).body).toMatchObject({ contactId: instagramContact, name: 'Renata IG' });

    // Merged again, this time found by name in the merge dialog's search.
    await page.click('[data-testid="contact-merge"]');
    await page.type('[data-testid="merge-search"]', 'renata i');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-testid="merge-results"] button[data-contact-id="${instagramContact}"]`);
    await page.click(`[data-testid="merge-results"] button[data-contact-id="${instagramContact}"]`);
    await page.waitForSelector('[data-testid="merge-submit"]');
    await page.click('[data-testid="merge-submit"]');
    await h.waitForText(page, '[data-testid="contact-identities"]', new RegExp(INSTAGRAM_CUSTOMER));
    const events = await eventually(
      async () => {
        const trail = await api(ADMIN, 'GET', '/admin/audit?limit=100');
        const routes = (trail.body.actions as Array<{ route: string; actor: string; target?: string }>).filter(
          (a) => a.actor === 'ana' && a.route.includes('/agent/contacts/{contactId}/'),
        );
        return routes.length >= 6 ? routes : undefined;
      },
      "the agent's contact changes in the audit trail",
      15_000,
    );
    expect(events.map((e) => e.route)).toEqual(
      expect.arrayContaining([
        'PUT /agent/contacts/{contactId}/tags',
        'PATCH /agent/contacts/{contactId}/attributes',
        'POST /agent/contacts/{contactId}/consent',
        'POST /agent/contacts/{contactId}/merge',
        'POST /agent/contacts/{contactId}/unmerge',
      ]),
    );

    // On a phone the panel sits below the conversation, open once asked for.
    await page.setViewport(PHONE);
    await page.evaluate(() => (globalThis as unknown as { localStorage: { removeItem(k: string): void } }).localStorage.removeItem('console.contactPanel'));
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="contact-panel"]:not([open])');
    await page.click('[data-testid="contact-panel"] > summary');
    await page.waitForSelector('[data-testid="contact-panel"][open] [data-testid="contact-name"]');
    await page.evaluate(() => (document.querySelector('[data-testid="contact-panel"]') as unknown as { scrollIntoView(): void }).scrollIntoView());
    await h.expectAccessible(page, 'agent-contact-panel-phone');
    await page.browserContext().close();
  });

  it('shows a person of another business none of the contact', async () => {
    const page = await openPage();
    await h.signInTo(page, 'otto', `#/agent/c/${encodeURIComponent(KEY)}`);
    await page.waitForSelector('.detail-pane [role="alert"]');
    await new Promise((r) => setTimeout(r, 1000));
    const text = await page.evaluate(() => document.body.innerText);
    for (const secret of ['Renata', CUSTOMER, INSTAGRAM_CUSTOMER, 'cliente-frecuente']) expect(text).not.toContain(secret);
    expect(await page.$('[data-testid="contact"]')).toBeNull();
    await page.browserContext().close();
  });

  it('threw nothing uncaught in any page', () => {
    expect(h.pageErrors.filter((e) => !/Failed to load resource|status of 4\d\d/.test(e))).toEqual([]);
  });
});
