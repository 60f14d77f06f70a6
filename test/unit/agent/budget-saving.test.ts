import { describe, expect, it } from 'vitest';
import { composeReply, type ComposedReply, type ConversationMemory, type CustomerMessage } from '#lambdas/agent/compose-reply';
import { budgetMessageSaving, SAVING_QUIET_FACTOR, savingQuietMs } from '#lambdas/agent/message-saving';
import { DEFAULT_REPLY_QUIET_MS, quietPeriodDecision } from '#lambdas/agent/quiet-period';
import type { BudgetGate, BudgetStanding } from '#lambdas/pricing/budget-ports';
import { demoBusiness, OPEN } from './flows/test-flows';

/**
 * From 80% of the business's monthly Meta budget the bot sends fewer messages (docs/meta-pricing.md
 * § Budgets): the same customer, writing the same things, gets fewer replies.
 */
const business = demoBusiness();
const BRAZIL = '5511987654321';

/** A gate that answers what the test says, and counts how often it was asked. */
function fakeGate(standing: BudgetStanding): BudgetGate & { asked: number } {
  const gate = {
    asked: 0,
    async standing() {
      gate.asked++;
      return standing;
    },
  };
  return gate;
}

/**
 * A Brazilian customer who writes Spanish: greets, taps the other language when offered, asks for
 * the opening hours, thanks the bot, sends a thumbs up. Returns the replies the bot would send
 * (kind `none` sends nothing).
 */
function playConversation(saving: boolean): ComposedReply[] {
  let memory: ConversationMemory = {};
  let n = 0;
  const sent: ComposedReply[] = [];
  const say = (messages: CustomerMessage[]) => {
    const reply = composeReply(messages, { business, now: OPEN, phoneNumber: BRAZIL, memory, ...(saving ? { saving: true } : {}) });
    memory = reply.memory ?? memory;
    if (reply.kind !== 'none') sent.push(reply);
    return reply;
  };
  const text = (t: string): CustomerMessage => ({ type: 'text', text: t, providerMessageId: `m${++n}` });
  const greeting = say([text('hola')]);
  const offer = greeting.options?.find((o) => o.id.startsWith('lang:'));
  if (offer) say([{ type: 'choice', choiceId: offer.id, choiceTitle: offer.title, providerMessageId: `m${++n}` }]);
  say([text('¿cuál es el horario de atención?')]);
  say([text('muchas gracias!')]);
  say([text('👍')]);
  return sent;
}

describe('the bot while its business saves messages (80% of the Meta budget)', () => {
  it('sends fewer messages in the same conversation: no language offer to tap, no small-talk reply', () => {
    const usual = playConversation(false);
    const saving = playConversation(true);
    expect(usual.map((r) => r.kind)).toEqual(['menu', 'language_set', 'faq_answer', 'small_talk']);
    expect(saving.map((r) => r.kind)).toEqual(['menu', 'faq_answer']);
    expect(saving.length).toBeLessThan(usual.length);
    // What is still said is said in full: the menu and the answer are the same texts.
    expect(saving[0]!.text).toBe(business.greeting.es);
    expect(saving[0]!.options?.some((o) => o.id.startsWith('lang:'))).toBe(false);
    expect(saving[1]!.text).not.toContain(business.replies.languageQuestion.pt);
  });

  it('still answers everything that needs an answer: a person, consent, a complaint', () => {
    const saving = { business, now: OPEN, saving: true };
    expect(composeReply([{ type: 'text', text: 'quiero hablar con una persona', providerMessageId: 'a' }], saving).kind).toBe('handoff_ack');
    expect(composeReply([{ type: 'text', text: 'STOP', providerMessageId: 'b' }], saving).kind).toBe('opt_out_confirmed');
    expect(composeReply([{ type: 'text', text: 'me llegó roto 😡', providerMessageId: 'c' }], saving).kind).toBe('handoff_ack');
  });

  it('waits longer for a burst, so two lines a few seconds apart get one reply instead of two', () => {
    const at = (s: number) => new Date(Date.parse('2026-11-21T12:00:00.000Z') + s * 1000);
    const line = (id: string, s: number) => ({ providerMessageId: id, storedAt: at(s).toISOString(), occurredAt: at(s).toISOString() });
    // "hola" at 0 s, the question at 3 s; the agent wakes at 2 s for the first line.
    const replies = (quietMs: number) => {
      let count = 0;
      const first = quietPeriodDecision([line('m1', 0)], 'm1', at(2), quietMs);
      if (first.kind === 'answer') count++;
      // Whatever was answered is no longer unanswered when the second line's wake-up looks.
      const pending = first.kind === 'answer' ? [line('m2', 3)] : [line('m1', 0), line('m2', 3)];
      let seconds = 3;
      let decision = quietPeriodDecision(pending, 'm2', at(seconds), quietMs);
      while (decision.kind === 'wait') {
        seconds += decision.waitMs / 1000;
        decision = quietPeriodDecision(pending, 'm2', at(seconds), quietMs);
      }
      if (decision.kind === 'answer') count++;
      return count;
    };
    expect(replies(savingQuietMs(DEFAULT_REPLY_QUIET_MS, false))).toBe(2);
    expect(replies(savingQuietMs(DEFAULT_REPLY_QUIET_MS, true))).toBe(1);
    expect(savingQuietMs(DEFAULT_REPLY_QUIET_MS, true)).toBe(DEFAULT_REPLY_QUIET_MS * SAVING_QUIET_FACTOR);
    // Tests and tools that answer at once keep answering at once.
    expect(savingQuietMs(0, true)).toBe(0);
  });
});

describe('budgetMessageSaving', () => {
  const accounts = async (accountId: string) => (accountId === '100' ? 'acme' : undefined);

  it('saves from 80% of a budget, not below it, and never without a budget', async () => {
    const at = (standing: BudgetStanding) => budgetMessageSaving({ gate: fakeGate(standing), businessOfAccount: accounts }).savingFor('100', OPEN);
    expect(await at({ budgetMicros: 100_000_000, spentMicros: 80_000_000, share: 0.8 })).toBe(true);
    expect(await at({ budgetMicros: 100_000_000, spentMicros: 120_000_000, share: 1.2 })).toBe(true);
    expect(await at({ budgetMicros: 100_000_000, spentMicros: 79_999_999, share: 0.79999999 })).toBe(false);
    expect(await at({ spentMicros: 5_000_000_000, share: 0 })).toBe(false);
  });

  it('answers as usual for an account of no business, and when the standing cannot be read', async () => {
    const gate = fakeGate({ budgetMicros: 1, spentMicros: 2, share: 2 });
    expect(await budgetMessageSaving({ gate, businessOfAccount: accounts }).savingFor('999', OPEN)).toBe(false);
    expect(gate.asked).toBe(0);
    const errors: unknown[] = [];
    const broken = budgetMessageSaving({
      gate: { standing: async () => Promise.reject(new Error('table down')) },
      businessOfAccount: accounts,
      onError: (err) => errors.push(err),
    });
    expect(await broken.savingFor('100', OPEN)).toBe(false);
    expect(errors).toHaveLength(1);
  });
});
