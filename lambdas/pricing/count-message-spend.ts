import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { budgetThresholdCrossedEvent } from '#lambdas/pricing/budget-threshold-crossed';
import { thresholdsToAnnounce } from '#lambdas/pricing/budget-thresholds';
import { monthOf } from '#lambdas/pricing/spend-keys';
import { spendDelta, type BudgetThreshold } from '#lambdas/pricing/spend-month';
import type { SpendStore } from '#lambdas/pricing/spend-store';
import type { MessageCharge } from '#lambdas/pricing/whatsapp-message-charge';
import { SpendNotCountedError } from '#lambdas/pricing/errors';

/** What the charge recorder knows of a message it just priced: its Message item's attributes. */
export interface PricedMessage {
  accountId?: unknown;
  /** Set on campaign sends (campaigns/campaign-keys.ts): the campaign's spend is counted too. */
  campaignId?: unknown;
  campaignBusinessId?: unknown;
}

export interface MessageSpendDeps {
  store: SpendStore;
  publisher: EventPublisher;
  /** The business that owns a WhatsApp number, from the registry (cached by the caller). */
  businessOfAccount(accountId: string): Promise<string | undefined>;
  /** The business's monthly budget in USD micros, undefined without one (cached by the caller). */
  budgetOf(businessId: string): Promise<number | undefined>;
  /** Told every charged message counted (USD micros), for the function's metrics. */
  onCharged?(micros: number): void;
  /** Told each threshold announced (after its event is out), for the alarm's metric. */
  onThresholdCrossed?(threshold: BudgetThreshold, businessId: string): void;
}

export type SpendCounted =
  | { counted: true; businessId: string; month: string; micros: number; announced: BudgetThreshold[]; campaign?: 'counted' | 'not_found' | 'other_business' }
  | { counted: false; reason: 'no_business' };

export interface MessageSpendCounter {
  count(message: PricedMessage, charge: MessageCharge, at: string): Promise<SpendCounted>;
}

/**
 * Adds a message Meta just priced to its business's running month (one UpdateItem), to its
 * campaign's spend when it is a campaign send (one more), and announces the budget thresholds the
 * month has reached (a conditional write and one event each, at most twice a month).
 *
 * Called once per message, right after the conditional write that priced it
 * (status/record-message-charge.ts). What can be repeated safely is repeated on failure; what
 * cannot be is ordered so that a failure loses nothing that matters:
 * - the month's add fails → SpendNotCountedError: the caller un-prices the message and the
 *   receipt's retry prices and adds it again;
 * - after the add, the campaign's add, then the thresholds: a threshold whose event could not be
 *   published is released, and the next charge of the business announces it (thresholdsToAnnounce
 *   asks "reached and not announced", not "crossed by this charge").
 */
export function messageSpendCounter(deps: MessageSpendDeps): MessageSpendCounter {
  return {
    async count(message, charge, at) {
      const pricedAt = new Date(at).toISOString();
      const accountId = typeof message.accountId === 'string' ? message.accountId : undefined;
      const campaignBusiness = typeof message.campaignBusinessId === 'string' ? message.campaignBusinessId : undefined;
      const businessId = (accountId ? await deps.businessOfAccount(accountId) : undefined) ?? campaignBusiness;
      if (!businessId) return { counted: false, reason: 'no_business' };

      const month = monthOf(pricedAt);
      const delta = spendDelta(charge, { ...(accountId ? { accountId } : {}), at: pricedAt });
      let after: Awaited<ReturnType<SpendStore['addToMonth']>>;
      try {
        after = await deps.store.addToMonth(businessId, month, delta, pricedAt, charge.rateCardDate);
      } catch (cause) {
        throw new SpendNotCountedError({ cause });
      }
      if (delta.micros > 0) deps.onCharged?.(delta.micros);

      let campaign: 'counted' | 'not_found' | 'other_business' | undefined;
      if (typeof message.campaignId === 'string' && delta.micros > 0) {
        // The campaign is keyed under its own business; a message naming another business's campaign counts nowhere.
        campaign =
          campaignBusiness !== businessId
            ? 'other_business'
            : (await deps.store.addCampaignSpend(businessId, message.campaignId, delta.micros))
              ? 'counted'
              : 'not_found';
      }

      const announced: BudgetThreshold[] = [];
      if (delta.micros > 0) {
        const budgetMicros = await deps.budgetOf(businessId);
        for (const threshold of thresholdsToAnnounce(after, budgetMicros)) {
          if (!(await deps.store.claimThreshold(businessId, month, threshold, budgetMicros!, pricedAt))) continue;
          try {
            await deps.publisher.publish([
              budgetThresholdCrossedEvent({ businessId, month, threshold, budgetMicros: budgetMicros!, spentMicros: after.spentMicros, crossedAt: pricedAt }),
            ]);
          } catch (err) {
            await deps.store.releaseThreshold(businessId, month, threshold, pricedAt);
            throw err;
          }
          announced.push(threshold);
          deps.onThresholdCrossed?.(threshold, businessId);
        }
      }
      return { counted: true, businessId, month, micros: delta.micros, announced, ...(campaign ? { campaign } : {}) };
    },
  };
}
