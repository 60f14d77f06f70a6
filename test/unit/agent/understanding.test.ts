import { describe, expect, it } from 'vitest';
import { composeReply, type ComposedReply, type ConversationMemory, type CustomerMessage } from '#lambdas/agent/compose-reply';
import { parseBusinessFlows, type BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { rawDemoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { IntentIndex } from '#lambdas/agent/flows/intent-index';
import { explicitLanguageRequest, languageOfPhone, resolveLanguage } from '#lambdas/agent/understanding/language';
import { consentIntentOf, isComplaint, orderIdOf, smallTalkOf } from '#lambdas/agent/understanding/message-cues';
import { CLOSED, demoBusiness, OPEN } from './flows/test-flows';

const business = demoBusiness();

describe('the conversation language', () => {
  it.each([
    ['e se eu quiser devolver?', 'pt'],
    ['ok', 'es'],
    ['👍', 'pt'],
    ['gracias!', 'en'],
    ['hola', 'en'],
  ] as const)('one ambiguous or foreign word (%s) does not move a conversation held in %s', (text, held) => {
    expect(resolveLanguage(text, { conversation: held, businessDefault: 'en' })).toEqual({ language: held, evidence: 'conversation' });
  });

  it('moves on clear evidence of another language, and on an explicit request', () => {
    expect(
      resolveLanguage('sorry, my husband will write now. How do we return a product we do not like?', { conversation: 'es', businessDefault: 'en' }).language,
    ).toBe('en');
    expect(resolveLanguage('can you answer in english please', { conversation: 'es', businessDefault: 'es' })).toEqual({
      language: 'en',
      evidence: 'explicit_request',
    });
    expect(explicitLanguageRequest('pode falar em português?')).toBe('pt');
    expect(explicitLanguageRequest('¿hablas español?')).toBe('es');
    expect(explicitLanguageRequest('I speak to my family in Spanish at home')).toBeUndefined();
  });

  it.each([
    ['baja', 'es'],
    ['Holaaa 👋', 'es'],
    ['chegou assim, quebrado 😢', 'pt'],
    ['tem desconto pra pagamento a vista? aceitam pix?', 'pt'],
    ['where is my order', 'en'],
  ] as const)('reads a first message "%s" as %s even with an English business default', (text, language) => {
    expect(resolveLanguage(text, { businessDefault: 'en' }).language).toBe(language);
  });

  it('takes the WhatsApp country code as the prior when the words do not tell', () => {
    expect(languageOfPhone('5511987654321')).toBe('pt');
    expect(languageOfPhone('5215512345678')).toBe('es');
    expect(languageOfPhone('351912345678')).toBe('pt');
    expect(languageOfPhone('14155550123')).toBe('en');
    expect(languageOfPhone('33612345678')).toBeUndefined();
    expect(resolveLanguage('ok', { phoneNumber: '5511987654321', businessDefault: 'en' })).toEqual({ language: 'pt', evidence: 'phone_country' });
    expect(resolveLanguage('👍', { businessDefault: 'es' })).toEqual({ language: 'es', evidence: 'business_default' });
  });
});

describe('message cues', () => {
  it.each([
    ['no quiero recibir más mensajes', 'opt_out'],
    ['pare de me mandar mensagem', 'opt_out'],
    ['stop sending me messages', 'opt_out'],
    ['sair da lista', 'opt_out'],
    ['no deseo recibir publicidad', 'opt_out'],
    ['para', 'opt_out_unsure'],
    ['stop it', 'opt_out_unsure'],
    ['quiero recibir ofertas', 'opt_in'],
    ['quero receber promoções', 'opt_in'],
    ['subscribe again', 'opt_in'],
    ['no quiero devolverlo', undefined],
    ['não quero cancelar o pedido', undefined],
    ['stop sending me the wrong size please', undefined],
    ['para cuando llega mi pedido?', undefined],
  ] as const)('consent intent of "%s" is %s', (text, intent) => {
    expect(consentIntentOf(text)).toBe(intent);
  });

  it('tells complaints and small talk from questions', () => {
    for (const t of ['me llegó roto 😡', 'chegou quebrado', 'it arrived damaged', 'esto es una estafa', 'nobody answers my emails'])
      expect(isComplaint(t), t).toBe(true);
    for (const t of ['quiero devolver un producto', 'where is my order', 'vocês vendem cartão presente?']) expect(isComplaint(t), t).toBe(false);
    expect(smallTalkOf('muchas gracias!')).toBe('thanks');
    expect(smallTalkOf('👍')).toBe('ok');
    expect(smallTalkOf('tchau')).toBe('bye');
    expect(smallTalkOf('gracias, y cuánto tarda el envío?')).toBeUndefined();
  });

  it('finds order numbers, not phone numbers, prices or dates', () => {
    expect(orderIdOf('mi pedido #1002 no llegó')).toBe('1002');
    expect(orderIdOf('order 45821 never arrived')).toBe('45821');
    expect(orderIdOf('1002')).toBe('1002');
    expect(orderIdOf('llamame al 5512345678')).toBeUndefined();
    expect(orderIdOf('pagué 1500 pesos')).toBeUndefined();
    expect(orderIdOf('compré el 12/10')).toBeUndefined();
  });
});

describe('intent matching over the FAQ', () => {
  const index = new IntentIndex(business, business.faqMinScore);
  it.each([
    ['vocês vendem cartão presente?'],
    ['necesito cambiar la dirección de entrega de mi pedido'],
    ['do you sell gift cards?'],
    ['tengo una pregunta sobre mi cumpleaños'],
  ])('is not confident about "%s"', (text) => {
    expect(index.match(text).confident).toBeUndefined();
  });
  it.each([
    ['tem desconto pra pagamento a vista? aceitam pix?', 'payment_methods'],
    ['cuanto tarda el envio a monterrey', 'shipping_time'],
    ['no quiero devolverlo, quiero cambiarlo', 'returns'],
  ])('is confident that "%s" is %s', (text, faqId) => {
    expect(index.match(text).confident?.faqId).toBe(faqId);
  });
});

describe('the flows remember and do not repeat themselves', () => {
  let seq = 0;
  const text = (t: string): CustomerMessage => ({ type: 'text', text: t, providerMessageId: `u${++seq}` });
  const turn = (t: CustomerMessage, memory?: ConversationMemory, now = OPEN): ComposedReply =>
    composeReply([t], { business, now, ...(memory ? { memory } : {}) });

  it('never asks for the order number once it has one: a later tracking question goes to a person with it', () => {
    const first = turn(text('mi pedido 48213 no llega, nadie me contesta el correo'));
    expect(first).toMatchObject({ kind: 'handoff_ack', handoff: { reason: 'complaint', priority: true } });
    expect(first.memory?.capturedOrderId).toBe('48213');
    const later = turn(text('dónde está mi pedido?'), { ...first.memory, lastReplyKind: 'menu' });
    expect(later).toMatchObject({ kind: 'handoff_ack', handoff: { reason: 'order_followup' } });
    expect(later.text).toContain('48213');
    expect(later.text).not.toContain('Envíanos tu número de pedido');
  });

  it('offers a person instead of repeating the same answer', () => {
    const first = turn(text('como hago un reembolso'));
    expect(first).toMatchObject({ kind: 'faq_answer', faqId: 'returns' });
    const second = turn(text('pero como hago el reembolso??'), first.memory);
    expect(second).toMatchObject({ kind: 'repeat_offer', language: 'es', text: business.replies.repeated.es });
    expect(second.options).toEqual([{ id: 'agent:person', title: 'Hablar con persona' }]);
  });

  it('answers a thanks once, then nothing', () => {
    const first = turn(text('muchas gracias!'), { language: 'es', lastReplyKind: 'faq_answer' });
    expect(first).toMatchObject({ kind: 'small_talk', text: business.replies.thanks.es });
    expect(turn(text('gracias'), first.memory)).toMatchObject({ kind: 'none' });
  });

  it('hands the one-tap person button to a person in the language of the button', () => {
    const tap: CustomerMessage = { type: 'choice', choiceId: 'agent:person', choiceTitle: 'Falar com atendente', providerMessageId: 'tap1' };
    expect(turn(tap, { language: 'en' })).toMatchObject({ kind: 'handoff_ack', language: 'pt', handoff: { reason: 'customer_request' } });
  });

  it('leaves an uncovered question out of hours for a person', () => {
    expect(turn(text('do you sell gift cards?'), undefined, CLOSED)).toMatchObject({ kind: 'out_of_hours', handoff: { reason: 'after_hours_question' } });
  });
});

describe('bot settings stored before the reply texts existed', () => {
  it('still validate, with the default texts', () => {
    const stored = structuredClone(rawDemoBotSettings) as Record<string, unknown>;
    delete stored.replies;
    const parsed = parseBusinessFlows(stored);
    expect(parsed.ok).toBe(true);
    const settings = (parsed as { settings: BusinessFlows }).settings;
    expect(settings.replies.csatListLabel.es).toBe('Calificar');
    expect(settings.replies.notSure.pt).toContain('Não tenho certeza');
  });

  it('keep a business override of one text and default the rest', () => {
    const parsed = parseBusinessFlows({ ...(rawDemoBotSettings as object), replies: { thanks: { en: 'Cheers!', es: '¡Gracias a ti!', pt: 'Valeu!' } } });
    expect(parsed.ok && parsed.settings.replies.thanks.en).toBe('Cheers!');
    expect(parsed.ok && parsed.settings.replies.goodbye.en).toBe('Have a great day! 👋');
  });

  it('refuse a button title over 20 characters', () => {
    const parsed = parseBusinessFlows({
      ...(rawDemoBotSettings as object),
      replies: { talkToPerson: { en: 'Talk to a real human being now', es: 'x', pt: 'y' } },
    });
    expect(parsed.ok).toBe(false);
  });
});

describe('split evidence: another language is offered, never imposed', () => {
  const brazil = '5511987654321';
  it.each([
    ['hola', { phoneNumber: brazil, businessDefault: 'es' as const }, 'es', ['pt']],
    ['hola, tudo bem? quero saber del envío', { businessDefault: 'es' as const }, 'es', ['pt']],
  ])('%s → %s, offering %j', (text, priors, language, alternatives) => {
    expect(resolveLanguage(text, priors)).toMatchObject({ language, alternatives });
  });

  it.each([
    ['hola, cuál es el horario de atención?', { phoneNumber: brazil, businessDefault: 'es' as const }],
    ['qual o prazo de entrega?', { phoneNumber: brazil, businessDefault: 'es' as const }],
    ['where is my order? I need it', { businessDefault: 'es' as const }],
    ['ok', { phoneNumber: brazil, businessDefault: 'es' as const }],
    ['e se eu quiser devolver?', { conversation: 'pt' as const, businessDefault: 'es' as const }],
  ])('%s: clear enough, nothing offered', (text, priors) => {
    expect(resolveLanguage(text, priors).alternatives).toBeUndefined();
  });
});
