import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contactPath } from '#lambdas/contacts/api/contacts-api-contract';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { mayDo, type OperatorAction } from '#lambdas/identity/operator-permissions';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { whatsappProgressKey } from '#lambdas/onboarding/onboarding-progress';
import type { LocalTenant } from '#lib/local-cloud/local-tenants';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';

/**
 * The operator APIs played as an attacker would: every route × role × own/other business, through
 * the local cloud's JWT authoriser and the real functions. Another business's targets are answered
 * as not found, a role that may not act gets 403, and a refused request sends, writes and shows nothing.
 */
const ACME: LocalTenant = {
  businessId: 'acme',
  accessToken: 'TOKEN-ACME',
  whatsapp: [{ wabaId: '200000000000301', numbers: [{ phoneNumberId: '100000000000301', displayPhoneNumber: '15550000301' }] }],
  instagramAccountIds: ['17841400000000301'],
  botSettings: 'demo',
};
const GLOBEX: LocalTenant = {
  businessId: 'globex',
  accessToken: 'TOKEN-GLOBEX',
  whatsapp: [{ wabaId: '200000000000401', numbers: [{ phoneNumberId: '100000000000401', displayPhoneNumber: '15550000401' }] }],
  botSettings: 'demo',
};
/** Onboarded, but nobody wrote its bot settings yet. */
const INITECH: LocalTenant = {
  businessId: 'initech',
  accessToken: 'TOKEN-INITECH',
  whatsapp: [{ wabaId: '200000000000501', numbers: [{ phoneNumberId: '100000000000501', displayPhoneNumber: '15550000501' }] }],
};

const ACME_NUMBER = '100000000000301';
const ACME_WABA = '200000000000301';
const ACME_CUSTOMER = '5511987650301';
const ACME_KEY = `wa:${ACME_NUMBER}:${ACME_CUSTOMER}`;
const CUSTOMER_NAME = 'Lucía Privada';
const SECRET_TEXT = 'mi dirección es Calle Falsa 123, humano por favor';
/** Acme's webhook integrations (stored directly: nothing is provisioned for them); the second one is there to be deleted. */
const ACME_INTEGRATION = 'iacme0000001';
const ACME_DISPOSABLE_INTEGRATION = 'iacme0000002';
/** Acme's contact for the customer, and another of its contacts (a merge candidate); set before the cases run. */
let ACME_CONTACT = '';
let ACME_OTHER_CONTACT = '';

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);

