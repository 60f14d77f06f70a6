import type { Contact } from '#lambdas/contacts/contact-model';
import type { ConversationSnapshot, Integration, IntegrationKind, MapperInput } from '#lambdas/integrations/integration-model';

/** Inputs the CRM mapper tests share: one business, one contact with a first touch, one conversation. */

export const CONTACT_ID = 'c_01JDX2M3N4P5Q6R7S8T9V0W1XY';

export function integration(kind: IntegrationKind, overrides: Partial<Integration> = {}): Integration {
  return {
    businessId: 'b_acme',
    integrationId: `i_${kind}_1`,
    kind,
    name: `${kind} for Acme`,
    baseUrl: 'https://crm.example.com',
    authType: kind === 'salesforce' ? 'oauth_client_credentials' : 'api_key',
    events: ['contact.updated', 'conversation.opened', 'conversation.assigned', 'conversation.closed'],
    rateLimitPerSecond: 10,
    lookup: true,
    enabled: true,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

export function contact(overrides: Partial<Contact> = {}): Contact {
  return {
    businessId: 'b_acme',
    contactId: CONTACT_ID,
    name: 'María José da Silva',
    nameSource: 'profile',
    phoneE164: '+5511987654321',
    language: 'pt',
    identities: [{ kind: 'whatsapp', value: '5511987654321', accountId: '100000000000001', linkedAt: '2026-12-01T10:00:00.000Z', linkedBy: 'channel' }],
    consent: {},
    tags: ['vip', 'wholesale'],
    attributes: {},
    crmIds: {},
    firstTouch: {
      channel: 'whatsapp',
      accountId: '100000000000001',
      conversationKey: 'wa:100000000000001:5511987654321',
      at: '2026-12-01T10:00:00.000Z',
      source: 'ad',
      adId: '120210000000000001',
      headline: 'Summer sale: 20% off',
      ctwaClid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO',
      utm: { source: 'facebook', medium: 'paid', campaign: 'summer' },
    },
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    version: 3,
    ...overrides,
  };
}

export function conversation(overrides: Partial<ConversationSnapshot> = {}): ConversationSnapshot {
  return {
    conversationKey: 'wa:100000000000001:5511987654321',
    channel: 'whatsapp',
    accountId: '100000000000001',
    customerId: '5511987654321',
    state: 'closed',
    openedAt: '2026-12-07T09:00:00.000Z',
    closedAt: '2026-12-07T09:40:00.000Z',
    outcome: 'resolved',
    reason: 'order_status',
    tags: ['late-delivery'],
    assignedAgentId: 'agent_ana',
    queueId: 'q_support',
    summary: 'Customer asked where order 1234 is; the agent shared the tracking link.',
    csatScore: 5,
    ...overrides,
  };
}

export function mapperInput(kind: IntegrationKind, overrides: Partial<MapperInput> = {}): MapperInput {
  return {
    integration: integration(kind),
    eventType: 'conversation.closed',
    eventId: 'evt-0001',
    occurredAt: '2026-12-07T09:40:00.000Z',
    contact: contact(),
    conversation: conversation(),
    ...overrides,
  };
}

/** A value no field should pass through as is: long, with line breaks, quotes, control characters and markup. */
export const HOSTILE = `'); DROP TABLE x; --\n\r\u0000\u0007"<script>alert(1)</script>\\ ${'𝕏'.repeat(40_000)}`;
