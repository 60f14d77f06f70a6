import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import type { ContactEventSources, StoredConversation, StoredCustomerMessage } from '#lambdas/contacts/contact-event-sources';
import { contactWorkOf } from '#lambdas/contacts/contact-work';
import { handleContactWork } from '#lambdas/contacts/handle-contact-work';
import { composeRoutingEngine } from '#lambdas/routing/engine/create-routing-engine';
import { PRIORITY } from '#lambdas/routing/routing-model';
import { inMemoryContactStore, type InMemoryContactStore } from '#test/helpers/in-memory-contact-store';
import { inMemoryRoutingConfig } from '#test/helpers/in-memory-routing-config';
import { inMemoryRoutingState } from '#test/helpers/in-memory-routing-state';

const B = 'shop';
const PHONE = '100';
const IG = '1784';
const WA_KEY = 'wa:100:5511987654321';
const AT = '2026-05-04T12:00:00.000Z';

/** The table's side, in memory: messages, conversations, notifications and address-book entries. */
function memorySources() {
  const messages = new Map<string, StoredCustomerMessage>();
  const conversations = new Map<string, StoredConversation>();
  const notifications = new Map<string, { topic: string; customerId?: string; occurredAt: string }>();
  const book = new Map<string, { name?: string; removed: boolean }>();
  const sources: ContactEventSources = {
    readMessage: async (key, id) => structuredClone(messages.get(`${key}|${id}`)),
    readConversation: async (key) => structuredClone(conversations.get(key)),
    firstCustomerMessage: async (key) =>
      [...messages.values()].filter((m) => m.conversationKey === key && m.origin === 'customer').sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1))[0],
    linkConversation: async (key, contactId) => {
      const c = conversations.get(key);
      if (!c || c.contactId) return false;
      c.contactId = contactId;
      return true;
    },
    readNotification: async (account, eventId) => notifications.get(`${account}|${eventId}`),
    readAddressBookEntry: async (account, customer) => book.get(`${account}|${customer}`),
  };
  return {
    sources,
    conversations,
    message(m: Partial<StoredCustomerMessage> & { providerMessageId: string }) {
      const conversationKey = m.conversationKey ?? WA_KEY;
      const channel = m.channel ?? 'whatsapp';
      const customerId = m.customerId ?? '5511987654321';
      messages.set(`${conversationKey}|${m.providerMessageId}`, {
        conversationKey,
        channel,
        accountId: PHONE,
        customerId,
        origin: 'customer',
        direction: 'inbound',
        occurredAt: AT,
        ...m,
      });
      if (!conversations.has(conversationKey))
        conversations.set(conversationKey, { conversationKey, channel, accountId: m.accountId ?? PHONE, customerId, customerName: 'Ana' });
      return {
        v: 1,
        conversationKey,
        channel,
        accountId: m.accountId ?? PHONE,
        providerMessageId: m.providerMessageId,
        origin: 'customer',
        direction: 'inbound',
      };
    },
    notification(eventId: string, customerId: string, name: string | undefined, removed = false) {
      notifications.set(`${PHONE}|${eventId}`, { topic: 'whatsapp.smb_app_state_sync', customerId, occurredAt: AT });
      book.set(`${PHONE}|${customerId}`, { removed, ...(name ? { name } : {}) });
      return { v: 1, accountId: PHONE, eventId, topic: 'whatsapp.smb_app_state_sync' };
    },
  };
}

let contacts: InMemoryContactStore;
let world: ReturnType<typeof memorySources>;
let published: DomainEvent[];
let deps: ContactDeps;
const envelope = (source: string, detailType: string, detail: unknown) => JSON.stringify({ source, 'detail-type': detailType, detail });
const received = (detail: unknown) => handleContactWork(contactWorkOf(envelope('io.omnichannel.normalizer', 'message.received', detail)), deps);

beforeEach(() => {
  contacts = inMemoryContactStore();
  world = memorySources();
  published = [];
  deps = {
    contacts,
    sources: world.sources,
    businessOfAccount: async (account) => ([PHONE, IG].includes(account) ? B : undefined),
    publisher: { publish: async (events) => void published.push(...events) },
    now: () => new Date('2026-05-04T12:00:01.000Z'),
  };
});

