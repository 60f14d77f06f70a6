import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { recordBusinessAppContact } from '#lambdas/accounts/business-app-contacts';
import { answerConversation } from '#lambdas/agent/answer-conversation';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import { dynamoContactEventSources } from '#lambdas/contacts/contact-event-sources-store';
import type { CrmLookup } from '#lambdas/contacts/contact-ports';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { contactWorkOf } from '#lambdas/contacts/contact-work';
import { handleContactWork } from '#lambdas/contacts/handle-contact-work';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { readSendContext } from '#lambdas/outbound/send-context';
import { decideSendPermission } from '#lambdas/outbound/send-rules';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { fakeAccounts } from '#test/helpers/fake-accounts';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { createBusinessAppContactStore } from '#lambdas/accounts/business-app-contacts-store';
import { createSendContextStore } from '#lambdas/outbound/send-context-store';

const B = 'shop';
const PHONE = '106540352242922';
const WABA = '102290129340398';
const IG = '17841405309211844';
const WA_ID = '5511987654321';
const IGSID = '1254459154682919';
const ctx = { receivedAt: '2026-05-04T12:00:00.000Z' };
const accounts = fakeAccounts([
  { accountId: PHONE, channel: 'whatsapp', businessId: B, wabaId: WABA },
  { accountId: IG, channel: 'instagram', businessId: B },
]);

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let published: DomainEvent[];
let deps: ContactDeps;
let lookups: number;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  published = [];
  lookups = 0;
  deps = {
    contacts: dynamoContactStore({ db: table.db, tableName }),
    sources: dynamoContactEventSources({ db: table.db, tableName }),
    businessOfAccount: async (accountId) => (await accounts.account(accountId))?.businessId,
    publisher: { publish: async (events) => void published.push(...events) },
    now: () => new Date('2026-05-04T12:00:05.000Z'),
  };
});

/** A signed webhook body as Meta sends it, through the real splitter, normalizer and recorder; returns the bus events the normalizer would publish. */
async function receiveWebhook(body: unknown): Promise<Array<{ source: string; 'detail-type': string; detail: Record<string, unknown> }>> {
  const events: NormalizedEvent[] = splitWebhookBody(JSON.stringify(body), ctx).map(normalizeIngressEvent);
  const envelopes = [];
  for (const event of events) {
    expect(event.kind).not.toBe('quarantine');
    await recordNormalizedEvent(event, ctx, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
    await recordBusinessAppContact(event, { businessAppContacts: createBusinessAppContactStore(table.db, tableName), retentionDays: 30 });
    const published = domainEventFor(event);
    envelopes.push({ source: published.source, 'detail-type': published.detailType, detail: published.detail });
  }
  return envelopes;
}

/** What the contacts queue hands the handler: the EventBridge envelope as the record body. */
const consume = (envelope: { source: string; 'detail-type': string; detail: unknown }) => handleContactWork(contactWorkOf(JSON.stringify(envelope)), deps);

const whatsappMessage = (id: string, timestamp: number, message: Record<string, unknown>, name = 'Ana Souza') => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: WABA,
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550000001', phone_number_id: PHONE },
            contacts: [{ profile: { name }, wa_id: WA_ID }],
            messages: [{ from: WA_ID, id, timestamp: String(timestamp), ...message }],
          },
        },
      ],
    },
  ],
});

const instagramMessage = (mid: string, timestampMs: number, text: string) => ({
  object: 'instagram',
  entry: [{ id: IG, time: timestampMs, messaging: [{ sender: { id: IGSID }, recipient: { id: IG }, timestamp: timestampMs, message: { mid, text } }] }],
});

const CTWA = {
  type: 'text',
  text: { body: 'Hola, vi el anuncio de las zapatillas' },
  referral: {
    source_url: 'https://fb.me/3cr4Wqqkv?utm_source=facebook&utm_campaign=spring',
    source_id: '120208898765430123',
    source_type: 'ad',
    headline: 'Zapatillas -30%',
    body: 'Solo esta semana',
    media_type: 'image',
    ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
  },
};

