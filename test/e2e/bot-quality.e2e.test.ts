import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { burstConversationKey, runCustomerBursts } from '#test/e2e/customer-bursts';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';

/**
 * What a support manager would check of the flows-and-FAQ bot (no Claude key), through the whole
 * local cloud: the customer writes through the Graph API simulator, the reply reaches the simulator,
 * and the conversation's state, handoff and consent records are read from the table.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
const demo = demoBotSettings();
const faqAnswer = (id: string, lang: 'es' | 'pt' | 'en') => demo.faq.find((f) => f.id === id)!.answer[lang];

beforeAll(async () => {
  // Open all week: what the bot says must not depend on the hour the suite runs at.
  await harness.start({ tenants: openAllWeekLocalTenants() });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

type Item = Record<string, any>;

/**
 * The customer writes one message; resolves once the bot has dealt with it (the answered mark is
 * past it, no reply half-claimed) and every reply it wrote reached the Graph API.
 */
async function say(customerId: string, text: string): Promise<{ conversation: Item; replies: Item[]; newReplies: Item[]; items: Item[] }> {
  const key = burstConversationKey(customerId);
  const before = (await harness.conversationItems(key)).filter(isBotReply).length;
  const { id } = await harness.customerSays({ channel: 'whatsapp', customerId, text });
  const items = await eventually(
    async () => {
      const all = await harness.conversationItems(key);
      const message = all.find((i) => i.entity === 'Message' && i.providerMessageId === id);
      const conversation = all.find((i) => i.sk === 'CONV');
      if (!message || !conversation?.answeredThroughSk || conversation.pendingReplyId || conversation.answeredThroughSk < message.lsi1sk) return undefined;
      const sent = (await harness.sendsTo(customerId)).filter((s) => s.status === 200).length;
      return sent >= all.filter(isBotReply).length && all;
    },
    `the bot to deal with "${text}"`,
    45_000,
  );
  const replies = items.filter(isBotReply).sort((a, b) => (a.lsi1sk < b.lsi1sk ? -1 : 1));
  return { conversation: items.find((i) => i.sk === 'CONV')!, replies, newReplies: replies.slice(before), items };
}

function isBotReply(item: Item): boolean {
  return item.entity === 'Message' && item.direction === 'outbound' && item.origin === 'agent';
}

