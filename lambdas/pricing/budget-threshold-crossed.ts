import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * `budget.threshold_crossed` (v1, source `io.omnichannel.spend`): a business's Meta spend this UTC
 * month reached 80% or 100% of its monthly budget. Published once per threshold, month and budget
 * (the claim on the month item, budget-thresholds.ts); consumers key on businessId + month +
 * threshold + budgetMicros. Amounts in millionths of US dollars, ids only.
 */
export const budgetThresholdCrossedSchema = z.strictObject({
  v: z.literal(1),
  businessId: z.string().check(z.minLength(1), z.maxLength(100)),
  month: z.string().check(z.regex(/^\d{4}-\d\d$/)),
  threshold: z.union([z.literal(80), z.literal(100)]),
  budgetMicros: z.number().check(z.int(), z.positive()),
  spentMicros: z.number().check(z.int(), z.gte(0)),
  currency: z.literal('USD'),
  crossedAt: z.iso.datetime({ offset: true }),
});
export type BudgetThresholdCrossed = z.infer<typeof budgetThresholdCrossedSchema>;

export function budgetThresholdCrossedEvent(detail: Omit<BudgetThresholdCrossed, 'v' | 'currency'>): DomainEvent {
  return { source: EVENT_SOURCE.spend, detailType: DETAIL_TYPE.budgetThresholdCrossed, detail: { v: 1, currency: 'USD', ...detail } };
}
