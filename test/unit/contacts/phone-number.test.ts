import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { e164FromWaId, isE164, normalizePhoneNumber } from '#lambdas/contacts/phone-number';

describe('phone numbers in E.164', () => {
  it.each([
    ['5511987654321', '+5511987654321'],
    ['14155552671', '+14155552671'],
    ['447700900123', '+447700900123'],
    ['8613800138000', '+8613800138000'],
    // Mexico's mobile numbers still come with the dropped mobile 1.
    ['5215512345678', '+525512345678'],
    ['5491123456789', '+5491123456789'],
  ])('reads the wa_id %s as %s', (waId, e164) => {
    expect(e164FromWaId(waId)).toBe(e164);
  });

  it.each(['12', '999999999999', '+5511987654321', 'abc', '', '0'.repeat(5_000)])('finds no number in the wa_id %j', (waId) => {
    expect(e164FromWaId(waId)).toBeUndefined();
  });

  it.each([
    ['+55 (11) 98765-4321', '+5511987654321'],
    ['0044 7700 900123', '+447700900123'],
    ['+52 1 55 1234 5678', '+525512345678'],
    ['1 415 555 2671', '+14155552671'],
  ])('normalizes what a person typed, %j, to %s', (typed, e164) => {
    expect(normalizePhoneNumber(typed)).toBe(e164);
  });

  it.each(['call me', '+55 11 9876x4321', `+${'5'.repeat(100)}`, '+', '++5511987654321'])('refuses %j', (typed) => {
    expect(normalizePhoneNumber(typed)).toBeUndefined();
  });

  it('only ever returns E.164, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const out = normalizePhoneNumber(text);
        return out === undefined || isE164(out);
      }),
    );
  });
});
