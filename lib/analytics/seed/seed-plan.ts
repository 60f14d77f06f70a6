import { planRouting, type RoutingPlan } from '#lib/analytics/seed/routing-story';

/**
 * What the seed plays: a few hundred conversations with the mix a support inbox sees. Everything
 * comes from one seeded random generator, so a run with the same seed plays the same story.
 */
export type SeedChannel = 'whatsapp' | 'instagram' | 'messenger';
export type SeedLanguage = 'es' | 'pt' | 'en';
export type Story = 'faq' | 'menu_tap' | 'direct_faq' | 'handoff' | 'menu_handoff' | 'fallback_handoff';

export interface ConversationPlan {
  index: number;
  channel: SeedChannel;
  customerId: string;
  language: SeedLanguage;
  story: Story;
  /** Handoff stories: the score the customer taps, or none when they do not answer. */
  csatScore?: number;
  /** Handoff stories: the customer writes again after the close. */
  comesBack: boolean;
  /** WhatsApp: imported chat history (coexistence onboarding) arrives before the live messages. */
  importedHistory: boolean;
  /** WhatsApp: a template the business sends afterwards, and whether Meta reports it failed. */
  template?: { name: string; category: 'utility' | 'marketing' | 'authentication'; fails?: { code: number; title: string } };
  /** WhatsApp: Meta reports one of the bot's replies as undeliverable. */
  replyFails: boolean;
  /** Where the conversation is moved in time: start (epoch ms) and the people's minutes. */
  startMs: number;
  personWaitMs: number;
  handlingMs: number;
  csatDelayMs: number;
  comeBackAfterMs: number;
  /** Handoff stories: the queue, the agent and how it ends for the contact centre. */
  routing?: RoutingPlan;
}

/** mulberry32: small, fast, good enough to pick stories. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** Minutes drawn around a typical value with a long tail (log-normal-ish). */
function minutes(random: () => number, typical: number, spread: number, min: number, max: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.round(Math.min(max, Math.max(min, typical * Math.exp(spread * normal))) * 60_000);
}

/** Customers write more on weekdays, around late morning and evening (UTC-3 customers, UTC times). */
const WEEKDAY_WEIGHT = [1.0, 1.15, 1.1, 1.1, 1.05, 0.7, 0.45]; // Monday … Sunday
const HOUR_WEIGHT = [0.6, 0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.3, 1.6, 1.9, 2.0, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.5, 1.7, 1.5, 1.0];

function startTime(random: () => number, nowMs: number, days: number): number {
  const today = Math.floor(nowMs / 86_400_000) * 86_400_000;
  const candidates: Array<readonly [number, number]> = [];
  for (let d = 1; d <= days; d++) {
    const dayStart = today - d * 86_400_000;
    const weekday = (new Date(dayStart).getUTCDay() + 6) % 7;
    candidates.push([dayStart, WEEKDAY_WEIGHT[weekday]!]);
  }
  const day = pick(random, candidates);
  const hour = pick(
    random,
    HOUR_WEIGHT.map((w, h) => [h, w] as const),
  );
  return day + hour * 3_600_000 + Math.floor(random() * 3_600_000);
}

