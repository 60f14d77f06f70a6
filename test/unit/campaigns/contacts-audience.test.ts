import { describe, expect, it } from 'vitest';
import type { AudienceChunk } from '#lambdas/campaigns/audience/audience-types';
import { consentVerdict } from '#lambdas/campaigns/audience/consent-rule';
import { contactsAudience, type ContactsAudienceInput } from '#lambdas/campaigns/audience/contacts-audience';
import { waIdOfContact } from '#lambdas/campaigns/audience/contact-wa-id';
import type { ContactsAudience } from '#lambdas/campaigns/campaign-model';
import { inMemoryContactStore } from '#test/helpers/in-memory-contact-store';
import { BUSINESS, RIVAL, saleTemplate, seedContact, shippingTemplate } from '#test/helpers/campaign-fixtures';
import { AudienceTooLargeError } from '#lambdas/campaigns/errors';

const saleVariables: ContactsAudience['variables'] = {
  '1': { from: 'contact', field: 'first_name', fallback: 'cliente' },
  '2': { from: 'text', value: '20' },
  'button.0': { from: 'attribute', key: 'coupon' },
};

async function walk(input: Omit<ContactsAudienceInput, 'businessId'> & { businessId?: string }) {
  const chunks: AudienceChunk[] = [];
  for await (const chunk of contactsAudience({ businessId: BUSINESS, pageSize: 3, ...input })) chunks.push(chunk);
  const recipients = chunks.flatMap((c) => c.recipients);
  const skipped: Record<string, number> = {};
  for (const c of chunks) for (const [k, n] of Object.entries(c.skipped)) skipped[k] = (skipped[k] ?? 0) + n!;
  return { recipients, skipped };
}

describe('consent by template category', () => {
  const contact = (status?: 'opted_in' | 'opted_out') => ({
    consent: status ? { whatsapp: { status, scope: 'marketing' as const, at: '2026-01-01T00:00:00Z', source: 'operator' as const } } : {},
  });
  it('sends marketing only with an opt-in, never to an opt-out, and utility to anyone not opted out', () => {
    expect(consentVerdict(contact('opted_in'), 'marketing')).toEqual({ send: true });
    expect(consentVerdict(contact(), 'marketing')).toEqual({ send: false, reason: 'no_consent' });
    expect(consentVerdict(undefined, 'marketing')).toEqual({ send: false, reason: 'no_consent' });
    expect(consentVerdict(contact('opted_out'), 'marketing')).toEqual({ send: false, reason: 'opted_out' });
    expect(consentVerdict(contact(), 'utility')).toEqual({ send: true });
    expect(consentVerdict(undefined, 'authentication')).toEqual({ send: true });
    expect(consentVerdict(contact('opted_out'), 'utility')).toEqual({ send: false, reason: 'opted_out' });
    expect(consentVerdict(contact('opted_out'), 'authentication')).toEqual({ send: false, reason: 'opted_out' });
  });

  it("sends to the contact's WhatsApp id as WhatsApp reported it, else its E.164 number", () => {
    expect(waIdOfContact({ identities: [{ kind: 'whatsapp', value: '5215512345678', linkedAt: '', linkedBy: 'channel' }], phoneE164: '+525512345678' })).toBe(
      '5215512345678',
    );
    expect(waIdOfContact({ identities: [], phoneE164: '+5511987654321' })).toBe('5511987654321');
    expect(waIdOfContact({ identities: [{ kind: 'instagram', value: 'IGSID', accountId: '1', linkedAt: '', linkedBy: 'channel' }] })).toBeUndefined();
  });
});

