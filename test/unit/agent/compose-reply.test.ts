import { describe, expect, it } from 'vitest';
import { composeReply, isOnlyGreeting } from '#lambdas/agent/compose-reply';
import { detectLanguage } from '#lambdas/agent/detect-language';

const text = (t: string) => ({ type: 'text', text: t });

describe('detectLanguage', () => {
  it.each([
    ['hi, where is my order?', 'en'],
    ['Hello, I need help with my order please', 'en'],
    ['hola, quiero saber el estado de mi pedido', 'es'],
    ['¿Dónde está mi pedido?', 'es'],
    ['buenas tardes', 'es'],
    ['olá, quero saber do meu pedido', 'pt'],
    ['oi, tudo bem? preciso de ajuda', 'pt'],
    ['Não recebi minha encomenda', 'pt'],
  ])('%s → %s', (input, expected) => {
    expect(detectLanguage(input)).toBe(expected);
  });

  it('keeps the fallback when nothing tells the languages apart', () => {
    expect(detectLanguage('ok 👍', 'pt')).toBe('pt');
    expect(detectLanguage('12345')).toBe('en');
    // "de" and "que" belong to Spanish and Portuguese alike: the conversation's language decides.
    expect(detectLanguage('de que', 'pt')).toBe('pt');
    expect(detectLanguage('de que', 'es')).toBe('es');
  });
});

describe('isOnlyGreeting', () => {
  it.each(['hi', 'Hello!', 'hey there', 'Hola', 'buenos días', 'Olá!!', 'oi, tudo bem?', 'bom dia', 'hi, how are you?'])(
    '%s is a greeting',
    (t) => expect(isOnlyGreeting(t)).toBe(true),
  );
  it.each(['hi, where is my order?', 'hola necesito ayuda', 'thanks', '', '👍'])('%s is not only a greeting', (t) =>
    expect(isOnlyGreeting(t)).toBe(false),
  );
});

describe('composeReply', () => {
  it('greets with a menu of at most three choices whose titles fit a WhatsApp button', () => {
    for (const [greeting, language] of [
      ['hi', 'en'],
      ['hola', 'es'],
      ['olá', 'pt'],
    ] as const) {
      const reply = composeReply([text(greeting)]);
      expect(reply.kind).toBe('menu');
      expect(reply.language).toBe(language);
      expect(reply.options).toHaveLength(3);
      for (const option of reply.options ?? []) {
        expect([...option.title].length).toBeLessThanOrEqual(20);
        expect(option.id).toMatch(/^menu:/);
      }
      expect(new Set(reply.options?.map((o) => o.title)).size).toBe(3);
    }
    expect(composeReply([text('hola')]).text).toContain('¿En qué podemos ayudarte');
  });

  it('treats a burst of greetings as a greeting', () => {
    expect(composeReply([text('hi'), text('hello?')]).kind).toBe('menu');
  });

  it('answers a tapped menu choice in the language of the menu it came from', () => {
    const menu = composeReply([text('hola')]);
    const order = menu.options!.find((o) => o.id === 'menu:order_status')!;
    const reply = composeReply([{ type: 'choice', choiceId: order.id, choiceTitle: order.title, text: order.title }]);
    expect(reply).toEqual({ language: 'es', kind: 'choice_answer', text: 'Envíanos tu número de pedido y revisaremos su estado.' });

    const person = composeReply([{ type: 'choice', choiceId: 'menu:talk_to_person', choiceTitle: 'Falar com atendente' }]);
    expect(person.language).toBe('pt');
    expect(person.text).toContain('Uma pessoa da nossa equipe');
  });

  it('acknowledges anything else, in the customer language, and says hello back when greeted', () => {
    expect(composeReply([text('hola'), text('mi pedido no llegó')])).toEqual({
      language: 'es',
      kind: 'handoff_ack',
      text: '¡Hola! ¡Gracias por tu mensaje! Una persona de nuestro equipo te responderá aquí en breve.',
    });
    expect(composeReply([text('where is my order 1234?')])).toMatchObject({ language: 'en', kind: 'handoff_ack' });
    expect(composeReply([text('where is my order 1234?')]).text).not.toMatch(/^Hi!/);
    expect(composeReply([text('oi'), { type: 'image' }])).toMatchObject({ language: 'pt', kind: 'handoff_ack' });
  });

  it('does not treat an unknown choice (a template button, say) as a menu choice', () => {
    const reply = composeReply([{ type: 'choice', choiceId: 'promo:stop', choiceTitle: 'Stop promotions' }]);
    expect(reply.kind).toBe('handoff_ack');
  });

  it('falls back to the conversation language for a media-only burst', () => {
    expect(composeReply([{ type: 'audio' }], 'es')).toMatchObject({ language: 'es', kind: 'handoff_ack' });
  });
});
