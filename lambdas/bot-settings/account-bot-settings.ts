import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { promiseCache } from '#lambdas/shared/promise-cache';
import type { BusinessFlows, SettingsProblem } from '#lambdas/agent/flows/business-flows-schema';
import { getCurrentBotSettings, isBusinessId, StoredBotSettingsInvalidError } from '#lambdas/bot-settings/bot-settings-store';

/** The bot settings that answer on a channel account. */
export interface BotSettingsSource {
  /**
   * The settings of the business that owns the account in the registry. `undefined` when the
   * account is not registered or its business has no (valid) settings: then no bot answers, and
   * never with another business's settings.
   */
  forAccount(accountId: string): Promise<BusinessFlows | undefined>;
}

export interface CachedBotSettingsOptions {
  accounts: AccountReader;
  db: DocumentClient;
  tableName: string;
  /** How long a business's settings (or their absence) are served from memory: an admin's edit is seen this late. */
  ttlMs?: number;
  maxEntries?: number;
  nowMs?: () => number;
  /** Stored settings that fail today's schema; told the paths only, never the texts. */
  onInvalid?: (businessId: string, version: number | undefined, problems: SettingsProblem[]) => void;
}

export const BOT_SETTINGS_TTL_MS = 30_000;

/**
 * Account → business (the registry, through its own cache) → that business's current settings,
 * kept per business for 30 s. Concurrent look-ups of one business share a read; a failed read is
 * not remembered (the agent's retry reads again), and neither is anything past `maxEntries`.
 */
export function cachedBotSettingsSource(options: CachedBotSettingsOptions): BotSettingsSource {
  const cache = promiseCache<BusinessFlows | undefined>({
    ttlMs: options.ttlMs ?? BOT_SETTINGS_TTL_MS,
    maxEntries: options.maxEntries ?? 1_000,
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });

  async function read(businessId: string): Promise<BusinessFlows | undefined> {
    try {
      return (await getCurrentBotSettings(options, businessId))?.settings;
    } catch (err) {
      if (!(err instanceof StoredBotSettingsInvalidError)) throw err;
      options.onInvalid?.(businessId, err.version, err.problems);
      return undefined;
    }
  }

  function forBusiness(businessId: string): Promise<BusinessFlows | undefined> {
    return cache.get(businessId, () => read(businessId));
  }

  return {
    async forAccount(accountId) {
      const account = await options.accounts.account(accountId);
      if (!account || !isBusinessId(account.businessId)) return undefined;
      // A copy: the caller may not change what the next conversation reads.
      const settings = await forBusiness(account.businessId);
      return settings === undefined ? undefined : structuredClone(settings);
    },
  };
}

/** The same settings for every account, or none: tests and tools that stand outside the registry. */
export function fixedBotSettings(settings: BusinessFlows | undefined): BotSettingsSource {
  return { forAccount: async () => (settings === undefined ? undefined : structuredClone(settings)) };
}