// Each test plays its own customer, so they run side by side: most of their time is the bot's quiet
// period and the local cloud's queues, not this machine's CPU.
describe.concurrent('the flows-and-FAQ bot, end to end', () => {
  it('keeps a Portuguese chat in Portuguese on "e se eu quiser devolver?" and answers with the returns policy', async () => {
    const customer = '5511900000101';
    await say(customer, 'oi');
    const { newReplies, conversation } = await say(customer, 'e se eu quiser devolver?');

    expect(newReplies).toHaveLength(1);
    expect(newReplies[0]).toMatchObject({ language: 'pt', faqId: 'returns', text: faqAnswer('returns', 'pt') });
    expect(conversation.language).toBe('pt');
    const sent = await harness.sendsTo(customer);
    expect(sent.at(-1)!.body.text.body).toBe(faqAnswer('returns', 'pt'));
  }, 120_000);

  it('answers "tem desconto pra pagamento a vista? aceitam pix?" with the Portuguese payment methods (Pix, boleto)', async () => {
    const { newReplies } = await say('5511900000102', 'tem desconto pra pagamento a vista? aceitam pix?');

    expect(newReplies).toHaveLength(1);
    expect(newReplies[0]).toMatchObject({ language: 'pt', faqId: 'payment_methods' });
    expect(newReplies[0]!.text).toMatch(/Pix/);
    expect(newReplies[0]!.text).toMatch(/boleto/);
  }, 60_000);

  it('does not answer "vocês vendem cartão presente?" with the payment methods', async () => {
    const { newReplies } = await say('5511900000103', 'vocês vendem cartão presente?');

    expect(newReplies).toHaveLength(1);
    expect(newReplies[0]!.language).toBe('pt');
    expect(newReplies[0]!.faqId).not.toBe('payment_methods');
    expect(newReplies[0]!.text).not.toBe(faqAnswer('payment_methods', 'pt'));
    expect(newReplies[0]!.text).not.toMatch(/Pix|boleto/);
  }, 60_000);

  it('hands "me llegó roto 😡" to a person, with priority, answering in Spanish', async () => {
    const { newReplies, conversation } = await say('5215500000104', 'me llegó roto 😡');

    expect(newReplies).toHaveLength(1);
    expect(newReplies[0]!.language).toBe('es');
    expect(conversation).toMatchObject({ state: 'human', handoffReason: 'complaint', handoffPriority: true });
  }, 60_000);

  it('asks for the order number, and captures "1002" for the person who takes the order', async () => {
    const customer = '5215500000105';
    const asked = await say(customer, '¿dónde está mi pedido?');
    expect(asked.newReplies[0]).toMatchObject({ language: 'es', faqId: 'order_tracking' });
    expect(asked.newReplies[0]!.text).toMatch(/número/);

    const { newReplies, conversation } = await say(customer, '1002');

    expect(newReplies).toHaveLength(1);
    expect(newReplies[0]!.language).toBe('es');
    expect(newReplies[0]!.text).toContain('1002');
    expect(conversation).toMatchObject({ state: 'human', handoffReason: 'order_followup', capturedOrderId: '1002' });
    expect(conversation.handoffSummary).toContain('1002');
  }, 120_000);

  it('records "no quiero recibir más mensajes" as an opt-out with the customer words as evidence, and confirms it', async () => {
    const customer = '5215500000106';
    const { newReplies, conversation, items } = await say(customer, 'no quiero recibir más mensajes');

    expect(newReplies).toHaveLength(1);
    expect(newReplies[0]!.language).toBe('es');
    expect(newReplies[0]!.text).toBe(demo.optOut.confirmation.es);
    expect(conversation.consentStatus).toBe('opted_out');
    const consent = items.filter((i) => i.entity === 'ConsentChange');
    expect(consent).toEqual([
      expect.objectContaining({
        consent: 'opted_out',
        evidenceKind: 'phrase',
        evidenceText: 'no quiero recibir más mensajes',
        evidenceMessageId: conversation.consentEvidenceMessageId,
      }),
    ]);
  }, 60_000);

  it('does not answer "muchas gracias!" with the fallback and the menu', async () => {
    const customer = '5215500000107';
    const asked = await say(customer, '¿cuál es el horario de atención?');
    expect(asked.newReplies[0]).toMatchObject({ language: 'es', faqId: 'opening_hours' });

    const { newReplies } = await say(customer, 'muchas gracias!');

    // A short thanks, or nothing at all: never "I did not find an answer" with the options.
    expect(newReplies.length).toBeLessThanOrEqual(1);
    for (const reply of newReplies) {
      expect(reply.language).toBe('es');
      expect(reply.replyKind).not.toMatch(/^(fallback|menu|out_of_hours)$/);
      expect(reply.replyOptions).toBeUndefined();
      expect(reply.text).not.toBe(demo.fallback.es);
    }
  }, 120_000);

  it('asks a Brazilian number writing "hola" once whether it prefers Portuguese, and switches on the tap', async () => {
    const customer = '5511900000931';
    const first = await say(customer, 'hola');
    const offered = first.newReplies[0]!;
    expect(offered.language).toBe('es');
    expect(offered.text).toContain(demo.replies.languageQuestion.pt);
    expect(offered.replyOptions).toContainEqual({ id: 'lang:pt', title: 'Português' });

    const { id } = await harness.customerSays({ channel: 'whatsapp', customerId: customer, reply: { id: 'lang:pt', title: 'Português' } });
    const switched = await eventually(
      async () => (await harness.conversationItems(burstConversationKey(customer))).filter(isBotReply).find((r) => (r.replyToMessageIds ?? []).includes(id)),
      'the reply to the language tap',
      45_000,
    );
    expect(switched).toMatchObject({ language: 'pt', replyKind: 'language_set' });

    // Asked once: the next ambiguous message gets no second question.
    const later = await say(customer, 'hola de nuevo');
    for (const reply of later.newReplies) expect(reply.text).not.toContain(demo.replies.languageQuestion.pt);
  }, 120_000);
});

describe('bursts under load', () => {
  // Eight at once here (this tier runs three files side by side on two cores); `npm run bench:bursts` plays 100.
  // One retry: on a loaded 2-core machine the local webhook itself can hold a line back for longer
  // than the quiet period (docs/benchmarks.md, Bursts); twice in a row is a failure.
  it('answers each of 8 customers bursting at the same time exactly once', { retry: 1, timeout: 360_000 }, async () => {
    const result = await runCustomerBursts(harness, { conversations: 8, firstCustomer: 100_000 + Math.floor(Math.random() * 800_000), timeoutMs: 120_000 });
    expect(result.unanswered).toEqual([]);
    expect(result.answeredMoreThanOnce).toEqual([]);
  });
});