describe('a contacts audience', () => {
  it('lists the contacts matching the filters with consent for marketing, once each, with their variables', async () => {
    const contacts = inMemoryContactStore();
    const ana = await seedContact(contacts, {
      waId: '5511900000001',
      name: 'Ana Souza',
      tags: ['vip', 'sp'],
      attributes: { coupon: 'ANA20' },
      consent: 'opted_in',
    });
    await seedContact(contacts, { waId: '5511900000002', name: 'Bruno', tags: ['vip'], attributes: { coupon: 'B' }, consent: 'opted_out' });
    await seedContact(contacts, { waId: '5511900000003', name: 'Carla', tags: ['vip'], attributes: { coupon: 'C' } });
    await seedContact(contacts, { waId: '5511900000004', name: 'Dora', tags: ['vip', 'churned'], attributes: { coupon: 'D' }, consent: 'opted_in' });
    await seedContact(contacts, { waId: '5511900000005', name: 'Eva', tags: ['other'], consent: 'opted_in' });
    const noName = await seedContact(contacts, { waId: '5511900000006', tags: ['vip'], attributes: { coupon: 'F' }, consent: 'opted_in' });
    await seedContact(contacts, { waId: '5511900000007', name: 'Gil', tags: ['vip'], consent: 'opted_in' });
    const ig = await contacts.resolve(BUSINESS, [{ kind: 'instagram', value: 'IGSID-1', accountId: '1784' }], { name: 'Insta', at: '2026-04-01T00:00:00Z' });
    await contacts.update(BUSINESS, ig.contact.contactId, undefined, { tags: { set: ['vip'] } }, '2026-04-01T00:00:00Z');
    await seedContact(contacts, { waId: '5511900000009', name: 'Rival', tags: ['vip'], attributes: { coupon: 'R' }, consent: 'opted_in' }, RIVAL);

    const { recipients, skipped } = await walk({
      audience: { kind: 'contacts', tags: ['VIP'], excludeTags: ['churned'], variables: saleVariables },
      template: { template: saleTemplate, category: 'marketing' },
      contacts,
    });
    expect(recipients).toEqual([
      { waId: '5511900000001', contactId: ana.contactId, variables: { '1': 'Ana', '2': '20', 'button.0': 'ANA20' } },
      { waId: '5511900000006', contactId: noName.contactId, variables: { '1': 'cliente', '2': '20', 'button.0': 'F' } },
    ]);
    // Gil has no coupon and the button has no fallback; the Instagram-only contact has no number.
    expect(skipped).toEqual({ opted_out: 1, no_consent: 1, invalid_variables: 1, not_whatsapp: 1 });
  });

  it('reaches everyone not opted out with a utility template, and filters on attributes', async () => {
    const contacts = inMemoryContactStore();
    await seedContact(contacts, { waId: '5511900000001', name: 'Ana Souza', attributes: { order: 'A-1', plan: 'gold' } });
    await seedContact(contacts, { waId: '5511900000002', name: 'Bruno', attributes: { order: 'B-2', plan: 'gold' }, consent: 'opted_out' });
    await seedContact(contacts, { waId: '5511900000003', name: 'Carla', attributes: { order: 'C-3', plan: 'basic' } });
    await seedContact(contacts, { waId: '5511900000004', name: 'Dora', attributes: { order: 'D\tX', plan: 'gold' } });
    const { recipients, skipped } = await walk({
      audience: {
        kind: 'contacts',
        attributes: { plan: 'gold' },
        variables: { 'header.first_name': { from: 'contact', field: 'first_name' }, order: { from: 'attribute', key: 'order' } },
      },
      template: { template: shippingTemplate, category: 'utility' },
      contacts,
    });
    expect(recipients.map((r) => [r.waId, r.variables])).toEqual([['5511900000001', { 'header.first_name': 'Ana', order: 'A-1' }]]);
    // A tab in a body parameter is refused by Meta (132018): left off, not sent to fail.
    expect(skipped).toEqual({ opted_out: 1, invalid_variables: 1 });
  });

  it('stops with an error past the campaign limit', async () => {
    const contacts = inMemoryContactStore();
    for (let i = 0; i < 4; i++) await seedContact(contacts, { waId: `551190000001${i}`, name: `P${i}`, consent: 'opted_in' });
    await expect(
      walk({
        audience: {
          kind: 'contacts',
          variables: { '1': { from: 'text', value: 'x' }, '2': { from: 'text', value: '1' }, 'button.0': { from: 'text', value: 'c' } },
        },
        template: { template: saleTemplate, category: 'marketing' },
        contacts,
        maxRecipients: 3,
      }),
    ).rejects.toBeInstanceOf(AudienceTooLargeError);
  });
});