describe('contacts consumer on DynamoDB Local', () => {
  it('turns a click-to-WhatsApp message into a contact with its E.164 number and first touch, a later Instagram message into a second one, and a merge into one', async () => {
    const [waEvent] = await receiveWebhook(whatsappMessage('wamid.ctwa1', 1777896000, CTWA));
    expect(waEvent).toMatchObject({ 'detail-type': 'message.received' });
    const first = await consume(waEvent!);
    expect(first).toMatchObject({ work: 'customer_message', outcome: 'recorded', created: true, linkedConversation: true });
    const contactId = (first as { contactId: string }).contactId;

    const contact = (await deps.contacts.get(B, contactId))!;
    expect(contact).toMatchObject({
      businessId: B,
      name: 'Ana Souza',
      nameSource: 'profile',
      phoneE164: '+5511987654321',
      firstTouch: {
        channel: 'whatsapp',
        accountId: PHONE,
        conversationKey: `wa:${PHONE}:${WA_ID}`,
        messageId: 'wamid.ctwa1',
        at: '2026-05-04T12:00:00.000Z',
        source: 'ad',
        adId: '120208898765430123',
        headline: 'Zapatillas -30%',
        ctwaClid: CTWA.referral.ctwa_clid,
        sourceUrl: CTWA.referral.source_url,
        utm: { source: 'facebook', campaign: 'spring' },
      },
    });
    expect(contact.identities.map((i) => [i.kind, i.value]).sort()).toEqual([
      ['phone', '+5511987654321'],
      ['whatsapp', WA_ID],
    ]);
    const conversation = await table.db.send(
      new GetCommand({ TableName: tableName, Key: { pk: conversationPk(`wa:${PHONE}:${WA_ID}`), sk: CONVERSATION_SK } }),
    );
    expect(conversation.Item?.contactId).toBe(contactId);
    // Ids and field names only on the bus.
    expect(published.map((e) => [e.source, e.detailType])).toEqual([['io.omnichannel.contacts', 'contact.created']]);
    expect(published[0]!.detail).toMatchObject({
      businessId: B,
      contactId,
      channel: 'whatsapp',
      accountId: PHONE,
      fields: expect.arrayContaining(['name', 'firstTouch']),
    });
    expect(JSON.stringify(published)).not.toMatch(/Ana|5511987654321|Zapatillas/);

    // The same message redelivered, and a second message: the same contact, nothing published again.
    published = [];
    expect(await consume(waEvent!)).toMatchObject({ outcome: 'recorded', created: false, contactId, changed: [] });
    const [second] = await receiveWebhook(whatsappMessage('wamid.2', 1777896060, { type: 'text', text: { body: 'talla 38' } }));
    expect(await consume(second!)).toMatchObject({ outcome: 'recorded', created: false, contactId });
    expect(published).toEqual([]);

    // The same person on Instagram: another channel identity, another contact until someone merges.
    const [igEvent] = await receiveWebhook(instagramMessage('aWdfZAG1faWQ', 1777899600000, 'hola!'));
    const igResult = await consume(igEvent!);
    expect(igResult).toMatchObject({ work: 'customer_message', outcome: 'recorded', created: true });
    const igContactId = (igResult as { contactId: string }).contactId;
    expect(igContactId).not.toBe(contactId);
    expect((await deps.contacts.get(B, igContactId))?.identities).toEqual([expect.objectContaining({ kind: 'instagram', value: IGSID, accountId: IG })]);

    const merged = await deps.contacts.merge(B, contactId, igContactId, 'agent-1', '2026-05-05T09:00:00.000Z');
    expect(merged.ok).toBe(true);
    const one = (await deps.contacts.findByIdentity(B, 'instagram', IGSID, IG))!;
    expect(one.contactId).toBe(contactId);
    expect(one.identities.map((i) => i.kind).sort()).toEqual(['instagram', 'phone', 'whatsapp']);
    expect((await deps.contacts.findByIdentity(B, 'whatsapp', WA_ID))?.contactId).toBe(contactId);
    // Later Instagram messages land on the survivor.
    const [igAgain] = await receiveWebhook(instagramMessage('aWdfZAG1faWR', 1777903200000, 'sigo esperando'));
    expect(await consume(igAgain!)).toMatchObject({ outcome: 'recorded', created: false, contactId });

    // Routing sees the contact's tags on either channel (Instagram through its account).
    await deps.contacts.update(B, contactId, undefined, { tags: { add: ['vip'] } }, '2026-05-05T10:00:00.000Z');
    const routing = routingConfigStore({ db: table.db, tableName });
    expect(await routing.contactTags(B, 'whatsapp', WA_ID)).toEqual(['vip']);
    expect(await routing.contactTags(B, 'instagram', IGSID, IG)).toEqual(['vip']);
    expect(await routing.contactTags(B, 'instagram', IGSID)).toEqual([]);
    expect(await routing.contactTags('rival', 'whatsapp', WA_ID)).toEqual([]);
  });

  it('takes first touch from UTM parameters of a link in the first message, and asks the CRM on a new contact', async () => {
    deps.crmLookup = {
      async lookup(businessId, contact) {
        lookups++;
        expect(businessId).toBe(B);
        expect(contact.phoneE164).toBe('+5511987654321');
        return {
          crmIds: { hubspot: '5101', salesforce: 'bad id with spaces' },
          name: 'Ana Souza (HubSpot)',
          vip: true,
          tags: ['Wholesale', 'not a tag!'],
          attributes: { unknown: 1 },
        };
      },
    } satisfies CrmLookup;
    const [event] = await receiveWebhook(
      whatsappMessage('wamid.link', 1777896000, {
        type: 'text',
        text: { body: 'Quiero esto https://shop.example/p/1?utm_source=newsletter&utm_medium=email&utm_campaign=may ¿hay stock?' },
      }),
    );
    const result = await consume(event!);
    expect(result).toMatchObject({ outcome: 'recorded', created: true, lookedUp: true });
    const contact = (await deps.contacts.get(B, (result as { contactId: string }).contactId))!;
    expect(contact).toMatchObject({
      name: 'Ana Souza (HubSpot)',
      nameSource: 'crm',
      crmIds: { hubspot: '5101' },
      tags: ['wholesale', 'vip'],
      firstTouch: {
        source: 'link',
        sourceUrl: 'https://shop.example/p/1?utm_source=newsletter&utm_medium=email&utm_campaign=may',
        utm: { source: 'newsletter', medium: 'email', campaign: 'may' },
      },
    });
    expect(contact.crmIds.salesforce).toBeUndefined();
    expect(lookups).toBe(1);
    // Not a new contact, not a new conversation: no look-up.
    const [again] = await receiveWebhook(whatsappMessage('wamid.next', 1777896100, { type: 'text', text: { body: 'gracias' } }));
    await consume(again!);
    expect(lookups).toBe(1);
  });

  it('keeps the contact when the CRM look-up hangs past its second', async () => {
    const failures: string[] = [];
    deps.crmLookup = { lookup: () => new Promise(() => undefined) };
    deps.lookupTimeoutMs = 100;
    deps.onLookupFailed = (reason) => void failures.push(reason);
    const [event] = await receiveWebhook(whatsappMessage('wamid.slow', 1777896000, { type: 'text', text: { body: 'hola' } }));
    const started = Date.now();
    expect(await consume(event!)).toMatchObject({ outcome: 'recorded', created: true, lookedUp: false });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failures).toEqual(['timeout']);
  });

  it("records the agent's opt-out and opt-in on the contact and for the sender: marketing templates stop, then start again", async () => {
    const agentDeps = {
      ...dynamoConversationStores(table.db, tableName),
      publisher: { publish: async (e: DomainEvent[]) => void agentEvents.push(...e) },
      retentionDays: 30,
      replyQuietMs: 0,
      botSettings: fixedBotSettings(demoBotSettings()),
    };
    const agentEvents: DomainEvent[] = [];
    const marketing = async () => {
      const send = await readSendContext(createSendContextStore(table.db, tableName), {
        conversationKey: `wa:${PHONE}:${WA_ID}`,
        accountId: PHONE,
        customerId: WA_ID,
        withConsent: true,
      });
      return decideSendPermission({
        channel: 'whatsapp',
        origin: 'campaign',
        templateCategory: 'marketing',
        ...(send.consent ? { consent: send.consent } : {}),
        now: new Date('2026-05-06T00:00:00.000Z'),
      });
    };
    const say = async (id: string, timestamp: number, text: string) => {
      const [event] = await receiveWebhook(whatsappMessage(id, timestamp, { type: 'text', text: { body: text } }));
      await consume(event!);
      agentEvents.length = 0;
      await answerConversation(event!.detail, { ...agentDeps, now: () => new Date((timestamp + 5) * 1000) });
      const consent = agentEvents.filter((e) => e.detailType.startsWith('consent.'));
      for (const e of consent) await consume({ source: e.source, 'detail-type': e.detailType, detail: e.detail });
      return consent.map((e) => e.detailType);
    };

    expect(await say('wamid.stop', 1777896000, 'STOP')).toEqual(['consent.withdrawn']);
    const contact = (await deps.contacts.findByIdentity(B, 'whatsapp', WA_ID))!;
    expect(contact.consent.whatsapp).toMatchObject({
      status: 'opted_out',
      at: '2026-05-04T12:00:00.000Z',
      source: 'customer_message',
      evidenceMessageId: 'wamid.stop',
      evidenceText: 'STOP',
      accountId: PHONE,
    });
    expect(await marketing()).toEqual({ allowed: false, reason: 'marketing_opted_out' });
    expect(published.filter((e) => e.detailType === 'contact.updated').at(-1)?.detail).toMatchObject({ contactId: contact.contactId, changed: ['consent'] });

    expect(await say('wamid.start', 1777899600, 'START')).toEqual(['consent.given']);
    expect((await deps.contacts.get(B, contact.contactId))?.consent.whatsapp).toMatchObject({ status: 'opted_in', evidenceMessageId: 'wamid.start' });
    expect(await marketing()).toEqual({ allowed: true, humanAgentTag: false });
  });

  it("names a customer from the business app's address book, above the profile name", async () => {
    const [message] = await receiveWebhook(whatsappMessage('wamid.1', 1777896000, { type: 'text', text: { body: 'hola' } }, 'ana'));
    const { contactId } = (await consume(message!)) as { contactId: string };
    published = [];
    const [sync] = await receiveWebhook({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA,
          changes: [
            {
              field: 'smb_app_state_sync',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000001', phone_number_id: PHONE },
                state_sync: [
                  {
                    type: 'contact',
                    action: 'add',
                    contact: { full_name: 'Ana Souza (cliente)', first_name: 'Ana', phone_number: '+55 11 98765-4321' },
                    metadata: { timestamp: '1777896100' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(sync).toMatchObject({ 'detail-type': 'notification.received', detail: { topic: 'whatsapp.smb_app_state_sync' } });
    expect(await consume(sync!)).toMatchObject({ work: 'address_book', outcome: 'named', contactId, created: false, changed: ['name'] });
    expect(await deps.contacts.get(B, contactId)).toMatchObject({ name: 'Ana Souza (cliente)', nameSource: 'address_book' });
    expect(published.map((e) => [e.detailType, e.detail.changed])).toEqual([['contact.updated', ['name']]]);
    // The profile name no longer replaces it.
    const [later] = await receiveWebhook(whatsappMessage('wamid.2', 1777896200, { type: 'text', text: { body: 'hola' } }, 'ana 2'));
    await consume(later!);
    expect((await deps.contacts.get(B, contactId))?.name).toBe('Ana Souza (cliente)');
  });

  it('consumes what it cannot use: other notifications, unknown accounts, unreadable bodies', async () => {
    expect(contactWorkOf('not json')).toEqual({ kind: 'invalid', issues: ['body: not JSON'] });
    expect(await consume({ source: 'io.omnichannel.normalizer', 'detail-type': 'message.received', detail: { v: 1 } })).toMatchObject({ outcome: 'invalid' });
    expect(
      await consume({
        source: 'io.omnichannel.normalizer',
        'detail-type': 'notification.received',
        detail: { v: 1, accountId: PHONE, eventId: 'e1', topic: 'whatsapp.account_update' },
      }),
    ).toMatchObject({
      outcome: 'skipped',
      reason: 'other_topic',
    });
    expect(
      await consume({
        source: 'io.omnichannel.normalizer',
        'detail-type': 'message.received',
        detail: { v: 1, conversationKey: 'wa:999:1', channel: 'whatsapp', accountId: '999', providerMessageId: 'x', origin: 'customer' },
      }),
    ).toMatchObject({ outcome: 'skipped', reason: 'unknown_account' });
    expect(await consume({ source: 'io.omnichannel.agent', 'detail-type': 'reply.requested', detail: {} })).toMatchObject({ outcome: 'ignored' });
    expect(published).toEqual([]);
  });
});
