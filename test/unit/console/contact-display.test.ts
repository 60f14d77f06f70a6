import { describe, expect, it } from 'vitest';
import {
  attributeFromInput,
  changedAttributes,
  consentChannels,
  definitionsOf,
  firstTouchFacts,
  identitiesByChannel,
  looksLikeConversationKey,
  schemaRowProblems,
  schemaRows,
  type AttributeView,
  type IdentityView,
} from '../../../console/src/lib/contact-display.ts';

const at = '2026-03-01T00:00:00.000Z';
const identity = (kind: IdentityView['kind'], channel: IdentityView['channel'], value: string): IdentityView => ({
  kind,
  channel,
  value,
  linkedAt: at,
  linkedBy: 'channel',
});

describe('the contact panel', () => {
  it('groups identities by channel, phones last', () => {
    const groups = identitiesByChannel([
      identity('phone', 'phone', '+1'),
      identity('instagram', 'instagram', '9'),
      identity('whatsapp_bsuid', 'whatsapp', 'BR.1'),
      identity('whatsapp', 'whatsapp', '1'),
    ]);
    expect(groups.map((g) => [g.channel, g.identities.map((i) => i.value)])).toEqual([
      ['whatsapp', ['BR.1', '1']],
      ['instagram', ['9']],
      ['phone', ['+1']],
    ]);
    expect(consentChannels({ identities: [identity('phone', 'phone', '+1'), identity('messenger', 'messenger', '5')] })).toEqual(['messenger']);
  });

  it('reads form fields as typed attribute values, an empty field as removal', () => {
    expect(attributeFromInput({ type: 'number' }, '1,5')).toEqual({ value: 1.5 });
    expect(attributeFromInput({ type: 'number' }, 'ten')).toEqual({ invalid: true });
    expect(attributeFromInput({ type: 'enum', options: ['a'] }, 'b')).toEqual({ invalid: true });
    expect(attributeFromInput({ type: 'date' }, '2026-03-01')).toEqual({ value: '2026-03-01' });
    expect(attributeFromInput({ type: 'boolean' }, false)).toEqual({ value: false });
    expect(attributeFromInput({ type: 'string' }, '   ')).toEqual({ value: null });
  });

  it('sends only the attributes that changed, and never the read-only ones', () => {
    const attributes: AttributeView[] = [
      { key: 'plan', label: 'Plan', type: 'enum', options: ['a', 'b'], value: 'a', editable: true, defined: true },
      { key: 'limit', label: 'Limit', type: 'number', value: 5, editable: false, defined: true },
      { key: 'vip', label: 'VIP', type: 'boolean', editable: true, defined: true },
      { key: 'age', label: 'Age', type: 'number', value: 30, editable: true, defined: true },
    ];
    expect(changedAttributes(attributes, { plan: 'a', limit: '9', vip: true, age: '' })).toEqual({ change: { vip: true, age: null }, invalid: [] });
    expect(changedAttributes(attributes, { age: 'old' })).toEqual({ change: {}, invalid: ['age'] });
  });

  it('shows the first touch that is known, UTM parameters together', () => {
    expect(
      firstTouchFacts({
        channel: 'whatsapp',
        accountId: '1',
        conversationKey: 'k',
        at,
        source: 'ad',
        headline: 'Promo',
        utm: { source: 'fb', campaign: 'spring' },
      }),
    ).toEqual([
      ['contacts.touch.source', 'ad'],
      ['contacts.touch.channel', 'whatsapp'],
      ['contacts.touch.headline', 'Promo'],
      ['contacts.touch.utm', 'source=fb · campaign=spring'],
    ]);
    expect(firstTouchFacts(undefined)).toEqual([]);
  });

  it('recognises a conversation key typed into the merge search', () => {
    expect(looksLikeConversationKey('wa:100:5511987654321')).toBe(true);
    expect(looksLikeConversationKey('María')).toBe(false);
    expect(looksLikeConversationKey('+55 11 9876')).toBe(false);
  });
});

describe('the attribute schema editor', () => {
  it('round-trips definitions, options only for a list, editable only when visible', () => {
    const rows = schemaRows([{ key: 'plan', label: 'Plan', type: 'enum', options: ['a', 'b'], visibleToAgents: true, editableByAgents: true }]);
    expect(rows).toEqual([{ key: 'plan', label: 'Plan', type: 'enum', options: 'a, b', visibleToAgents: true, editableByAgents: true }]);
    expect(
      definitionsOf([
        { ...rows[0]!, options: 'a, b, a, ' },
        { key: 'n ', label: ' N', type: 'number', options: 'x', visibleToAgents: false, editableByAgents: true },
      ]),
    ).toEqual([
      { key: 'plan', label: 'Plan', type: 'enum', options: ['a', 'b'], visibleToAgents: true, editableByAgents: true },
      { key: 'n', label: 'N', type: 'number', visibleToAgents: false, editableByAgents: false },
    ]);
  });

  it('points at the rows that cannot be saved', () => {
    const row = { key: 'a', label: 'A', type: 'string' as const, options: '', visibleToAgents: true, editableByAgents: false };
    expect(
      schemaRowProblems([row, { ...row }, { ...row, key: 'Bad' }, { ...row, key: 'e', type: 'enum', options: ' , ' }, { ...row, key: 'l', label: ' ' }]),
    ).toEqual([
      [1, 'contacts.schema.duplicateKey'],
      [2, 'contacts.schema.badKey'],
      [3, 'contacts.schema.noOptions'],
      [4, 'contacts.schema.noLabel'],
    ]);
  });
});
