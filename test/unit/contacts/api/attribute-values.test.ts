import { describe, expect, it } from 'vitest';
import { checkAttributeChange, checkSavedSchema } from '#lambdas/contacts/api/attribute-values';
import type { AttributeDefinition } from '#lambdas/contacts/contact-model';

const SCHEMA: { attributes: AttributeDefinition[] } = {
  attributes: [
    { key: 'plan', label: 'Plan', type: 'enum', options: ['basic', 'gold'], visibleToAgents: true, editableByAgents: true },
    { key: 'limit', label: 'Limit', type: 'number', visibleToAgents: true, editableByAgents: false },
    { key: 'member', label: 'Member', type: 'boolean', visibleToAgents: true, editableByAgents: true },
    { key: 'since', label: 'Since', type: 'date', visibleToAgents: true, editableByAgents: true },
    { key: 'note', label: 'Note', type: 'string', visibleToAgents: true, editableByAgents: true },
  ],
};
const AGENT = { admin: false };
const ADMIN = { admin: true };

describe('an operator changing attributes', () => {
  it('sets typed values and removes with null', () => {
    expect(checkAttributeChange({ plan: 'gold', member: false, since: '2024-02-29', note: '  likes calls  ', limit: null }, SCHEMA, ADMIN)).toEqual({
      ok: true,
      set: { plan: 'gold', member: false, since: '2024-02-29', note: 'likes calls' },
      remove: ['limit'],
    });
  });

  it('names the attributes an agent may not edit, apart from the ones that are wrong', () => {
    expect(checkAttributeChange({ limit: 10, plan: 'gold' }, SCHEMA, AGENT)).toEqual({ ok: false, problems: [], forbidden: ['limit'] });
    // Removing is changing too.
    expect(checkAttributeChange({ limit: null }, SCHEMA, AGENT)).toMatchObject({ ok: false, forbidden: ['limit'] });
    expect(checkAttributeChange({ limit: 10 }, SCHEMA, ADMIN)).toEqual({ ok: true, set: { limit: 10 }, remove: [] });
  });

  it('refuses values of the wrong type, options not offered, impossible dates, empty texts and unknown keys', () => {
    const checked = checkAttributeChange({ plan: 'platinum', member: 'yes', since: '2023-02-29', note: '   ', unknown: 1, limit: Number.NaN }, SCHEMA, ADMIN);
    expect(checked.ok).toBe(false);
    const problems = checked.ok ? [] : checked.problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'attributes.plan',
      'attributes.member',
      'attributes.since',
      'attributes.note',
      'attributes.unknown',
      'attributes.limit',
    ]);
  });

  it('lets an admin clear a value no definition describes any more, and nobody set one', () => {
    expect(checkAttributeChange({ old_field: null }, SCHEMA, ADMIN)).toEqual({ ok: true, set: {}, remove: ['old_field'] });
    expect(checkAttributeChange({ old_field: null }, SCHEMA, AGENT).ok).toBe(false);
    expect(checkAttributeChange({ old_field: 'x' }, SCHEMA, ADMIN).ok).toBe(false);
  });
});

describe('a schema an admin saves', () => {
  it('takes the definitions with their defaults', () => {
    const checked = checkSavedSchema({ attributes: [{ key: 'plan', label: 'Plan', type: 'enum', options: ['a', 'b'] }] });
    expect(checked).toEqual({
      ok: true,
      value: { attributes: [{ key: 'plan', label: 'Plan', type: 'enum', options: ['a', 'b'], visibleToAgents: true, editableByAgents: false }] },
    });
  });

  it('refuses what cannot hold, naming where', () => {
    const message = (attributes: unknown[]) => {
      const checked = checkSavedSchema({ attributes });
      return checked.ok ? '' : checked.message;
    };
    expect(message([{ key: 'a', label: 'A', type: 'enum' }])).toMatch(/^attributes\.0\.options/);
    expect(message([{ key: 'a', label: 'A', type: 'number', options: ['1'] }])).toMatch(/^attributes\.0\.options/);
    expect(
      message([
        { key: 'a', label: 'A', type: 'string' },
        { key: 'a', label: 'B', type: 'string' },
      ]),
    ).toMatch(/^attributes\.1\.key/);
    expect(message([{ key: 'a', label: 'A', type: 'string', visibleToAgents: false, editableByAgents: true }])).toMatch(/^attributes\.0\.editableByAgents/);
    expect(message([{ key: 'a', label: 'A', type: 'string', extra: 1 }])).not.toBe('');
  });
});
