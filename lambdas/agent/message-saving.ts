import { BUDGET_WARNING_SHARE, type BudgetGate } from '#lambdas/pricing/budget-ports';

/**
 * Whether the bot should send fewer messages on a conversation's account now: its business has
 * spent BUDGET_WARNING_SHARE (80%) or more of its monthly Meta budget. Since 2026-10-01 Meta charges
 * service messages too, so every reply the bot can do without saves money (docs/meta-pricing.md
 * § Budgets). While saving, the bot:
 * - answers thanks and goodbyes with nothing (the small-talk reply is optional; compose-reply.ts),
 * - offers no other language (the offer rides on a reply, but the customer's tap on it would cost
 *   a `language_set` reply; writing in their language still switches it),
 * - waits SAVING_QUIET_FACTOR times longer for a customer to finish writing (quiet-period.ts), so
 *   lines sent a few seconds apart get one combined reply instead of two.
 */
export interface MessageSaving {
  savingFor(accountId: string, now: Date): Promise<boolean>;
}

/** How much longer the quiet period is while saving (2 s → 4 s by default). */
export const SAVING_QUIET_FACTOR = 2;

export function savingQuietMs(quietMs: number, saving: boolean): number {
  return saving && quietMs > 0 ? quietMs * SAVING_QUIET_FACTOR : quietMs;
}

/**
 * From the budget gate (cached a minute per business by the caller: one read per business a minute
 * at most, whatever the number of conversation turns). A failed read does not stop the reply: the
 * bot answers as usual, and `onError` is told.
 */
export function budgetMessageSaving(deps: {
  gate: BudgetGate;
  businessOfAccount(accountId: string): Promise<string | undefined>;
  onError?(err: unknown): void;
}): MessageSaving {
  return {
    async savingFor(accountId, now) {
      try {
        const businessId = await deps.businessOfAccount(accountId);
        if (!businessId) return false;
        const standing = await deps.gate.standing(businessId, now);
        return standing.budgetMicros !== undefined && standing.share >= BUDGET_WARNING_SHARE;
      } catch (err) {
        deps.onError?.(err);
        return false;
      }
    },
  };
}
