import { describe, expect, it } from 'vitest';
import { fillMacro, macroText } from '#lambdas/workspace/fill-macro';

describe('macroText', () => {
  const macro = { texts: { en: 'Hello', pt: 'Olá' } };
  it('uses the conversation language when the macro has it', () => {
    expect(macroText(macro, 'pt')).toEqual({ language: 'pt', text: 'Olá' });
    expect(macroText({ texts: { es: 'Hola', en: 'Hello' } }, 'es-MX')).toEqual({ language: 'es', text: 'Hola' });
  });
  it('falls back es → en → pt over what exists', () => {
    expect(macroText(macro, 'es')).toEqual({ language: 'en', text: 'Hello' });
    expect(macroText({ texts: { es: 'Hola', pt: 'Olá' } }, 'en')).toEqual({ language: 'es', text: 'Hola' });
    expect(macroText({ texts: { pt: 'Olá' } }, undefined)).toEqual({ language: 'pt', text: 'Olá' });
  });
});

describe('fillMacro', () => {
  it('fills the known variables', () => {
    expect(
      fillMacro('Hola {first_name}, soy {agent_name}. Tu pedido {order_id} ({name}) va en camino.', {
        customerName: 'María  José Pérez',
        agentName: 'Marta',
        captured: { order_id: 'A-1234' },
      }),
    ).toBe('Hola María, soy Marta. Tu pedido A-1234 (María José Pérez) va en camino.');
  });

  it('leaves a missing value out cleanly: never a {variable} to the customer', () => {
    expect(fillMacro('Hola {first_name}, ¿en qué te ayudo?', {})).toBe('Hola, ¿en qué te ayudo?');
    expect(fillMacro('¡Hola {first_name}!', {})).toBe('¡Hola!');
    expect(fillMacro('{first_name}, tu pedido {order_id} está listo', {})).toBe('tu pedido está listo');
    expect(fillMacro('Gracias {name}.\nSoy {agent_name}', { agentName: 'Ana' })).toBe('Gracias.\nSoy Ana');
    expect(fillMacro('Hi {unknown_thing} there', {})).toBe('Hi there');
  });

  it('does not expand variables inside values', () => {
    expect(fillMacro('Hi {name}', { customerName: '{agent_name}', agentName: 'Ana' })).toBe('Hi {agent_name}');
  });
});
