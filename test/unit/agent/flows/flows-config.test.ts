import { describe, expect, it } from 'vitest';
import { parseBusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { isWithinBusinessHours, localClock } from '#lambdas/agent/flows/business-hours';
import { rawDemoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { FaqIndex, stem, tokenize } from '#lambdas/agent/flows/faq-search';
import { asksForHuman, isOptOut } from '#lambdas/agent/flows/keyword-match';
import { CLOSED, demoBusiness, OPEN } from './test-flows';

type Raw = Record<string, any>;
const clone = () => structuredClone(rawDemoBotSettings) as Raw;
const problemsOf = (raw: unknown) => {
  const parsed = parseBusinessFlows(raw);
  return parsed.ok ? [] : parsed.problems;
};

describe('bot settings schema', () => {
  it('accepts the bundled demo settings and fills the defaults', () => {
    const parsed = parseBusinessFlows(rawDemoBotSettings);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.settings.name).toBe('Demo Store');
      expect(parsed.settings.humanQuietMinutes).toBe(30);
    }
  });

  it('names every problem by its path', () => {
    const bad = clone();
    bad.menu[0].title.es = 'Un título demasiado largo para un botón';
    bad.timezone = 'Mars/Olympus';
    bad.menu[1].action.faqId = 'missing';
    expect(problemsOf(bad).map((p) => p.path)).toEqual(expect.arrayContaining(['menu.0.title.es', 'timezone']));
    // Cross-field checks run once the fields themselves pass.
    const missingFaq = clone();
    missingFaq.menu[1].action.faqId = 'missing';
    expect(problemsOf(missingFaq)).toEqual([{ path: 'menu.1.action.faqId', message: 'no FAQ entry missing' }]);
  });

  it('refuses an opening range that ends before it starts, and duplicate ids', () => {
    const bad = clone();
    bad.hours.mon = [{ from: '18:00', to: '09:00' }];
    expect(problemsOf(bad).map((p) => p.path)).toEqual(['hours.mon.0']);
    const dup = clone();
    dup.faq.push(structuredClone(dup.faq[0]));
    expect(problemsOf(dup)).toEqual([{ path: 'faq', message: 'duplicate FAQ id' }]);
  });

  it('refuses fields that no longer mean anything (the registry maps accounts to businesses) and unknown ones', () => {
    const bad = { ...clone(), id: 'demo-store', accountIds: ['100'], greting: 'typo' };
    const problems = problemsOf(bad);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('(root)');
    expect(problems[0]!.message).toMatch(/id.*accountIds.*greting|Unrecognized/);
  });

  it('answers a value that is not settings at all with a problem at the root', () => {
    expect(problemsOf('hello')).toEqual([{ path: '(root)', message: expect.any(String) }]);
    expect(problemsOf(null)[0]!.path).toBe('(root)');
  });
});

describe('business hours', () => {
  const business = demoBusiness();
  it('reads the local weekday and time, daylight saving included', () => {
    expect(localClock(OPEN, 'America/Sao_Paulo')).toEqual({ weekday: 'sat', time: '09:00' });
    expect(localClock(new Date('2026-07-01T12:00:00Z'), 'Europe/Madrid')).toEqual({ weekday: 'wed', time: '14:00' });
    expect(localClock(new Date('2026-01-01T12:00:00Z'), 'Europe/Madrid')).toEqual({ weekday: 'thu', time: '13:00' });
  });

  it('is open from the start of a range until just before its end', () => {
    expect(isWithinBusinessHours(business, OPEN)).toBe(true);
    expect(isWithinBusinessHours(business, new Date('2026-11-21T11:59:00Z'))).toBe(false); // Sat 08:59
    expect(isWithinBusinessHours(business, new Date('2026-11-21T15:59:00Z'))).toBe(true); // Sat 12:59
    expect(isWithinBusinessHours(business, new Date('2026-11-21T16:00:00Z'))).toBe(false); // Sat 13:00
    expect(isWithinBusinessHours(business, CLOSED)).toBe(false); // Sunday
  });
});

describe('keywords', () => {
  const business = demoBusiness();
  it.each(['STOP', 'stop.', 'Baja', 'darme de baja', 'PARAR', 'Sair!', 'descadastrar', 'Unsubscribe'])('"%s" opts out', (t) =>
    expect(isOptOut(t, business.optOut.keywords)).toBe(true),
  );
  it.each(['stop sending me the wrong size', 'no quiero darme de baja', 'vou sair de casa', 'stopped', ''])('"%s" does not', (t) =>
    expect(isOptOut(t, business.optOut.keywords)).toBe(false),
  );
  it.each(['quiero un asesor', 'HUMANO', 'falar com atendente', 'can I talk to an agent?', 'uma pessoa por favor'])('"%s" asks for a person', (t) =>
    expect(asksForHuman(t, business.handoff.keywords)).toBe(true),
  );
  it.each(['agentes de viaje no', 'humanity', 'where is my order'])('"%s" does not', (t) => {
    expect(asksForHuman(t, business.handoff.keywords)).toBe(false);
  });
});

describe('FAQ search (BM25)', () => {
  const business = demoBusiness();
  const index = new FaqIndex(business.faq);

  it('folds accents, plurals and common suffixes', () => {
    expect(tokenize('¿Dónde están mis pedidos?')).toEqual(['estan', 'pedid']);
    expect(stem('devoluciones')).toBe(stem('devolución'.normalize('NFD').replace(/\p{M}/gu, '')));
    expect(stem('tracking')).toBe('track');
  });

  it.each([
    ['how long does delivery take', 'shipping_time'],
    ['cuánto tarda la entrega', 'shipping_time'],
    ['quanto tempo demora o frete', 'shipping_time'],
    ['I want a refund', 'returns'],
    ['quiero devolver unas zapatillas', 'returns'],
    ['posso parcelar no cartão?', 'payment_methods'],
    ['aceptan tarjeta de débito', 'payment_methods'],
    ['rastrear minha encomenda', 'order_tracking'],
  ])('ranks "%s" first to %s', (query, faqId) => {
    const [best, second] = index.search(query, 2);
    expect(best?.entry.id).toBe(faqId);
    expect(best!.score).toBeGreaterThanOrEqual(business.faqMinScore);
    if (second) expect(best!.score).toBeGreaterThan(second.score);
  });

  it('finds nothing for words no entry uses, and weighs rare words above common ones', () => {
    expect(index.search('xylophone quantum')).toEqual([]);
    const rare = index.search('pix')[0]!;
    const common = index.search('pedido')[0]!;
    expect(rare.score).toBeGreaterThan(common.score);
  });
});
