import { describe, expect, it } from 'vitest';
import {
  cleanTags,
  conversationRecordId,
  crmContactId,
  isStandInName,
  joinedTags,
  line,
  paragraph,
  splitName,
  token,
} from '#lambdas/integrations/mappers/crm-fields';
import { CONTACT_ID } from '#test/unit/integrations/mappers/crm-mapper-fixtures';

describe('CRM field values', () => {
  it('keeps our contact ids and hashes anything else into a URL-safe id', () => {
    expect(crmContactId(CONTACT_ID)).toBe(CONTACT_ID);
    expect(crmContactId('c_a/../b')).toMatch(/^ch_[0-9a-f]{40}$/);
    expect(crmContactId('c_a/../b')).toBe(crmContactId('c_a/../b'));
    expect(crmContactId('x'.repeat(10_000))).toHaveLength(43);
  });

  it('names a conversation session by its key and opening, without the customer’s number in it', () => {
    const id = conversationRecordId({ conversationKey: 'wa:100000000000001:5511987654321', openedAt: '2026-12-07T09:00:00.000Z' });
    expect(id).toMatch(/^cv_[0-9a-f]{40}$/);
    expect(id).not.toContain('5511987654321');
    expect(conversationRecordId({ conversationKey: 'wa:100000000000001:5511987654321', openedAt: '2026-12-08T09:00:00.000Z' })).not.toBe(id);
  });

  it('makes one clean line, cut without splitting a character', () => {
    expect(line('  a\r\nb\tc\u0000d  ', 100)).toBe('a b cd');
    expect(line('   ', 10)).toBeUndefined();
    const emoji = '😀'.repeat(10);
    const cut = line(emoji, 5)!;
    expect(cut.length).toBeLessThanOrEqual(5);
    expect(cut).toBe('😀😀');
    expect(paragraph('a\r\nb\u0007', 10)).toBe('a\nb');
  });

  it('splits names into first and last, a single word being the last name', () => {
    expect(splitName('Ana Maria Souza', 40, 80)).toEqual({ first: 'Ana', last: 'Maria Souza' });
    expect(splitName('Cher', 40, 80)).toEqual({ last: 'Cher' });
    expect(splitName(undefined, 40, 80)).toEqual({});
    const long = splitName(`${'a'.repeat(100)} ${'b'.repeat(200)}`, 40, 80);
    expect(long.first!.length).toBeLessThanOrEqual(40);
    expect(long.last!.length).toBeLessThanOrEqual(80);
  });

  it('cleans tags and joins them without cutting one in half', () => {
    expect(cleanTags(['VIP', 'vip', ' new\n', ''])).toEqual(['vip', 'new']);
    expect(joinedTags(['alpha', 'beta', 'gamma'], ';', 11)).toBe('alpha;beta');
    expect(token('Resolved by Bot!')).toBe('resolved_by_bot');
    expect(token('***')).toBeUndefined();
  });

  it('recognises the stand-in names the mappings give contacts without one', () => {
    const c = { contactId: CONTACT_ID, phoneE164: '+5511987654321' };
    expect(isStandInName('+5511987654321', c)).toBe(true);
    expect(isStandInName(CONTACT_ID, c)).toBe(true);
    expect(isStandInName('Ana', c)).toBe(false);
  });
});
