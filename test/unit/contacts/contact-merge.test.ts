import { describe, expect, it } from 'vitest';
import { mergeContacts, unmergedSurvivor } from '#lambdas/contacts/contact-merge';
import type { Contact } from '#lambdas/contacts/contact-model';

const base = (over: Partial<Contact>): Contact => ({
  businessId: 'shop',
  contactId: 'c_A',
  identities: [],
  consent: {},
  tags: [],
  attributes: {},
  crmIds: {},
  createdAt: '2026-01-05T00:00:00.000Z',
  updatedAt: '2026-01-05T00:00:00.000Z',
  version: 3,
  ...over,
});

const survivor = base({
  contactId: 'c_S',
  name: 'Ana',
  nameSource: 'operator',
  phoneE164: '+5511987654321',
  identities: [{ kind: 'whatsapp', value: '5511987654321', accountId: '100', linkedAt: '2026-01-05T00:00:00.000Z', linkedBy: 'channel' }],
  consent: { whatsapp: { status: 'opted_in', scope: 'marketing', at: '2026-01-06T00:00:00.000Z', source: 'form' } },
  tags: ['vip'],
  attributes: { plan: 'pro', orders: 3 },
  crmIds: { hubspot: '1', salesforce: '003S', salesforceObject: 'Contact' },
  firstTouch: { channel: 'whatsapp', accountId: '100', conversationKey: 'wa:100:1', at: '2026-01-05T00:00:00.000Z', source: 'ad' },
});
const absorbed = base({
  contactId: 'c_X',
  name: 'ana.ig',
  nameSource: 'profile',
  language: 'pt',
  identities: [{ kind: 'instagram', value: 'IGSID', accountId: '1784', linkedAt: '2026-01-01T00:00:00.000Z', linkedBy: 'channel' }],
  consent: {
    whatsapp: { status: 'opted_out', scope: 'marketing', at: '2026-01-07T00:00:00.000Z', source: 'customer_message' },
    instagram: { status: 'opted_out', scope: 'marketing', at: '2026-01-02T00:00:00.000Z', source: 'customer_message' },
  },
  tags: ['instagram-lead', 'vip'],
  attributes: { plan: 'free', city: 'Recife' },
  crmIds: { hubspot: '2', salesforce: '00QX', salesforceObject: 'Lead', zendesk: 'z' },
  firstTouch: { channel: 'instagram', accountId: '1784', conversationKey: 'ig:1784:IGSID', at: '2026-01-01T00:00:00.000Z', source: 'post' },
  createdAt: '2026-01-01T00:00:00.000Z',
});
const AT = '2026-02-01T00:00:00.000Z';

describe('merging contacts', () => {
  it('lets the survivor win conflicts, the latest consent per channel and the earliest first touch stand, and joins the rest', () => {
    const merged = mergeContacts(survivor, absorbed, AT);
    expect(merged).toMatchObject({
      contactId: 'c_S',
      name: 'Ana',
      nameSource: 'operator',
      language: 'pt',
      phoneE164: '+5511987654321',
      tags: ['vip', 'instagram-lead'],
      attributes: { plan: 'pro', orders: 3, city: 'Recife' },
      crmIds: { hubspot: '1', salesforce: '003S', salesforceObject: 'Contact', zendesk: 'z' },
      firstTouch: { source: 'post' },
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(merged.consent.whatsapp?.status).toBe('opted_out');
    expect(merged.consent.instagram?.status).toBe('opted_out');
    expect(merged.identities.map((i) => [i.kind, i.linkedBy])).toEqual([
      ['whatsapp', 'channel'],
      ['instagram', 'merge'],
    ]);
  });

  it('undoes a merge, keeping what the survivor changed itself since', () => {
    const merged = mergeContacts(survivor, absorbed, AT);
    const later: Contact = { ...merged, tags: [...merged.tags, 'returning'], attributes: { ...merged.attributes, city: 'Olinda' } };
    const undone = unmergedSurvivor(later, survivor, absorbed);
    expect(undone).toMatchObject({
      name: 'Ana',
      tags: ['vip', 'returning'],
      // `city` changed after the merge: the survivor's own value now.
      attributes: { plan: 'pro', orders: 3, city: 'Olinda' },
      crmIds: { hubspot: '1', salesforce: '003S', salesforceObject: 'Contact' },
      firstTouch: { source: 'ad' },
      createdAt: survivor.createdAt,
    });
    expect(undone.language).toBeUndefined();
    expect(undone.crmIds.zendesk).toBeUndefined();
    expect(undone.consent).toEqual(survivor.consent);
    expect(undone.identities).toEqual(survivor.identities);
  });

  it('round-trips an untouched merge to the survivor as it was', () => {
    const undone = unmergedSurvivor(mergeContacts(survivor, absorbed, AT), survivor, absorbed);
    expect(undone).toEqual(survivor);
  });
});
