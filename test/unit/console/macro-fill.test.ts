import { describe, expect, it } from 'vitest';
import { fillMacro, fillTemplate, firstNameOf, macroText, macroVariables, templateParameterCount } from '../../../console/src/lib/macro-fill.ts';

describe('macro preview', () => {
  it('fills the known variables and names the missing ones', () => {
    const out = fillMacro('Hola {first_name}, soy {agent_name}. Tu pedido {order_id} {first_name}', { first_name: 'María', agent_name: 'Ana' });
    expect(out.text).toBe('Hola María, soy Ana. Tu pedido {order_id} María');
    expect(out.missing).toEqual(['order_id']);
  });

  it('does not read inherited properties as values', () => {
    expect(fillMacro('{constructor} {toString}', {}).missing).toEqual(['constructor']);
    expect(fillMacro('{constructor}', {}).text).toBe('{constructor}');
  });

  it('lists variables once, finds first names, picks the language', () => {
    expect(macroVariables('{name} {name} {order_id}')).toEqual(['name', 'order_id']);
    expect(firstNameOf('  María José Pérez ')).toBe('María');
    expect(firstNameOf('  ')).toBeUndefined();
    expect(macroText({ en: 'Hi', pt: 'Oi' }, 'pt')).toBe('Oi');
    expect(macroText({ en: 'Hi' }, 'es')).toBe('Hi');
  });

  it('numbers template parameters', () => {
    expect(templateParameterCount('Hola {{1}}, tu pedido {{2}} llega {{2}}')).toBe(2);
    expect(templateParameterCount(undefined, 3)).toBe(3);
    expect(templateParameterCount('no params')).toBe(0);
    expect(fillTemplate('Hola {{1}}, pedido {{2}}', ['Ana'])).toBe('Hola Ana, pedido {{2}}');
  });
});