beforeAll(async () => {
  await harness.start({ tenants: [ACME, GLOBEX, INITECH] });
  await customerWrites(ACME_NUMBER, ACME_CUSTOMER, SECRET_TEXT);
  await eventually(async () => (await harness.item(`CONV#${ACME_KEY}`, 'CONV'))?.state === 'human', 'the acme customer handed to a person', 90_000);
  // An onboarding of acme's number in progress, for the progress route.
  await harness.db.send(
    new PutCommand({
      TableName: harness.cloud.tableName,
      Item: {
        ...whatsappProgressKey(ACME_WABA, ACME_NUMBER),
        entity: 'OnboardingProgress',
        channel: 'whatsapp',
        businessId: 'acme',
        ownerId: ACME_WABA,
        accountId: ACME_NUMBER,
        steps: {},
        startedAt: '2026-12-01T00:00:00.000Z',
        updatedAt: '2026-12-01T00:00:00.000Z',
        version: 1,
      },
    }),
  );
  // Acme's contacts: the customer's (the one the contacts consumer made, or made here first) and one more.
  const contacts = dynamoContactStore({ db: harness.db, tableName: harness.cloud.tableName });
  const at = new Date().toISOString();
  ACME_CONTACT = (await contacts.resolve('acme', [{ kind: 'whatsapp', value: ACME_CUSTOMER, accountId: ACME_NUMBER }], { name: CUSTOMER_NAME, at })).contact
    .contactId;
  ACME_OTHER_CONTACT = (
    await contacts.resolve('acme', [{ kind: 'instagram', value: '17841400000999', accountId: '17841400000301' }], { name: 'Otra Persona', at })
  ).contact.contactId;
  // Acme's integrations, with their credentials secret; the test call goes to a closed local port (test_failed).
  for (const integrationId of [ACME_INTEGRATION, ACME_DISPOSABLE_INTEGRATION]) {
    const secretName = `Omnichannel-local/integrations/acme/${integrationId}`;
    harness.cloud.aws.secrets.putSecret(secretName, { signingSecret: '0'.repeat(64), auth: { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'acme-key' } });
    await harness.db.send(
      new PutCommand({
        TableName: harness.cloud.tableName,
        Item: {
          pk: 'INTEG#acme',
          sk: `CONF#${integrationId}`,
          entity: 'Integration',
          businessId: 'acme',
          integrationId,
          kind: 'webhook',
          name: 'Acme backend',
          baseUrl: 'http://127.0.0.1:9/hooks',
          authType: 'api_key',
          events: ['conversation.closed'],
          rateLimitPerSecond: 10,
          lookup: false,
          enabled: false,
          resources: { signingSecretId: secretName },
          createdAt: '2026-12-01T00:00:00.000Z',
          updatedAt: '2026-12-01T00:00:00.000Z',
          version: 1,
        },
      }),
    );
  }
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function customerWrites(accountId: string, customerId: string, text: string, channel: 'whatsapp' | 'instagram' = 'whatsapp'): Promise<void> {
  const res = await fetch(`${harness.cloud.graphUrl}/_sim/customer/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel, accountId, customerId, name: CUSTOMER_NAME, text }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function api(token: string, method: string, path: string, opts: { query?: Record<string, string>; body?: unknown } = {}) {
  const url = new URL(path, harness.cloud.apiUrl);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, text };
}

const tokenOf = (businessId: string, role: OperatorRole) => harness.operatorToken({ businessId, subject: `${role}@${businessId}`, roles: [role] });

interface RouteCase {
  name: string;
  action: OperatorAction;
  method: string;
  path: string;
  /** The request naming acme's target (the business acting may be acme or another). */
  request: () => { query?: Record<string, string>; body?: unknown; params?: Record<string, string> };
  /** Onboarding names the business to act for: another business is refused with 403, not 404. */
  namesBusiness?: boolean;
}

const ROUTES: RouteCase[] = [
  {
    name: 'list conversations',
    action: 'conversations.read',
    method: 'GET',
    path: '/agent/conversations',
    request: () => ({ query: { accountId: ACME_NUMBER } }),
  },
  { name: 'read a conversation', action: 'conversations.read', method: 'GET', path: '/agent/conversation', request: () => ({ query: { key: ACME_KEY } }) },
  {
    name: 'reply',
    action: 'conversations.act',
    method: 'POST',
    path: '/agent/conversation/reply',
    request: () => ({ body: { conversationKey: ACME_KEY, text: 'Hola desde el equipo', requestId: crypto.randomUUID() } }),
  },
  {
    name: 'hand back',
    action: 'conversations.act',
    method: 'POST',
    path: '/agent/conversation/hand-back',
    request: () => ({ body: { conversationKey: ACME_KEY } }),
  },
  { name: 'close', action: 'conversations.act', method: 'POST', path: '/agent/conversation/close', request: () => ({ body: { conversationKey: ACME_KEY } }) },
  { name: 'list templates', action: 'templates.read', method: 'GET', path: '/templates', request: () => ({ query: { wabaId: ACME_WABA } }) },
  { name: 'sync templates', action: 'templates.sync', method: 'POST', path: '/templates/sync', request: () => ({ body: { wabaId: ACME_WABA } }) },
  {
    name: 'send a template',
    action: 'templates.send',
    method: 'POST',
    path: '/templates/send',
    request: () => ({ body: { accountId: ACME_NUMBER, customerId: ACME_CUSTOMER, name: 'no_such_template', language: 'es', requestId: crypto.randomUUID() } }),
  },
  {
    name: 'onboarding progress',
    action: 'onboarding.read',
    method: 'GET',
    path: '/onboarding/progress',
    request: () => ({ query: { wabaId: ACME_WABA, phoneNumberId: ACME_NUMBER } }),
  },
  {
    name: 'onboard a number',
    action: 'onboarding.run',
    method: 'POST',
    path: '/onboarding/whatsapp',
    namesBusiness: true,
    request: () => ({ body: { businessId: 'acme', wabaId: ACME_WABA, phoneNumberId: ACME_NUMBER } }),
  },
  { name: 'read bot settings', action: 'settings.read', method: 'GET', path: '/admin/bot-settings', request: () => ({ query: { businessId: 'acme' } }) },
  {
    name: 'bot settings versions',
    action: 'settings.read',
    method: 'GET',
    path: '/admin/bot-settings/versions',
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: 'write bot settings',
    action: 'settings.write',
    method: 'PUT',
    path: '/admin/bot-settings',
    request: () => ({ body: { businessId: 'acme', settings: { name: 'not valid settings' } } }),
  },
  { name: 'audit trail', action: 'audit.read', method: 'GET', path: '/admin/audit', request: () => ({ query: { businessId: 'acme' } }) },
  // The contact centre: conversation actions name acme's conversation; lists and settings name the business.
  {
    name: 'add a note',
    action: 'conversations.act',
    method: 'POST',
    path: '/agent/conversation/note',
    request: () => ({ body: { conversationKey: ACME_KEY, text: 'nota interna' } }),
  },
  {
    name: 'tag',
    action: 'conversations.act',
    method: 'POST',
    path: '/agent/conversation/tags',
    request: () => ({ body: { conversationKey: ACME_KEY, add: ['revisar'] } }),
  },
  {
    name: 'templates for a conversation',
    action: 'conversations.read',
    method: 'GET',
    path: '/agent/conversation/templates',
    request: () => ({ query: { key: ACME_KEY } }),
  },
  {
    name: 'send a template in a conversation',
    action: 'conversations.act',
    method: 'POST',
    path: '/agent/conversation/template',
    request: () => ({ body: { conversationKey: ACME_KEY, templateName: 'no_such_template', language: 'es', parameters: [], requestId: crypto.randomUUID() } }),
  },
  {
    name: 'media link',
    action: 'conversations.read',
    method: 'GET',
    path: '/agent/media',
    request: () => ({ query: { key: ACME_KEY, messageId: 'wamid.none' } }),
  },
  { name: 'accept an offer', action: 'workspace.use', method: 'POST', path: '/agent/offer/accept', request: () => ({ body: { conversationKey: ACME_KEY } }) },
  { name: 'decline an offer', action: 'workspace.use', method: 'POST', path: '/agent/offer/decline', request: () => ({ body: { conversationKey: ACME_KEY } }) },
  {
    name: 'transfer',
    action: 'workspace.use',
    method: 'POST',
    path: '/agent/conversation/transfer',
    request: () => ({ body: { conversationKey: ACME_KEY, toQueueId: 'general' } }),
  },
  {
    name: 'reassign',
    action: 'conversations.reassign',
    method: 'POST',
    path: '/supervisor/reassign',
    request: () => ({ body: { conversationKey: ACME_KEY, toQueueId: 'no-such-queue' } }),
  },
  {
    name: 'list routing agents',
    action: 'routing.read',
    method: 'GET',
    path: '/admin/routing/agents',
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: 'list routing queues',
    action: 'routing.read',
    method: 'GET',
    path: '/admin/routing/queues',
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: 'save a macro',
    action: 'routing.write',
    method: 'PUT',
    path: '/admin/routing/macros',
    namesBusiness: true,
    request: () => ({ body: { businessId: 'acme', macroId: `m-${crypto.randomUUID().slice(0, 8)}`, name: 'Hola', texts: { es: 'Hola {first_name}' } } }),
  },
  {
    name: 'list channel accounts',
    action: 'settings.read',
    method: 'GET',
    path: '/admin/accounts',
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  // Contacts: a contact id does not name its business, so every route but the conversation's names acme (platform must).
  {
    name: 'search contacts',
    action: 'contacts.read',
    method: 'GET',
    path: '/agent/contacts',
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme', q: 'Lucía' } }),
  },
  {
    name: 'read a contact',
    action: 'contacts.read',
    method: 'GET',
    path: '/agent/contacts/{contactId}',
    namesBusiness: true,
    request: () => ({ params: { contactId: ACME_CONTACT }, query: { businessId: 'acme' } }),
  },
  {
    name: "a conversation's contact",
    action: 'contacts.read',
    method: 'GET',
    path: '/agent/conversations/{key}/contact',
    request: () => ({ params: { key: ACME_KEY } }),
  },
  {
    name: 'rename a contact',
    action: 'contacts.write',
    method: 'PATCH',
    path: '/agent/contacts/{contactId}',
    namesBusiness: true,
    request: () => ({ params: { contactId: ACME_CONTACT }, body: { businessId: 'acme', name: CUSTOMER_NAME } }),
  },
  {
    name: 'tag a contact',
    action: 'contacts.write',
    method: 'PUT',
    path: '/agent/contacts/{contactId}/tags',
    namesBusiness: true,
    request: () => ({ params: { contactId: ACME_CONTACT }, body: { businessId: 'acme', add: ['revisar'] } }),
  },
  {
    name: "edit a contact's attributes",
    action: 'contacts.write',
    method: 'PATCH',
    path: '/agent/contacts/{contactId}/attributes',
    namesBusiness: true,
    request: () => ({ params: { contactId: ACME_CONTACT }, body: { businessId: 'acme', attributes: { not_defined: 'x' } } }),
  },
  {
    name: 'merge contacts',
    action: 'contacts.write',
    method: 'POST',
    path: '/agent/contacts/{contactId}/merge',
    namesBusiness: true,
    // At a version the contact never had: allowed callers get as far as the conflict, and nothing merges.
    request: () => ({ params: { contactId: ACME_CONTACT }, body: { businessId: 'acme', otherContactId: ACME_OTHER_CONTACT, expectedVersion: 0 } }),
  },
  {
    name: 'undo a merge',
    action: 'contacts.write',
    method: 'POST',
    path: '/agent/contacts/{contactId}/unmerge',
    namesBusiness: true,
    request: () => ({ params: { contactId: ACME_CONTACT }, body: { businessId: 'acme', mergeId: 'm_01HZZZZZZZZZZZZZZZZZZZZZZZ' } }),
  },
  {
    name: 'link an identity',
    action: 'contacts.write',
    method: 'POST',
    path: '/agent/contacts/{contactId}/identities',
    namesBusiness: true,
    request: () => ({ params: { contactId: ACME_CONTACT }, body: { businessId: 'acme', kind: 'whatsapp', value: ACME_CUSTOMER } }),
  },
  {
    name: 'record consent',
    action: 'contacts.write',
    method: 'POST',
    path: '/agent/contacts/{contactId}/consent',
    namesBusiness: true,
    // No Instagram identity: allowed callers are told so, and nothing is recorded.
    request: () => ({
      params: { contactId: ACME_CONTACT },
      body: { businessId: 'acme', channel: 'instagram', status: 'opted_in', evidenceText: 'dijo que sí' },
    }),
  },
  {
    name: 'read the contact schema',
    action: 'contacts.read',
    method: 'GET',
    path: '/admin/contacts/schema',
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: 'save the contact schema',
    action: 'contacts.admin',
    method: 'PUT',
    path: '/admin/contacts/schema',
    namesBusiness: true,
    request: () => ({ body: { businessId: 'acme', attributes: [], expectedVersion: 999 } }),
  },
  // Integrations: an integration id does not name its business, so every route names acme (platform must).
  {
    name: 'list integrations',
    action: 'integrations.read',
    method: 'GET',
    path: '/admin/integrations',
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: 'create an integration',
    action: 'integrations.write',
    method: 'POST',
    path: '/admin/integrations',
    namesBusiness: true,
    // No events: refused as invalid once allowed, so nothing is provisioned.
    request: () => ({
      query: { businessId: 'acme' },
      body: { kind: 'webhook', name: 'Intruder', baseUrl: 'https://hooks.example/x', auth: { type: 'api_key', headerName: 'X-Key', apiKey: 'k' }, events: [] },
    }),
  },
  {
    name: 'read an integration',
    action: 'integrations.read',
    method: 'GET',
    path: `/admin/integrations/${ACME_INTEGRATION}`,
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: 'change an integration',
    action: 'integrations.write',
    method: 'PUT',
    path: `/admin/integrations/${ACME_INTEGRATION}`,
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' }, body: { name: 'Renamed', baseUrl: 'https://hooks.example/x', events: [], expectedVersion: 1 } }),
  },
  {
    name: 'test an integration',
    action: 'integrations.write',
    method: 'POST',
    path: `/admin/integrations/${ACME_INTEGRATION}/test`,
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: "an integration's deliveries",
    action: 'integrations.read',
    method: 'GET',
    path: `/admin/integrations/${ACME_INTEGRATION}/deliveries`,
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
  {
    name: 'delete an integration',
    action: 'integrations.write',
    method: 'DELETE',
    path: `/admin/integrations/${ACME_DISPOSABLE_INTEGRATION}`,
    namesBusiness: true,
    request: () => ({ query: { businessId: 'acme' } }),
  },
];

const ROLES: OperatorRole[] = ['agent', 'supervisor', 'admin', 'platform'];

const AUTHORISATION_REFUSALS = new Set([
  'forbidden',
  'other_business',
  'conversation_not_found',
  'account_not_found',
  'waba_not_found',
  'onboarding_not_found',
  'business_not_found',
  'contact_not_found',
  'integration_not_found',
]);

const CASES = ROUTES.flatMap((route) =>
  ROLES.flatMap((role) =>
    (['own', 'other'] as const)
      // The platform team's business is its own: one case ("another business") suffices.
      .filter((whose) => !(role === 'platform' && whose === 'own'))
      .map((whose) => {
        const allowedRole = mayDo({ roles: [role] }, route.action);
        const refusal = !allowedRole ? 'role' : whose === 'other' && role !== 'platform' ? 'business' : undefined;
        return { route, role, whose, refusal, label: `${route.name} as ${role} of ${whose === 'own' ? 'acme' : 'another business'}` };
      }),
  ),
);
const callerOf = (role: OperatorRole, whose: 'own' | 'other') => (role === 'platform' ? 'ops' : whose === 'own' ? 'acme' : 'globex');

describe('every operator route × role × own or other business', () => {
  // Refusals first, while nothing allowed has touched acme's conversation: afterwards nothing may have moved.
  describe('refused', () => {
    let outboxBefore = 0;
    let conversationBefore: Record<string, unknown> | undefined;
    beforeAll(async () => {
      // The customer's journey finished (replies and receipts processed), even on a busy machine.
      await eventually(async () => harness.activeQueueDepth() === 0, 'the pipeline idle before the refusals', 60_000);
      await settle(2000);
      outboxBefore = (await harness.outbox()).length;
      conversationBefore = await harness.item(`CONV#${ACME_KEY}`, 'CONV');
    });

    it.each(CASES.filter((c) => c.refusal))('$label', async ({ route, role, whose, refusal }) => {
      const request = route.request();
      const response = await api(await tokenOf(callerOf(role, whose), role), route.method, contactPath(route, request.params ?? {}), request);
      if (refusal === 'role') {
        expect(response.status, response.text).toBe(403);
        expect(response.body.error).toBe('forbidden');
      } else {
        expect(response.status, response.text).toBe(route.namesBusiness ? 403 : 404);
        expect(AUTHORISATION_REFUSALS.has(response.body.error), response.text).toBe(true);
      }
      // Nothing of acme's customer leaks into a refusal.
      for (const secret of [CUSTOMER_NAME, 'Calle Falsa', ACME_CUSTOMER]) expect(response.text).not.toContain(secret);
    });

    it('sent nothing for acme and changed nothing of its conversation', async () => {
      await settle(1000);
      const sent = (await harness.outbox()).slice(outboxBefore).filter((e) => e.path.includes(ACME_NUMBER) || e.path.includes(ACME_WABA));
      expect(sent).toEqual([]);
      expect(await harness.item(`CONV#${ACME_KEY}`, 'CONV')).toEqual(conversationBefore);
    });
  });

  describe('allowed', () => {
    it.each(CASES.filter((c) => !c.refusal))('$label', async ({ route, role, whose }) => {
      const request = route.request();
      const response = await api(await tokenOf(callerOf(role, whose), role), route.method, contactPath(route, request.params ?? {}), request);
      expect([401, 403], response.text).not.toContain(response.status);
      expect(AUTHORISATION_REFUSALS.has(String(response.body?.error ?? '')), response.text).toBe(false);
    });
  });
});

