import { describe, expect, it } from 'vitest';
import { checkAttributeSchema, checkAttributeValues, fittingAttributeValues } from '#lambdas/contacts/contact-attributes';
import type { AttributeDefinition } from '#lambdas/contacts/contact-model';

const def = (key: string, type: AttributeDefinition['type'], options?: string[]): AttributeDefinition => ({
  key,
  label: key,
  type,
  visibleToAgents: true,
  editableByAgents: false,
  ...(options ? { options } : {}),
});
const schema = {
  attributes: [def('plan', 'enum', ['free', 'pro']), def('orders', 'number'), def('vip', 'boolean'), def('since', 'date'), def('note', 'string')],
};

describe('contact attributes', () => {
  it('accepts values of each type and refuses the rest with the field named', () => {
    expect(checkAttributeValues(schema, { plan: 'pro', orders: 2.5, vip: false, since: '2024-02-29', note: '' })).toEqual({
      ok: true,
      value: { plan: 'pro', orders: 2.5, vip: false, since: '2024-02-29', note: '' },
    });
    expect(checkAttributeValues(schema, { since: '2026-05-04T10:00:00-03:00' }).ok).toBe(true);
    for (const bad of [
      { orders: Number.NaN },
      { orders: Infinity },
      { since: '2023-02-29' },
      { since: '04/05/2026' },
      { since: '2026-05-04T10:00:00' },
      { vip: 1 },
      { plan: 'PRO' },
      { note: 3 },
    ]) {
      const result = checkAttributeValues(schema, bad);
      expect(result.ok, JSON.stringify(bad)).toBe(false);
      if (!result.ok) expect(result.message).toMatch(new RegExp(`^attributes\\.${Object.keys(bad)[0]}: `));
    }
    expect(checkAttributeValues(schema, Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 1])))).toMatchObject({
      ok: false,
      message: /at most 100/,
    });
  });

  it('keeps only what fits from a CRM', () => {
    expect(fittingAttributeValues(schema, { plan: 'gold', orders: 7, unknown: 'x', vip: true })).toEqual({ orders: 7, vip: true });
  });

  it('checks a schema: unique keys, options for enums only', () => {
    expect(checkAttributeSchema(schema).ok).toBe(true);
    expect(checkAttributeSchema({ attributes: [def('a', 'string'), def('a', 'number')] })).toMatchObject({ ok: false, message: /defined twice/ });
    expect(checkAttributeSchema({ attributes: [def('a', 'enum')] })).toMatchObject({ ok: false, message: /enum lists/ });
    expect(checkAttributeSchema({ attributes: [def('a', 'string', ['x'])] })).toMatchObject({ ok: false, message: /only an enum/ });
    expect(checkAttributeSchema({ attributes: [def('a', 'enum', ['x', 'x'])] })).toMatchObject({ ok: false, message: /each value once/ });
    expect(checkAttributeSchema({ attributes: [{ ...def('a', 'string'), extra: 1 }] }).ok).toBe(false);
    expect(checkAttributeSchema({ attributes: Array.from({ length: 101 }, (_, i) => def(`k${i}`, 'string')) }).ok).toBe(false);
  });
});