const TEMPLATES = [
  { name: 'order_shipped', category: 'utility' as const, weight: 5 },
  { name: 'promo_weekend', category: 'marketing' as const, weight: 3 },
  { name: 'login_code', category: 'authentication' as const, weight: 2 },
];
const TEMPLATE_FAILURES = {
  utility: { code: 131026, title: 'Message undeliverable' },
  marketing: { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' },
  authentication: { code: 131026, title: 'Message undeliverable' },
};

export function planConversations(options: { count: number; seed: number; nowMs: number; days?: number }): ConversationPlan[] {
  const random = randomSource(options.seed);
  const run = String(options.seed % 1000).padStart(3, '0');
  // A source of its own, so adding the contact-centre story left every other draw as it was.
  const routingRandom = randomSource(options.seed * 7 + 1);
  return Array.from({ length: options.count }, (_, index): ConversationPlan => withRouting(routingRandom, planOne(index)));

  function planOne(index: number): ConversationPlan {
    const channel = pick<SeedChannel>(random, [
      ['whatsapp', 55],
      ['instagram', 35],
      ['messenger', 10],
    ]);
    const language = pick<SeedLanguage>(random, [
      ['es', 45],
      ['pt', 35],
      ['en', 20],
    ]);
    const story = pick<Story>(random, [
      ['faq', 30],
      ['menu_tap', 15],
      ['direct_faq', 15],
      ['handoff', 22],
      ['menu_handoff', 10],
      ['fallback_handoff', 8],
    ]);
    const handedOff = story.endsWith('handoff');
    const serial = String(index).padStart(4, '0');
    const customerId = channel === 'whatsapp' ? `1556${run}${serial}` : channel === 'instagram' ? `93${run}0000000${serial}` : `73${run}0000000${serial}`;
    const templateChoice =
      channel === 'whatsapp' && random() < 0.35
        ? pick(
            random,
            TEMPLATES.map((t) => [t, t.weight] as const),
          )
        : undefined;
    return {
      index,
      channel,
      customerId,
      language,
      story,
      ...(handedOff && random() < 0.82
        ? {
            csatScore: pick(random, [
              [5, 44],
              [4, 26],
              [3, 12],
              [2, 7],
              [1, 11],
            ] as const),
          }
        : {}),
      comesBack: handedOff && random() < 0.22,
      importedHistory: channel === 'whatsapp' && random() < 0.12,
      ...(templateChoice
        ? {
            template: {
              name: templateChoice.name,
              category: templateChoice.category,
              ...(random() < 0.1 ? { fails: TEMPLATE_FAILURES[templateChoice.category] } : {}),
            },
          }
        : {}),
      replyFails: channel === 'whatsapp' && random() < 0.04,
      startMs: startTime(random, options.nowMs, options.days ?? 28),
      personWaitMs: minutes(random, 6, 0.9, 0.5, 90),
      handlingMs: minutes(random, 14, 0.7, 2, 120),
      csatDelayMs: minutes(random, 2, 1, 0.2, 60),
      comeBackAfterMs: minutes(random, 2 * 24 * 60, 0.6, 6 * 60, 6 * 24 * 60),
    };
  }
}

/**
 * A handoff's routing: VIP customers are picked up sooner; a customer who left the queue or stopped
 * answering is not asked the satisfaction question and does not come back.
 */
function withRouting(random: () => number, plan: ConversationPlan): ConversationPlan {
  if (!plan.story.endsWith('handoff')) return plan;
  const routing = planRouting(random, plan.language);
  const { csatScore, ...rest } = plan;
  const silent = routing.outcome === 'abandoned' || routing.outcome === 'no_response';
  return {
    ...rest,
    ...(csatScore !== undefined && !silent ? { csatScore } : {}),
    comesBack: plan.comesBack && !silent,
    personWaitMs: routing.vip ? Math.round(plan.personWaitMs * 0.4) : plan.personWaitMs,
    routing,
  };
}

/** What customers and people write, per language. */
export const TEXTS = {
  greeting: { es: ['hola', 'buenas tardes', 'hola, buen día'], pt: ['olá', 'oi, boa tarde', 'bom dia'], en: ['hi', 'hello there', 'good morning'] },
  faq: {
    es: ['¿cuánto tarda el envío?', '¿cómo devuelvo un producto?', '¿qué medios de pago aceptan?', '¿a qué hora abren?', 'quiero el seguimiento de mi pedido'],
    pt: [
      'quanto tempo demora o frete?',
      'como faço para trocar um produto?',
      'quais formas de pagamento vocês aceitam?',
      'qual o horário de atendimento?',
      'quero rastrear minha encomenda',
    ],
    en: [
      'how long does shipping take?',
      'how do I return a product?',
      'which payment methods do you accept?',
      'what are your opening hours?',
      'I want to track my order',
    ],
  },
  handoff: {
    es: ['quiero hablar con un asesor', 'necesito una persona'],
    pt: ['quero falar com um atendente', 'preciso de uma pessoa'],
    en: ['I want to talk to a person', 'can I speak to an agent?'],
  },
  unknown: { es: ['¿venden tarjetas de regalo?'], pt: ['vocês vendem cartão presente?'], en: ['do you sell gift cards?'] },
  problem: {
    es: ['mi pedido llegó dañado', 'me cobraron dos veces'],
    pt: ['meu pedido chegou danificado', 'fui cobrado duas vezes'],
    en: ['my order arrived damaged', 'I was charged twice'],
  },
  person: {
    es: ['Hola, soy Marta del equipo. Ya reviso tu caso.', 'Listo, lo dejamos resuelto. ¿Algo más?'],
    pt: ['Olá, sou a Ana da equipe. Já vejo o seu caso.', 'Pronto, resolvido. Mais alguma coisa?'],
    en: ['Hi, this is Sam from the team. Looking into it now.', 'All sorted. Anything else?'],
  },
  thanks: { es: ['gracias, nada más'], pt: ['obrigado, só isso'], en: ['thanks, that is all'] },
  comeBack: { es: ['hola de nuevo, tengo otra consulta'], pt: ['oi de novo, tenho outra dúvida'], en: ['hi again, I have another question'] },
} as const;
