import { describe, expect, it } from 'vitest';
import { contactSummary, contactView } from '#lambdas/contacts/api/contact-views';
import type { Contact, ContactMerge } from '#lambdas/contacts/contact-model';

const AT = '2026-03-01T10:00:00.000Z';
const CONTACT: Contact = {
  businessId: 'b1',
  contactId: 'c_01HZX7Q2K8M4N6P8R0T2V4W6Y8',
  name: 'María',
  nameSource: 'profile',
  phoneE164: '+5511987654321',
  identities: [
    { kind: 'whatsapp', value: '5511987654321', accountId: '100', linkedAt: AT, linkedBy: 'channel' },
    { kind: 'phone', value: '+5511987654321', linkedAt: AT, linkedBy: 'channel' },
    { kind: 'messenger', value: '991', accountId: 'page1', linkedAt: AT, linkedBy: 'operator' },
  ],
  consent: { whatsapp: { status: 'opted_in', scope: 'marketing', at: AT, source: 'customer_message', evidenceText: 'SI' } },
  tags: ['vip'],
  attributes: { plan: 'gold', secret: 'x', gone: 3 },
  crmIds: { hubspot: '9' },
  createdAt: AT,
  updatedAt: AT,
  version: 4,
};
const SCHEMA = {
  attributes: [
    { key: 'plan', label: 'Plan', type: 'string' as const, visibleToAgents: true, editableByAgents: false },
    { key: 'secret', label: 'Secret', type: 'string' as const, visibleToAgents: false, editableByAgents: false },
    { key: 'birthday', label: 'Birthday', type: 'date' as const, visibleToAgents: true, editableByAgents: true },
  ],
};

describe('what operators are shown of a contact', () => {
  it('summarises a search result by the channels the contact is on', () => {
    expect(contactSummary(CONTACT)).toEqual({
      contactId: CONTACT.contactId,
      name: 'María',
      phoneE164: '+5511987654321',
      channels: ['whatsapp', 'messenger'],
      tags: ['vip'],
    });
  });

  it("gives agents the visible attributes with their labels, and every channel's consent", () => {
    const view = contactView(CONTACT, { schema: SCHEMA, merges: [], admin: false });
    expect(view.attributes).toEqual([
      { key: 'plan', label: 'Plan', type: 'string', value: 'gold', editable: false, defined: true },
      { key: 'birthday', label: 'Birthday', type: 'date', editable: true, defined: true },
    ]);
    expect(view.consent).toEqual({ whatsapp: CONTACT.consent.whatsapp, instagram: null, messenger: null });
    expect(view.identities.map((i) => i.channel)).toEqual(['whatsapp', 'phone', 'messenger']);
    expect(JSON.stringify(view)).not.toContain('"x"');
  });

  it('gives admins every attribute, values left from removed definitions last', () => {
    const view = contactView(CONTACT, { schema: SCHEMA, merges: [], admin: true });
    expect(view.attributes.map((a) => [a.key, a.editable, a.defined])).toEqual([
      ['plan', true, true],
      ['secret', true, true],
      ['birthday', true, true],
      ['gone', false, false],
    ]);
  });

  it('summarises merges newest first, without the snapshots kept for undoing them', () => {
    const merge = (mergeId: string, at: string): ContactMerge => ({
      businessId: 'b1',
      mergeId,
      survivorId: CONTACT.contactId,
      absorbedId: 'c_01HZX7Q2K8M4N6P8R0T2V4W6Y9',
      at,
      by: 'ana',
      absorbedBefore: { ...CONTACT, contactId: 'c_01HZX7Q2K8M4N6P8R0T2V4W6Y9', name: 'Mari', identities: [CONTACT.identities[2]!] },
      survivorBefore: CONTACT,
    });
    const view = contactView(CONTACT, {
      schema: SCHEMA,
      merges: [merge('m_1', AT), { ...merge('m_2', '2026-03-02T10:00:00.000Z'), undoneAt: '2026-03-03T00:00:00.000Z', undoneBy: 'bob' }],
      admin: false,
    });
    expect(view.merges.map((m) => m.mergeId)).toEqual(['m_2', 'm_1']);
    expect(view.merges[0]).toEqual({
      mergeId: 'm_2',
      survivorId: CONTACT.contactId,
      absorbedId: 'c_01HZX7Q2K8M4N6P8R0T2V4W6Y9',
      absorbedName: 'Mari',
      absorbedIdentities: [{ kind: 'messenger', channel: 'messenger', value: '991' }],
      at: '2026-03-02T10:00:00.000Z',
      by: 'ana',
      undoneAt: '2026-03-03T00:00:00.000Z',
      undoneBy: 'bob',
    });
    expect(JSON.stringify(view.merges)).not.toContain('survivorBefore');
  });
});
