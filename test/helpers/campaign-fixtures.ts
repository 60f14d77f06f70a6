import type { ChannelAccount } from '#lambdas/accounts/channel-account';
import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import type { CampaignLookups } from '#lambdas/campaigns/campaign-admin-deps';
import type { ConsentState, Contact } from '#lambdas/contacts/contact-model';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import type { StoredTemplate } from '#lambdas/templates/template-item';

/** Templates, numbers and contacts the campaign tests share. */
export const BUSINESS = 'shop';
export const RIVAL = 'rival';
export const ACCOUNT = '100200300';
export const RIVAL_ACCOUNT = '900800700';
export const WABA = '5550001';
export const RIVAL_WABA = '5559999';

/** `Hola {{1}}, {{2}}% off` — marketing, positional. */
export const saleTemplate: StoredTemplate = {
  wabaId: WABA,
  name: 'spring_sale',
  language: 'es',
  status: 'APPROVED',
  category: 'MARKETING',
  parameterFormat: 'POSITIONAL',
  components: [
    { type: 'BODY', text: 'Hola {{1}}, tenemos {{2}}% de descuento' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Ver', url: 'https://shop.example/sale/{{1}}' }] },
  ],
};

/** `Your order {{order}} ships today` — utility, named. */
export const shippingTemplate: StoredTemplate = {
  wabaId: WABA,
  name: 'order_shipped',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  parameterFormat: 'NAMED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hi {{first_name}}' },
    { type: 'BODY', text: 'Your order {{order}} ships today' },
  ],
};

/** An image header and no variables — marketing. */
export const imageTemplate: StoredTemplate = {
  wabaId: WABA,
  name: 'new_collection',
  language: 'es',
  status: 'APPROVED',
  category: 'MARKETING',
  parameterFormat: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'IMAGE' },
    { type: 'BODY', text: 'Nueva colección' },
  ],
};

export const pausedTemplate: StoredTemplate = { ...saleTemplate, name: 'paused_sale', status: 'PAUSED' };

export function account(overrides: Partial<ChannelAccount> = {}): ChannelAccount & Record<string, unknown> {
  return {
    accountId: ACCOUNT,
    channel: 'whatsapp',
    businessId: BUSINESS,
    wabaId: WABA,
    status: 'active',
    qualityRating: 'GREEN',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Registry and templates in memory; tests change them between calls. */
export function memoryLookups(): CampaignLookups & { accounts: Map<string, ChannelAccount & Record<string, unknown>>; templates: Map<string, StoredTemplate> } {
  const accounts = new Map([
    [ACCOUNT, account()],
    [RIVAL_ACCOUNT, account({ accountId: RIVAL_ACCOUNT, businessId: RIVAL, wabaId: RIVAL_WABA })],
  ]);
  const templates = new Map<string, StoredTemplate>();
  for (const t of [saleTemplate, shippingTemplate, imageTemplate, pausedTemplate, { ...saleTemplate, wabaId: RIVAL_WABA }])
    templates.set(`${t.wabaId}|${t.name}|${t.language}`, t);
  return {
    accounts,
    templates,
    account: async (id) => structuredClone(accounts.get(id)),
    template: async (waba, name, language) => structuredClone(templates.get(`${waba}|${name}|${language}`)),
    templateLanguages: async (waba, name) => [...templates.values()].filter((t) => t.wabaId === waba && t.name === name).map((t) => t.language),
  };
}

export function recordingPublisher(): EventPublisher & { events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  return { events, publish: async (batch) => void events.push(...batch) };
}

export interface SeedContact {
  waId?: string;
  phone?: string;
  name?: string;
  tags?: string[];
  attributes?: Record<string, string | number | boolean>;
  consent?: ConsentState;
}

/** A contact as the contacts consumer would make it, then tagged and given consent as an operator would. */
export async function seedContact(store: ContactStore, seed: SeedContact, businessId = BUSINESS): Promise<Contact> {
  const at = '2026-04-01T10:00:00.000Z';
  const identities = [
    ...(seed.waId ? [{ kind: 'whatsapp' as const, value: seed.waId, accountId: ACCOUNT }] : []),
    ...((seed.phone ?? (seed.waId ? `+${seed.waId}` : undefined))
      ? [{ kind: 'phone' as const, value: seed.phone ?? `+${seed.waId}`, accountId: ACCOUNT }]
      : []),
  ];
  const { contact } = await store.resolve(businessId, identities, { ...(seed.name ? { name: seed.name } : {}), at });
  if (seed.tags || seed.attributes) {
    if (seed.attributes) {
      const schema = await store.getAttributeSchema(businessId);
      const known = new Set(schema.attributes.map((a) => a.key));
      const missing = Object.entries(seed.attributes).filter(([k]) => !known.has(k));
      if (missing.length > 0) {
        await store.putAttributeSchema(
          businessId,
          {
            attributes: [
              ...schema.attributes,
              ...missing.map(([key, v]) => ({
                key,
                label: key,
                type: typeof v === 'number' ? ('number' as const) : typeof v === 'boolean' ? ('boolean' as const) : ('string' as const),
                visibleToAgents: true,
                editableByAgents: false,
              })),
            ],
          },
          schema.version === 0 ? undefined : schema.version,
          at,
        );
      }
    }
    const updated = await store.update(
      businessId,
      contact.contactId,
      undefined,
      { ...(seed.tags ? { tags: { set: seed.tags } } : {}), ...(seed.attributes ? { attributes: { set: seed.attributes } } : {}) },
      at,
    );
    if (!updated.ok) throw new Error(`seed update refused: ${updated.message}`);
  }
  if (seed.consent) {
    const recorded = await store.recordConsent(businessId, contact.contactId, 'whatsapp', seed.waId ?? '', {
      status: seed.consent,
      scope: 'marketing',
      at: '2026-04-02T10:00:00.000Z',
      source: 'operator',
      recordedBy: 'admin@shop',
      accountId: ACCOUNT,
    });
    if (!recorded.ok) throw new Error(`seed consent refused: ${recorded.message}`);
  }
  return (await store.get(businessId, contact.contactId))!;
}
