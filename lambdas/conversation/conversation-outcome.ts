import type { ConversationOutcome } from '#lambdas/contacts/contact-model';

/**
 * How a conversation ended, on the Conversation item, whoever ended it:
 *
 *   outcome         resolved, resolved_by_bot, converted, unresolved, no_response, duplicate, spam, opted_out
 *   outcomeReason   why: the handoff reason for a person's close, the bot's reason for an end (bot-outcome.ts)
 *   outcomeAt       when
 *   outcomeBy       `person` (an agent closed it) or `bot` (the end-of-conversation sweep ended it)
 *
 * These four always hold the latest end. Each kind also keeps its own, so a later end of the other
 * kind does not erase it (a sale closed by a person stays a sale when the customer comes back and
 * the bot later ends the new exchange): a person's close in `closedAt`/`closeOutcome`/`closeReason`,
 * the bot's in `endedAt`/`endOutcome`/`endReason`. The conversation's routing `tags` are the tags.
 */
export type OutcomeBy = 'person' | 'bot';

/** Tags carried in `conversation.closed` / `conversation.ended` at most (the conversation's own cap). */
export const MAX_OUTCOME_TAGS = 50;
/** The routing tag form (routing-model.ts): lower-case letters, digits, _ and -, at most 40. */
const TAG = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,39}$/u;

/**
 * The conversation's tags as an event carries them: the string set read back from the table, sorted,
 * only values of the tag form (anything else is not an id and stays out of the bus), bounded.
 */
export function outcomeTags(tags: unknown): string[] {
  const values = tags instanceof Set ? [...tags] : Array.isArray(tags) ? tags : [];
  return [...new Set(values.filter((t): t is string => typeof t === 'string' && TAG.test(t)))].sort().slice(0, MAX_OUTCOME_TAGS);
}

/** Reasons are enum values or handoff reasons; anything else becomes `other` (never free text on the bus). */
export function outcomeReason(reason: unknown): string {
  return typeof reason === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(reason) ? reason : 'other';
}

/** The SET clauses and values of the latest outcome (placeholders prefixed `:oc` so they never clash). */
export function latestOutcomeUpdate(
  outcome: ConversationOutcome,
  reason: string,
  at: string,
  by: OutcomeBy,
): { set: string[]; values: Record<string, unknown> } {
  return {
    set: ['outcome = :ocOutcome', 'outcomeReason = :ocReason', 'outcomeAt = :ocAt', 'outcomeBy = :ocBy'],
    values: { ':ocOutcome': outcome, ':ocReason': outcomeReason(reason), ':ocAt': at, ':ocBy': by },
  };
}
