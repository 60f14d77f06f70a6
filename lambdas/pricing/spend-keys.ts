import { boundedId } from '#lambdas/shared/bounded-id';

/**
 * Meta spend items in the single table (see conversation/table-keys.ts for the rest):
 *
 *   pk                   sk                                   entity            holds
 *   SPEND#<business>     BUDGET                               SpendBudget       the monthly budget (USD micros), who set it, version
 *   SPEND#<business>     MONTH#<yyyy-mm>                      MonthSpend        running totals of the UTC month (spend-month.ts) and the thresholds crossed
 *   SPEND#<business>     RESOLVED#<yyyy-mm>#<conversation>#<at> ResolvedMark     one resolved conversation counted (expires after RESOLVED_MARK_DAYS)
 *
 * All of a business's spend lives under one partition key, so the budget gate reads the budget and
 * the month with one BatchGetItem, and an IAM condition on `SPEND#*` confines the spend functions.
 */
export const SPEND_PK_PREFIX = 'SPEND#';
export const spendPk = (businessId: string) => `${SPEND_PK_PREFIX}${boundedId(businessId)}`;
export const BUDGET_SK = 'BUDGET';
export const spendMonthSk = (month: string) => `MONTH#${month}`;
export const resolvedMarkSk = (month: string, conversationKey: string, at: string) => `RESOLVED#${month}#${boundedId(conversationKey)}#${at.slice(0, 40)}`;
/** A resolved-conversation mark outlives any redelivery of its event (EventBridge and SQS retry for days, not weeks). */
export const RESOLVED_MARK_DAYS = 40;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The UTC month (`yyyy-mm`) of an ISO time or a Date. */
export function monthOf(at: string | Date): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 7);
}

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && MONTH.test(value) && Number(value.slice(0, 4)) >= 2000 && Number(value.slice(0, 4)) < 2200;
}

/** The number of days of a `yyyy-mm` month. */
export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