describe('a customer message', () => {
  it('creates the contact with wa_id, business-scoped id and number, links the conversation and says so without PII', async () => {
    const detail = world.message({ providerMessageId: 'wamid.1', customerWaId: '5511987654321', customerUserId: 'BR.1234ABCD' });
    const result = await received(detail);
    expect(result).toMatchObject({ outcome: 'recorded', created: true, linkedConversation: true });
    const [contact] = contacts.all(B);
    expect(contact!.identities.map((i) => [i.kind, i.value])).toEqual([
      ['whatsapp', '5511987654321'],
      ['whatsapp_bsuid', 'BR.1234ABCD'],
      ['phone', '+5511987654321'],
    ]);
    expect(world.conversations.get(WA_KEY)?.contactId).toBe(contact!.contactId);
    expect(published).toEqual([
      {
        source: 'io.omnichannel.contacts',
        detailType: 'contact.created',
        detail: {
          v: 1,
          businessId: B,
          contactId: contact!.contactId,
          channel: 'whatsapp',
          accountId: PHONE,
          fields: ['name', 'phoneE164', 'identities'],
          at: '2026-05-04T12:00:01.000Z',
        },
      },
    ]);
  });

  it('keys a customer Meta sends by business-scoped id only', async () => {
    await received(world.message({ providerMessageId: 'wamid.1', conversationKey: 'wa:100:BR.77', customerId: 'BR.77', customerUserId: 'BR.77' }));
    expect(contacts.all(B)[0]!.identities.map((i) => i.kind)).toEqual(['whatsapp_bsuid']);
  });

  it('announces the contact again when a crash left its conversation unlinked, and only then', async () => {
    const detail = world.message({ providerMessageId: 'wamid.1' });
    await received(detail);
    world.conversations.get(WA_KEY)!.contactId = undefined;
    published = [];
    expect(await received(detail)).toMatchObject({ created: true, linkedConversation: true });
    expect(published.map((e) => e.detailType)).toEqual(['contact.created']);
    published = [];
    expect(await received(detail)).toMatchObject({ created: false, linkedConversation: false, changed: [] });
    expect(published).toEqual([]);
  });

  it('follows the profile name while nobody better named the customer, and fills the language', async () => {
    await received(world.message({ providerMessageId: 'wamid.1' }));
    Object.assign(world.conversations.get(WA_KEY)!, { customerName: 'Ana S.', language: 'pt' });
    await received(world.message({ providerMessageId: 'wamid.2', occurredAt: '2026-05-04T12:01:00.000Z' }));
    expect(contacts.all(B)[0]).toMatchObject({ name: 'Ana S.', nameSource: 'profile', language: 'pt' });
    expect(published.at(-1)).toMatchObject({ detailType: 'contact.updated', detail: { changed: ['name', 'language'] } });
    const id = contacts.all(B)[0]!.contactId;
    await contacts.update(B, id, undefined, { name: { value: 'Ana Souza', source: 'operator' } }, AT);
    world.conversations.get(WA_KEY)!.customerName = 'xX_ana_Xx';
    await received(world.message({ providerMessageId: 'wamid.3' }));
    expect(contacts.all(B)[0]!.name).toBe('Ana Souza');
  });

  it("takes the earliest first touch of a new conversation: the first message's link over a later ad", async () => {
    world.message({ providerMessageId: 'wamid.1', occurredAt: '2026-05-04T11:00:00.000Z', text: 'https://s.example/?utm_source=mail' });
    const later = world.message({ providerMessageId: 'wamid.2', referral: { sourceType: 'ad', adId: '9', sourceId: '9' } });
    await received(later);
    expect(contacts.all(B)[0]!.firstTouch).toMatchObject({ source: 'link', messageId: 'wamid.1', utm: { source: 'mail' } });
  });

  it('asks the CRM on a new conversation of a known contact, not on every message, and applies what fits', async () => {
    const asked: string[] = [];
    await contacts.putAttributeSchema(
      B,
      { attributes: [{ key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'], visibleToAgents: true, editableByAgents: false }] },
      undefined,
      AT,
    );
    deps.crmLookup = {
      lookup: async (_b, c) => {
        asked.push(c.contactId);
        return { attributes: { tier: 'gold', other: 1 }, vip: true };
      },
    };
    await received(world.message({ providerMessageId: 'wamid.1' }));
    await received(world.message({ providerMessageId: 'wamid.2' }));
    // The same customer on a second number of the business: a new conversation.
    await received(world.message({ providerMessageId: 'wamid.3', conversationKey: 'wa:101:5511987654321', accountId: PHONE }));
    expect(asked).toHaveLength(2);
    expect(contacts.all(B)).toHaveLength(1);
    expect(contacts.all(B)[0]).toMatchObject({ attributes: { tier: 'gold' }, tags: ['vip'] });
  });

  it('keeps the contact when the look-up throws', async () => {
    const failed: string[] = [];
    deps.crmLookup = { lookup: async () => Promise.reject(new Error('503')) };
    deps.onLookupFailed = (reason) => void failed.push(reason);
    expect(await received(world.message({ providerMessageId: 'wamid.1' }))).toMatchObject({ outcome: 'recorded', lookedUp: false });
    expect(failed).toEqual(['error']);
  });

  it('leaves alone what is not a customer message or cannot be found', async () => {
    expect(await received({ ...world.message({ providerMessageId: 'wamid.1' }), origin: 'business_app' })).toMatchObject({
      outcome: 'skipped',
      reason: 'not_customer_message',
    });
    expect(await received({ ...world.message({ providerMessageId: 'wamid.1' }), accountId: 'nobody' })).toMatchObject({
      outcome: 'skipped',
      reason: 'unknown_account',
    });
    expect(await received({ ...world.message({ providerMessageId: 'wamid.1' }), providerMessageId: 'wamid.missing' })).toMatchObject({
      outcome: 'skipped',
      reason: 'no_message',
    });
    expect(await received({ v: 1, conversationKey: 'x'.repeat(5_000), channel: 'whatsapp', accountId: PHONE, providerMessageId: 'x' })).toMatchObject({
      outcome: 'invalid',
    });
    expect(contacts.all(B)).toEqual([]);
  });

  it("never files another business's customer under the event's business: the conversation must be the event account's", async () => {
    // The conversation belongs to account 999 (another business); an event naming this business's account with its key
    // must not make a contact here (nor ask this business's CRM about that customer).
    const detail = world.message({ providerMessageId: 'wamid.9', conversationKey: 'wa:999:5511900000000', customerId: '5511900000000', accountId: '999' });
    let looked = 0;
    deps.crmLookup = { lookup: async () => void looked++ };
    expect(await received({ ...detail, accountId: PHONE })).toMatchObject({ outcome: 'skipped', reason: 'no_conversation' });
    expect(contacts.all(B)).toEqual([]);
    expect(looked).toBe(0);
  });
});

describe('consent decisions and the address book', () => {
  it("records the agent's opt-out with its evidence and projects it for the sender", async () => {
    const detail = world.message({ providerMessageId: 'wamid.stop', text: 'STOP', occurredAt: '2026-05-04T11:59:00.000Z' });
    await received(detail);
    const consent = { v: 1, conversationKey: WA_KEY, channel: 'whatsapp', accountId: PHONE, customerId: '5511987654321', evidenceMessageId: 'wamid.stop' };
    const result = await handleContactWork(contactWorkOf(envelope('io.omnichannel.agent', 'consent.withdrawn', consent)), deps);
    expect(result).toMatchObject({ work: 'consent', outcome: 'recorded', status: 'opted_out', changed: true });
    expect(contacts.all(B)[0]!.consent.whatsapp).toMatchObject({
      status: 'opted_out',
      at: '2026-05-04T11:59:00.000Z',
      evidenceText: 'STOP',
      source: 'customer_message',
    });
    expect(contacts.projection(PHONE, '5511987654321')).toEqual({
      marketingOptOutAt: '2026-05-04T11:59:00.000Z',
      marketingOptOutEvidence: 'customer_message:wamid.stop',
    });
    expect(published.at(-1)).toMatchObject({ detailType: 'contact.updated', detail: { changed: ['consent'] } });
    // Redelivered: nothing changes, nothing announced.
    published = [];
    expect(await handleContactWork(contactWorkOf(envelope('io.omnichannel.agent', 'consent.withdrawn', consent)), deps)).toMatchObject({ changed: false });
    expect(published).toEqual([]);
    expect(
      await handleContactWork(contactWorkOf(envelope('io.omnichannel.agent', 'consent.given', { ...consent, conversationKey: 'wa:100:unknown' })), deps),
    ).toMatchObject({ outcome: 'skipped', reason: 'no_conversation' });
  });

  it('names a contact from the address book, creating it for a number that never wrote, and ignores removed entries', async () => {
    const notification = (detail: unknown) => handleContactWork(contactWorkOf(envelope('io.omnichannel.normalizer', 'notification.received', detail)), deps);
    expect(await notification(world.notification('n1', '5215512345678', 'Marcos (tienda)'))).toMatchObject({ outcome: 'named', created: true });
    expect(contacts.all(B)[0]).toMatchObject({ name: 'Marcos (tienda)', nameSource: 'address_book', phoneE164: '+525512345678' });
    expect(await notification(world.notification('n2', '5511987654321', 'Gone', true))).toMatchObject({ outcome: 'skipped', reason: 'no_name' });
    expect(await notification({ v: 1, accountId: PHONE, eventId: 'n3', topic: 'whatsapp.smb_app_state_sync' })).toMatchObject({
      outcome: 'skipped',
      reason: 'no_notification',
    });
    expect(contacts.all(B)).toHaveLength(1);
  });
});

describe('routing reads contact tags', () => {
  it('raises a handoff to VIP priority when the CRM marked the customer VIP', async () => {
    deps.crmLookup = { lookup: async () => ({ vip: true }) };
    await received(world.message({ providerMessageId: 'wamid.1' }));
    const config = inMemoryRoutingConfig({ contacts });
    expect(await config.contactTags(B, 'whatsapp', '5511987654321')).toEqual(['vip']);
    expect(await config.contactTags(B, 'whatsapp', '5511000000000')).toEqual([]);
  });

  it('reads an Instagram contact through its account, and a boolean vip attribute as the tag', async () => {
    const igKey = 'ig:1784:IGSID1';
    await received(world.message({ providerMessageId: 'mid.1', conversationKey: igKey, channel: 'instagram', accountId: IG, customerId: 'IGSID1' }));
    const contact = contacts.all(B)[0]!;
    await contacts.putAttributeSchema(
      B,
      { attributes: [{ key: 'vip', label: 'VIP', type: 'boolean', visibleToAgents: true, editableByAgents: false }] },
      undefined,
      AT,
    );
    await contacts.update(B, contact.contactId, undefined, { attributes: { set: { vip: true } }, tags: { add: ['wholesale'] } }, AT);
    const config = inMemoryRoutingConfig({ contacts });
    expect(await config.contactTags(B, 'instagram', 'IGSID1', IG)).toEqual(['vip', 'wholesale']);
    expect(await config.contactTags(B, 'instagram', 'IGSID1', 'other-account')).toEqual([]);
  });
});

// The engine's own use of the port: the contact's tags reach the rules and the priority.
describe('route-handoff with contact tags', () => {
  it("queues an Instagram customer whose contact is VIP at VIP priority, found through the conversation's account", async () => {
    const config = inMemoryRoutingConfig({ contacts });
    const state = inMemoryRoutingState();
    const engine = composeRoutingEngine({
      state,
      sources: state,
      config,
      publisher: { publish: async () => undefined },
      scheduler: { schedule: async () => undefined },
      now: () => new Date(AT),
    });
    const { contact } = await contacts.resolve(B, [{ kind: 'instagram', value: 'IGSID1', accountId: 'acct-1' }], { at: AT });
    await contacts.update(B, contact.contactId, undefined, { tags: { add: ['vip'] } }, AT);
    for (const [key, customerId] of [
      ['ig:acct-1:IGSID1', 'IGSID1'],
      ['ig:acct-1:IGSID2', 'IGSID2'],
    ] as const) {
      state.addConversation({
        conversationKey: key,
        channel: 'instagram',
        accountId: 'acct-1',
        customerId,
        language: 'es',
        lastInboundAt: AT,
        recentMessages: [],
      });
      expect(await engine.routeHandoff({ businessId: B, conversationKey: key, reason: 'customer_request', requestedAt: AT })).toMatchObject({ ok: true });
    }
    expect(await state.getRouting('ig:acct-1:IGSID1')).toMatchObject({ routingPriority: PRIORITY.vip, tags: ['vip'] });
    expect((await state.getRouting('ig:acct-1:IGSID2'))?.routingPriority).toBe(PRIORITY.normal);
  });
});
