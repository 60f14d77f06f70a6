import { describe, expect, it } from 'vitest';
import { composeReply, isOnlyGreeting, type CustomerMessage } from '#lambdas/agent/compose-reply';
import { detectLanguage } from '#lambdas/agent/detect-language';
import { CLOSED, demoBusiness, OPEN } from './flows/test-flows';

let seq = 0;
const text = (t: string): CustomerMessage => ({ type: 'text', text: t, providerMessageId: `m${++seq}` });
const business = demoBusiness();
const compose = (messages: CustomerMessage[], now = OPEN, fallbackLanguage?: 'en' | 'es' | 'pt') =>
  composeReply(messages, { business, now, ...(fallbackLanguage ? { fallbackLanguage } : {}) });

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
    expect(detectLanguage('de que', 'pt')).toBe('pt');
    expect(detectLanguage('de que', 'es')).toBe('es');
  });
});

describe('isOnlyGreeting', () => {
  it.each(['hi', 'Hello!', 'hey there', 'Hola', 'buenos días', 'Olá!!', 'oi, tudo bem?', 'bom dia', 'hi, how are you?'])('%s is a greeting', (t) =>
    expect(isOnlyGreeting(t)).toBe(true),
  );
  it.each(['hi, where is my order?', 'hola necesito ayuda', 'thanks', '', '👍'])('%s is not only a greeting', (t) => expect(isOnlyGreeting(t)).toBe(false));
});

describe('composeReply with the business flows', () => {
  it.each([
    ['hi', 'en', 'Welcome to Demo Store'],
    ['hola', 'es', 'Bienvenido a Demo Store'],
    ['olá', 'pt', 'Bem-vindo à Demo Store'],
  ] as const)('greets "%s" with the configured menu in %s', (greeting, language, welcome) => {
    const reply = compose([text(greeting)]);
    expect(reply).toMatchObject({ kind: 'menu', language });
    expect(reply.text).toContain(welcome);
    expect(reply.options?.map((o) => o.id)).toEqual(business.menu.map((m) => `menu:${m.id}`));
    expect(reply.options?.map((o) => o.title)).toEqual(business.menu.map((m) => m.title[language]));
    expect(reply.optionsLabel).toBe(business.menuLabel[language]);
  });

  it('answers a tapped menu choice in the language of the menu it came from', () => {
    const menu = compose([text('hola')]);
    const order = menu.options!.find((o) => o.id === 'menu:order_status')!;
    const reply = compose([{ type: 'choice', choiceId: order.id, choiceTitle: order.title, text: order.title }]);
    expect(reply).toMatchObject({ language: 'es', kind: 'choice_answer', faqId: 'order_tracking' });
    expect(reply.text).toContain('enlace de seguimiento');
  });

  it('hands off on the menu choice for a person, in the menu language', () => {
    const person = compose([{ type: 'choice', choiceId: 'menu:talk_to_person', choiceTitle: 'Falar com atendente' }]);
    expect(person).toMatchObject({ language: 'pt', kind: 'handoff_ack', handoff: { reason: 'menu_choice' } });
    expect(person.text).toContain('Uma pessoa da nossa equipe');
  });

  it.each([
    ['quiero hablar con un asesor', 'es', 'Una persona de nuestro equipo'],
    ['posso falar com um atendente?', 'pt', 'Uma pessoa da nossa equipe'],
    ['I want to talk to a human please', 'en', 'A person from our team'],
  ] as const)('hands off "%s" in %s', (said, language, ack) => {
    const reply = compose([text(said)]);
    expect(reply).toMatchObject({ kind: 'handoff_ack', language, handoff: { reason: 'customer_request' } });
    expect(reply.text).toContain(ack);
  });

  it('tells a customer asking for a person out of hours when someone will answer', () => {
    const reply = compose([text('quiero hablar con un agente')], CLOSED);
    expect(reply).toMatchObject({ kind: 'handoff_ack', handoff: { reason: 'customer_request' } });
    expect(reply.text).toBe(business.handoff.outOfHoursAcknowledgement.es);
  });

  it.each([
    ['STOP', 'en'],
    ['Baja', 'es'],
    ['PARAR', 'es'],
    ['sair!', 'pt'],
    ['unsubscribe', 'en'],
  ] as const)('records "%s" as an opt-out, with the message as evidence', (said, fallbackLanguage) => {
    const message = text(said);
    const reply = compose([text('hola'), message], OPEN, fallbackLanguage);
    expect(reply.kind).toBe('opt_out_confirmed');
    expect(reply.optOut).toEqual({ evidenceMessageId: message.providerMessageId, evidenceText: said, evidenceKind: 'keyword' });
    expect(Object.values(business.optOut.confirmation)).toContain(reply.text);
  });

  it('does not take a complaint that mentions a keyword for an opt-out', () => {
    expect(compose([text('stop sending me the wrong size please')]).kind).not.toBe('opt_out_confirmed');
  });

  it.each([
    ['¿cuánto tarda el envío a Córdoba?', 'es', 'shipping_time'],
    ['quero trocar um produto, ficou pequeno', 'pt', 'returns'],
    ['can I pay with a credit card?', 'en', 'payment_methods'],
    ['mi pedido no llegó todavía', 'es', 'order_tracking'],
    ['qual o horário de atendimento de vocês?', 'pt', 'opening_hours'],
  ] as const)('answers "%s" from the FAQ in %s', (question, language, faqId) => {
    const reply = compose([text(question)]);
    expect(reply).toMatchObject({ kind: 'faq_answer', language, faqId });
    expect(reply.text).toBe(business.faq.find((f) => f.id === faqId)!.answer[language]);
  });

  it('says it is not sure and offers a person first when nothing matches, in hours', () => {
    const reply = compose([text('tengo una pregunta sobre mi cumpleaños')]);
    expect(reply).toMatchObject({ kind: 'fallback', language: 'es', text: business.replies.notSure.es });
    expect(reply.handoff).toBeUndefined();
    expect(reply.options?.map((o) => o.id)).toEqual(['agent:person', 'menu:order_status', 'menu:returns']);
    expect(reply.options?.[0]?.title).toBe('Hablar con persona');
    expect(reply.optionsLabel).toBe('Opciones');
  });

  it('says the team is away when nothing matches out of hours, and leaves the question for a person', () => {
    const reply = compose([text('tenho uma dúvida sobre meu aniversário')], CLOSED);
    expect(reply).toMatchObject({ kind: 'out_of_hours', language: 'pt', handoff: { reason: 'after_hours_question' } });
    expect(reply.text).toBe(`${business.outOfHours.pt} ${business.replies.followUpWhenOpen.pt}`);
  });

  it('does not treat an unknown choice (a template button, say) as a menu choice', () => {
    const reply = compose([{ type: 'choice', choiceId: 'promo:stop', choiceTitle: 'Stop promotions' }]);
    expect(reply.kind).not.toBe('choice_answer');
  });

  it('acknowledges a media-only burst in the conversation language and offers a person, without the menu', () => {
    const reply = compose([{ type: 'audio', providerMessageId: 'a1' }], OPEN, 'es');
    expect(reply).toMatchObject({ language: 'es', kind: 'attachment_ack', text: business.replies.attachment.es });
    expect(reply.options).toEqual([{ id: 'agent:person', title: 'Hablar con persona' }]);
  });
});