describe('the findings, replayed', () => {
  it("another business's agent cannot list, read, answer or close acme's customer", async () => {
    const intruder = await tokenOf('globex', 'agent');
    const conversationBefore = await harness.item(`CONV#${ACME_KEY}`, 'CONV');
    const before = (await harness.outbox()).length;
    const listed = await api(intruder, 'GET', '/agent/conversations', { query: { accountId: ACME_NUMBER, state: 'human' } });
    const read = await api(intruder, 'GET', '/agent/conversation', { query: { key: ACME_KEY } });
    const replied = await api(intruder, 'POST', '/agent/conversation/reply', {
      body: { conversationKey: ACME_KEY, text: 'phishing link', requestId: 'evil-1' },
    });
    const closed = await api(intruder, 'POST', '/agent/conversation/close', { body: { conversationKey: ACME_KEY } });
    expect([listed.status, read.status, replied.status, closed.status]).toEqual([404, 404, 404, 404]);
    for (const r of [listed, read, replied, closed]) expect(r.text).not.toContain(CUSTOMER_NAME);
    await settle(500);
    expect((await harness.outbox()).slice(before).filter((e) => JSON.stringify(e.body ?? '').includes('phishing'))).toEqual([]);
    const conversationAfter = await harness.item(`CONV#${ACME_KEY}`, 'CONV');
    expect(conversationAfter?.state).toBe(conversationBefore?.state);
    expect(await harness.item(`CONV#${ACME_KEY}`, 'MSG#evil-1')).toBeUndefined();
  });

  it("another business's agent cannot read, tag, merge or link acme's contact by its id, nor find it by name", async () => {
    const intruder = await tokenOf('globex', 'agent');
    const contactBefore = await harness.item(`PERSON#acme#${ACME_CONTACT}`, 'PROFILE');
    expect(contactBefore).toMatchObject({ contactId: ACME_CONTACT });
    const answers = [
      await api(intruder, 'GET', `/agent/contacts/${ACME_CONTACT}`),
      await api(intruder, 'PUT', `/agent/contacts/${ACME_CONTACT}/tags`, { body: { add: ['hacked'] } }),
      await api(intruder, 'POST', `/agent/contacts/${ACME_CONTACT}/merge`, { body: { otherContactId: ACME_OTHER_CONTACT } }),
      await api(intruder, 'POST', `/agent/contacts/${ACME_CONTACT}/identities`, { body: { kind: 'phone', value: '+5511999990000' } }),
      await api(intruder, 'POST', `/agent/contacts/${ACME_CONTACT}/consent`, { body: { channel: 'whatsapp', status: 'opted_out', evidenceText: 'forged' } }),
    ];
    expect(answers.map((a) => [a.status, a.body.error])).toEqual(Array.from({ length: 5 }, () => [404, 'contact_not_found']));
    const search = await api(intruder, 'GET', '/agent/contacts', { query: { q: 'Lucía' } });
    expect(search.status).toBe(200);
    expect(search.body.items).toEqual([]);
    for (const a of [...answers, search]) for (const secret of [CUSTOMER_NAME, ACME_CUSTOMER]) expect(a.text).not.toContain(secret);
    const contactAfter = await harness.item(`PERSON#acme#${ACME_CONTACT}`, 'PROFILE');
    expect(contactAfter?.tags).not.toContain('hacked');
    expect(contactAfter?.consent?.whatsapp?.evidenceText).not.toBe('forged');
    expect(contactAfter?.mergedInto).toBeUndefined();
  });

  it('an Instagram key cannot reach a WhatsApp number, and a forged key is not found', async () => {
    const own = await tokenOf('acme', 'agent');
    expect((await api(own, 'GET', '/agent/conversation', { query: { key: `ig:${ACME_NUMBER}:${ACME_CUSTOMER}` } })).status).toBe(404);
    expect((await api(own, 'GET', '/agent/conversation', { query: { key: `wa:100000000000401:${ACME_CUSTOMER}` } })).status).toBe(404);
  });

  it('answers 400, not 500, to a 3,000-character key, a bad cursor and a cursor of another list', async () => {
    const own = await tokenOf('acme', 'agent');
    const long = await api(own, 'GET', '/agent/conversation', { query: { key: `wa:${ACME_NUMBER}:${'9'.repeat(3000)}` } });
    expect(long.status).toBe(400);
    expect(long.body.message).toBeTruthy();
    for (const cursor of [
      'not-a-cursor',
      Buffer.from('{"gsi1pk":"ACCT#100000000000401#STATE#human","gsi1sk":"x","pk":"x","sk":"x"}').toString('base64url'),
      '!!!',
    ]) {
      const res = await api(own, 'GET', '/agent/conversations', { query: { accountId: ACME_NUMBER, cursor } });
      expect(res.status, cursor).toBe(400);
    }
    expect((await api(own, 'POST', '/agent/conversation/close', { body: { conversationKey: 'x'.repeat(3000) } })).status).toBe(400);
  });

  it("keeps what each operator did, for the business's admins only", async () => {
    const admin = await tokenOf('acme', 'admin');
    // Every route × role above left its record: read the whole trail, a page at a time.
    const actions: Array<Record<string, unknown>> = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const trail = await api(admin, 'GET', '/admin/audit', { query: { limit: '100', ...(cursor ? { cursor } : {}) } });
      expect(trail.status).toBe(200);
      actions.push(...(trail.body.actions as Array<Record<string, unknown>>));
      cursor = trail.body.nextCursor;
      if (!cursor) break;
    }
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.callerBusinessId === 'acme' || a.businessId === 'acme')).toBe(true);
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: 'GET /agent/conversation', actor: 'agent@acme', outcome: 'allowed' }),
        expect.objectContaining({ route: 'PUT /agent/contacts/{contactId}/tags', actor: 'agent@acme', outcome: 'allowed', target: `contact ${ACME_CONTACT}` }),
        // The platform team's action on acme is acme's to see too.
        expect.objectContaining({ route: 'PATCH /agent/contacts/{contactId}', actor: 'platform@ops', businessId: 'acme', outcome: 'allowed' }),
      ]),
    );
    // Globex's refused attempts on acme are globex's record, not acme's to read.
    expect(actions.some((a) => a.callerBusinessId === 'globex')).toBe(false);
    expect((await api(await tokenOf('acme', 'agent'), 'GET', '/admin/audit')).status).toBe(403);
  });

  it("onboarding refuses another business's WABA and changes neither its token secret nor its registry item", async () => {
    const secretName = `Omnichannel-local/account-tokens/${ACME_WABA}`;
    const secretBefore = harness.cloud.aws.secrets.getSecretValue(secretName).secretString;
    const prospect = (await (
      await fetch(`${harness.cloud.graphUrl}/_sim/onboarding/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    ).json()) as { code: string };
    const attacker = await tokenOf('globex', 'admin');
    const attempt = await api(attacker, 'POST', '/onboarding/whatsapp', {
      body: { businessId: 'globex', code: prospect.code, wabaId: ACME_WABA, phoneNumberId: ACME_NUMBER },
    });
    expect([409, 422]).toContain(attempt.status);
    expect(harness.cloud.aws.secrets.getSecretValue(secretName).secretString).toBe(secretBefore);
    expect(await harness.item(`WABA#${ACME_WABA}`, 'WABA')).toMatchObject({ businessId: 'acme' });
    expect(await harness.item(`ACCT#${ACME_NUMBER}`, 'ACCOUNT')).toMatchObject({ businessId: 'acme', status: 'active' });
    // And naming acme as the business to onboard into is not globex's to do.
    expect(
      (
        await api(attacker, 'POST', '/onboarding/whatsapp', {
          body: { businessId: 'acme', code: prospect.code, wabaId: ACME_WABA, phoneNumberId: ACME_NUMBER },
        })
      ).status,
    ).toBe(403);
  });

  it("gives a business with no bot settings of its own to its people, never another business's bot", async () => {
    const customer = '5511987650501';
    const before = (await harness.outbox()).length;
    await customerWrites('100000000000501', customer, 'hola, ¿cuál es la política de devoluciones?');
    const conversation = await eventually(
      async () => {
        const item = await harness.item(`CONV#wa:100000000000501:${customer}`, 'CONV');
        return item?.state === 'human' && item;
      },
      'the initech conversation handed to its people',
      60_000,
    );
    expect(conversation).toMatchObject({ state: 'human', handoffReason: 'no_bot_configured' });
    await settle(1000);
    const sent = (await harness.outbox()).slice(before).filter((e) => e.path.endsWith('/100000000000501/messages') && e.body?.status !== 'read');
    expect(sent).toEqual([]);
  });
});
