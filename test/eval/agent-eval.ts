import { composeReply, type ComposedReply, type ConversationMemory, type CustomerMessage } from '#lambdas/agent/compose-reply';
import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { IntentIndex } from '#lambdas/agent/flows/intent-index';
import type { EvalConversation, FaqId, Label, Lang } from '#test/eval/agent-eval-set';

/** Wednesday 10:00 in São Paulo: the demo business is open. */
export const EVAL_NOW = new Date('2026-11-18T13:00:00.000Z');

const FAQ_IDS = new Set<string>(['order_tracking', 'shipping_time', 'returns', 'payment_methods', 'opening_hours']);

/** What a reply did, in the labels' terms. */
export function outcomeOf(reply: ComposedReply): Label {
  switch (reply.kind) {
    case 'faq_answer':
    case 'choice_answer':
      return (reply.faqId as FaqId | undefined) ?? 'honest';
    case 'menu':
      return 'greeting';
    case 'small_talk':
    case 'none':
    case 'opt_out_kept':
      return 'small_talk';
    case 'attachment_ack':
      return 'attachment';
    case 'opt_out_confirmed':
      return 'opt_out';
    case 'opt_out_question':
      return 'opt_out_confirm';
    case 'opt_in_confirmed':
      return 'opt_in';
    case 'handoff_ack':
      if (reply.handoff?.reason === 'complaint') return 'complaint';
      if (reply.handoff?.reason === 'order_followup') return 'order';
      if (reply.handoff?.reason === 'after_hours_question') return 'honest';
      return 'handoff';
    default:
      // fallback (not sure), out_of_hours, repeat_offer
      return 'honest';
  }
}

export interface TurnResult {
  conversation: string;
  text: string;
  expected: Label[];
  got: Label;
  lang: Lang;
  gotLang: string;
  optOut: boolean;
}

export interface EvalReport {
  turns: number;
  conversations: number;
  languageAccuracy: number;
  intentAccuracy: number;
  /** Replies that gave an FAQ answer other than the one expected (or one when none covers it). */
  wrongAnswerRate: number;
  wrongAnswers: number;
  /** Of the uncovered questions, how many got the honest "not sure" (or a person) instead of an answer. */
  honestFallbackRate: number;
  /** Share of all replies that were the honest "not sure". */
  fallbackShare: number;
  optOutRecall: number;
  falseOptOuts: number;
  failures: TurnResult[];
}

/**
 * Plays each conversation through composeReply, the step answer-conversation uses, carrying the
 * conversation's memory from one reply to the next as the Conversation item does.
 */
export function runEval(set: readonly EvalConversation[], business: BusinessFlows, now = EVAL_NOW): EvalReport {
  const intentIndex = new IntentIndex(business, business.faqMinScore);
  const results: TurnResult[] = [];
  let seq = 0;
  for (const conversation of set) {
    let memory: ConversationMemory | undefined;
    for (const turn of conversation.turns) {
      const message: CustomerMessage = { type: turn.type ?? 'text', ...(turn.text ? { text: turn.text } : {}), providerMessageId: `eval.${++seq}` };
      const reply = composeReply([message], {
        business,
        now,
        intentIndex,
        ...(memory?.language ? { fallbackLanguage: memory.language } : {}),
        ...(memory ? { memory } : {}),
        ...(conversation.phone ? { phoneNumber: conversation.phone } : {}),
      });
      memory = reply.memory ?? memory;
      results.push({
        conversation: conversation.name,
        text: turn.text ?? `[${turn.type}]`,
        expected: Array.isArray(turn.expect) ? turn.expect : [turn.expect],
        got: outcomeOf(reply),
        lang: turn.lang,
        gotLang: reply.language,
        optOut: reply.optOut !== undefined,
      });
    }
  }
  const accepts = (r: TurnResult) => r.expected.includes(r.got) || (r.got === 'handoff' && r.expected.includes('honest'));
  const wrong = results.filter((r) => FAQ_IDS.has(r.got) && !r.expected.includes(r.got));
  const uncovered = results.filter((r) => r.expected.every((e) => e === 'honest'));
  const optOutsExpected = results.filter((r) => r.expected.includes('opt_out') && r.expected.length === 1);
  const ratio = (n: number, d: number) => (d === 0 ? 1 : n / d);
  return {
    turns: results.length,
    conversations: set.length,
    languageAccuracy: ratio(results.filter((r) => r.gotLang === r.lang).length, results.length),
    intentAccuracy: ratio(results.filter(accepts).length, results.length),
    wrongAnswerRate: ratio(wrong.length, results.length),
    wrongAnswers: wrong.length,
    honestFallbackRate: ratio(uncovered.filter((r) => r.got === 'honest' || r.got === 'handoff').length, uncovered.length),
    fallbackShare: ratio(results.filter((r) => r.got === 'honest').length, results.length),
    optOutRecall: ratio(optOutsExpected.filter((r) => r.optOut).length, optOutsExpected.length),
    falseOptOuts: results.filter((r) => r.optOut && !r.expected.includes('opt_out')).length,
    failures: results.filter((r) => !accepts(r) || r.gotLang !== r.lang),
  };
}

export const EVAL_TARGETS = { languageAccuracy: 0.98, wrongAnswerRate: 0.02, optOutRecall: 1, falseOptOuts: 0 } as const;

export function formatReport(report: EvalReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `Agent evaluation: ${report.turns} customer messages in ${report.conversations} conversations (demo business, in hours)`,
    `  language accuracy     ${pct(report.languageAccuracy)}   (target ≥ ${pct(EVAL_TARGETS.languageAccuracy)})`,
    `  intent accuracy       ${pct(report.intentAccuracy)}`,
    `  wrong answers         ${pct(report.wrongAnswerRate)} (${report.wrongAnswers})   (target ≤ ${pct(EVAL_TARGETS.wrongAnswerRate)})`,
    `  honest fallback       ${pct(report.honestFallbackRate)} of uncovered questions; ${pct(report.fallbackShare)} of all replies`,
    `  opt-out recall        ${pct(report.optOutRecall)}   (target 100%)`,
    `  false opt-outs        ${report.falseOptOuts}   (target 0)`,
  ].join('\n');
}
