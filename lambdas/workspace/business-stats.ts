import type { BotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';
import { localDate, localDayBounds } from '#lambdas/workspace/business-day';
import { businessTimezone } from '#lambdas/workspace/business-timezone';
import type { ClosedConversation, ClosedConversationSource } from '#lambdas/workspace/closed-conversations-store';
import { dayStats, type DayStats } from '#lambdas/workspace/supervisor-stats';

/** Conversations read per account at most for one day's figures. */
export const STATS_CAP_PER_ACCOUNT = 2_000;

/**
 * One day's figures (the business's time zone; default today) from the conversations its accounts
 * closed that day, in the business's time zone (business-timezone.ts).
 */
export async function businessStats(
  input: { businessId: string; date?: string },
  deps: { closedConversations: ClosedConversationSource; routingConfig: RoutingConfigReader; botSettings: BotSettingsSource; now: Date },
): Promise<DayStats> {
  const accountIds = await deps.closedConversations.accountIdsOf(input.businessId);
  const timezone = await businessTimezone(input.businessId, accountIds, deps);
  const date = input.date ?? localDate(deps.now, timezone);
  const { from, to } = localDayBounds(date, timezone);
  const conversations: ClosedConversation[] = [];
  let truncated = false;
  for (const accountId of accountIds) {
    const closed = await deps.closedConversations.closedBetween(accountId, from, to, STATS_CAP_PER_ACCOUNT);
    if (closed.length >= STATS_CAP_PER_ACCOUNT) truncated = true;
    conversations.push(...closed);
  }
  return dayStats({ date, timezone, from, to, truncated }, conversations);
}
