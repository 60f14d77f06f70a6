import { describe, expect, it } from 'vitest';
import { decideBotEnd, PENDING_REPLY_RETRY_MS, type BotEndSnapshot } from '#lambdas/conversation-end/bot-outcome';

const HOUR = 3_600_000;
const LAST_INBOUND = '2026-11-20T10:00:00.000Z';
const DUE = new Date(Date.parse(LAST_INBOUND) + 24 * HOUR);
const LATER = new Date(DUE.getTime() + 60_000);

/** A bot conversation whose customer wrote at 10:00 and the bot answered with `kind` a second later. */
function quiet(kind: string | undefined, extra: Partial<BotEndSnapshot> = {}): BotEndSnapshot {
  return {
    state: 'bot',
    lastInboundAt: LAST_INBOUND,
    unansweredCustomerMessages: 0,
    lastBotReply: { at: '2026-11-20T10:00:01.000Z', ...(kind ? { kind } : {}) },
    ...extra,
  };
}

const decide = (s: BotEndSnapshot, now = LATER, hours = 24) => decideBotEnd(s, now, hours * HOUR);

describe('how a conversation the bot alone held ends', () => {
  it('resolved by the bot when its last reply answered (FAQ entry, menu answer, the assistant), with the FAQ entry', () => {
    expect(decide(quiet('faq_answer', { lastBotReply: { at: '2026-11-20T10:00:01.000Z', kind: 'faq_answer', faqId: 'shipping' } }))).toEqual({
      end: true,
      outcome: 'resolved_by_bot',
      reason: 'answered',
      faqId: 'shipping',
    });
    expect(decide(quiet('choice_answer'))).toEqual({ end: true, outcome: 'resolved_by_bot', reason: 'answered' });
    expect(decide(quiet('generated'))).toEqual({ end: true, outcome: 'resolved_by_bot', reason: 'answered_by_assistant' });
    expect(decide(quiet('small_talk'))).toEqual({ end: true, outcome: 'resolved_by_bot', reason: 'customer_thanked' });
    expect(decide(quiet('opt_in_confirmed'))).toEqual({ end: true, outcome: 'resolved_by_bot', reason: 'consent_given' });
  });

  it('no response when the bot was waiting: greeting and menu only, a question, an offer of a person', () => {
    expect(decide(quiet('menu'))).toEqual({ end: true, outcome: 'no_response', reason: 'no_reply_after_greeting' });
    expect(decide(quiet('faq_answer', { awaitingField: 'order_id' }))).toEqual({ end: true, outcome: 'no_response', reason: 'awaiting_order_id' });
    expect(decide(quiet('opt_out_question'))).toEqual({ end: true, outcome: 'no_response', reason: 'awaiting_confirmation' });
    expect(decide(quiet('fallback'))).toEqual({ end: true, outcome: 'no_response', reason: 'person_offered' });
    expect(decide(quiet('attachment_ack'))).toEqual({ end: true, outcome: 'no_response', reason: 'awaiting_details' });
    // A reply kind this code does not know yet: the bot spoke last, the customer did not answer.
    expect(decide(quiet('language_question'))).toEqual({ end: true, outcome: 'no_response', reason: 'awaiting_customer' });
  });

  it('opted out when the customer withdrew consent since the last end, whatever the bot said after', () => {
    expect(decide(quiet('opt_out_confirmed', { consentStatus: 'opted_out', consentChangedAt: '2026-11-20T10:00:00.000Z' }))).toEqual({
      end: true,
      outcome: 'opted_out',
      reason: 'consent_opted_out',
    });
    // Withdrawn in an earlier exchange that already ended: this one is judged on its own.
    const earlier = quiet('faq_answer', {
      consentStatus: 'opted_out',
      consentChangedAt: '2026-11-01T09:00:00.000Z',
      endedAt: '2026-11-02T09:10:00.000Z',
      endedInboundAt: '2026-11-01T09:00:00.000Z',
    });
    expect(decide(earlier)).toMatchObject({ end: true, outcome: 'resolved_by_bot' });
  });

  it('unresolved when the customer wrote and the bot never answered', () => {
    expect(decide(quiet('faq_answer', { unansweredCustomerMessages: 2 }))).toEqual({ end: true, outcome: 'unresolved', reason: 'bot_did_not_answer' });
    expect(decide({ state: 'bot', lastInboundAt: LAST_INBOUND, unansweredCustomerMessages: 0 })).toEqual({
      end: true,
      outcome: 'unresolved',
      reason: 'no_bot_reply',
    });
  });

  it('is not due before the end hours have passed since the customer last wrote, and says when to look again', () => {
    expect(decide(quiet('faq_answer'), new Date(DUE.getTime() - 1))).toEqual({ end: false, skip: 'not_due', lookAgainAt: DUE });
    expect(decide(quiet('faq_answer'), DUE)).toMatchObject({ end: true });
    // A business that ends after 2 hours.
    expect(decide(quiet('faq_answer'), new Date(Date.parse(LAST_INBOUND) + 2 * HOUR), 2)).toMatchObject({ end: true, outcome: 'resolved_by_bot' });
  });

  it('leaves alone what is not the bot alone: a person holds or closed it, a person wrote last, a handoff, a hand-back', () => {
    expect(decide(quiet('faq_answer', { state: 'human' }))).toEqual({ end: false, skip: 'not_bot' });
    expect(decide(quiet('faq_answer', { state: 'closed' }))).toEqual({ end: false, skip: 'not_bot' });
    expect(decide(quiet('faq_answer', { lastPersonMessageAt: '2026-11-20T10:05:00.000Z' }))).toEqual({ end: false, skip: 'person_handled' });
    expect(decide(quiet('handoff_ack'))).toEqual({ end: false, skip: 'person_handled' });
    expect(decide(quiet('faq_answer', { handedBackAt: '2026-11-20T11:00:00.000Z' }))).toEqual({ end: false, skip: 'person_handled' });
    // A person who wrote before the bot's last answer does not hold it.
    expect(decide(quiet('faq_answer', { lastPersonMessageAt: '2026-11-19T10:05:00.000Z', handedBackAt: '2026-11-19T10:06:00.000Z' }))).toMatchObject({
      end: true,
    });
  });

  it('ends once per customer message, and waits for a reply still being sent', () => {
    expect(decide(quiet('faq_answer', { endedInboundAt: LAST_INBOUND, endedAt: DUE.toISOString() }))).toEqual({ end: false, skip: 'already_ended' });
    // Ended after an earlier message; the customer came back since: this exchange ends on its own.
    expect(decide(quiet('faq_answer', { endedInboundAt: '2026-11-18T10:00:00.000Z' }))).toMatchObject({ end: true });
    expect(decide(quiet('faq_answer', { pendingReplyId: 'out_1' }))).toEqual({
      end: false,
      skip: 'reply_pending',
      lookAgainAt: new Date(LATER.getTime() + PENDING_REPLY_RETRY_MS),
    });
    expect(decide({ state: 'bot', unansweredCustomerMessages: 0 })).toEqual({ end: false, skip: 'no_customer_message' });
  });
});