describe('offering another language when the evidence is split', () => {
  const brazil = '5511987654321';

  it('answers in the language written and asks once, in the other language, with a button named in it', () => {
    const reply = composeReply([text('hola')], { business, now: OPEN, phoneNumber: brazil });
    expect(reply.language).toBe('es');
    expect(reply.text).toContain(business.replies.languageQuestion.pt);
    expect(reply.options).toContainEqual({ id: 'lang:pt', title: 'Português' });
    expect(reply.memory?.languageAsked).toBe(true);
  });

  it('does not ask again in the same conversation', () => {
    const reply = composeReply([text('hola')], { business, now: OPEN, phoneNumber: brazil, memory: { language: 'es', languageAsked: true } });
    expect(reply.text).not.toContain(business.replies.languageQuestion.pt);
    expect(reply.options?.some((o) => o.id.startsWith('lang:'))).not.toBe(true);
  });

  it('does not ask when the evidence is clear', () => {
    const reply = composeReply([text('hola, ¿cuál es el horario de atención?')], { business, now: OPEN, phoneNumber: brazil });
    expect(reply.language).toBe('es');
    expect(reply.options?.some((o) => o.id.startsWith('lang:'))).not.toBe(true);
  });

  it('switches on the tap and offers the menu in the chosen language', () => {
    const tap: CustomerMessage = { type: 'choice', choiceId: 'lang:pt', choiceTitle: 'Português', providerMessageId: 'tap1' };
    const reply = composeReply([tap], { business, now: OPEN, memory: { language: 'es', languageAsked: true } });
    expect(reply).toMatchObject({ language: 'pt', kind: 'language_set', text: business.replies.languageSet.pt });
    expect(reply.options?.map((o) => o.title)).toEqual(business.menu.map((m) => m.title.pt));
    expect(reply.memory).toMatchObject({ language: 'pt', languageAsked: true });
  });

  it('never rides on a consent confirmation or a hand-off', () => {
    const reply = composeReply([text('hola, quiero hablar con una persona')], { business, now: OPEN, phoneNumber: brazil });
    expect(reply.kind).toBe('handoff_ack');
    expect(reply.options?.some((o) => o.id.startsWith('lang:'))).not.toBe(true);
  });
});
