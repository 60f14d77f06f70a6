import type { BotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';

/** Accounts whose bot settings are looked at for the time zone (they all share one business's settings). */
const ACCOUNTS_ASKED = 3;

/**
 * The business's time zone, as the console shows times and the day's figures count days: its bot
 * settings' `timezone`, else the first of its queues with opening hours, else UTC.
 */
export async function businessTimezone(
  businessId: string,
  accountIds: readonly string[],
  deps: { routingConfig: RoutingConfigReader; botSettings?: BotSettingsSource | undefined },
): Promise<string> {
  if (deps.botSettings) {
    for (const accountId of accountIds.slice(0, ACCOUNTS_ASKED)) {
      const settings = await deps.botSettings.forAccount(accountId);
      if (settings?.timezone) return settings.timezone;
    }
  }
  const config = await deps.routingConfig.loadConfig(businessId);
  return config.queues.find((q) => q.hours?.timezone)?.hours?.timezone ?? 'UTC';
}
