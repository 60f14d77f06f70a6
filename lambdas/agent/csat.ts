import type { ReplyOption } from '#lambdas/outbound/outbound-message';

/** Choice ids of the satisfaction question; they come back verbatim when the customer taps one. */
export const CSAT_CHOICE_PREFIX = 'csat:';
export const CSAT_SCORES = [1, 2, 3, 4, 5] as const;

/**
 * One option per score. Five options become a WhatsApp list (three buttons at most) and
 * Instagram/Messenger quick replies.
 */
export function csatOptions(): ReplyOption[] {
  return CSAT_SCORES.map((score) => ({ id: `${CSAT_CHOICE_PREFIX}${score}`, title: '⭐'.repeat(score) + ` ${score}` }));
}

/** The score a customer gave: a tapped option, or a message that is only the digit. */
export function csatScoreOf(message: { type?: string; text?: string; choiceId?: string }): number | undefined {
  const raw =
    message.type === 'choice' && message.choiceId?.startsWith(CSAT_CHOICE_PREFIX)
      ? message.choiceId.slice(CSAT_CHOICE_PREFIX.length)
      : message.type === 'text'
        ? message.text?.trim()
        : undefined;
  if (raw === undefined || !/^[1-5]$/.test(raw)) return undefined;
  return Number(raw);
}
