import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { ChannelAccount } from '#lambdas/accounts/channel-account';
import type { BusinessToolsConfig } from '#lambdas/agent/assistant/business-tools-config';
import { businessToolsSource, type BusinessToolsSource } from '#lambdas/agent/assistant/business-tools-source';

export const TEST_TOOLS_PREFIX = 'Omnichannel-test/business-tools';

/** A registry that knows the given accounts (active), and nothing else. */
export function fakeAccounts(accounts: Array<Pick<ChannelAccount, 'accountId' | 'channel' | 'businessId'>>): AccountReader {
  const byId = new Map(
    accounts.map((a) => [a.accountId, { ...a, status: 'active' as const, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }]),
  );
  return { account: async (id) => byId.get(id), waba: async () => undefined };
}

/** Business tools read from an in-memory map of secrets (`<prefix>/<businessId>` → value). */
export function fakeBusinessTools(options: {
  accounts: AccountReader;
  secrets: Record<string, BusinessToolsConfig | string>;
  reads?: string[];
}): BusinessToolsSource {
  return businessToolsSource({
    accounts: options.accounts,
    secretNamePrefix: TEST_TOOLS_PREFIX,
    readSecret: async (name) => {
      options.reads?.push(name);
      const value = options.secrets[name];
      if (value === undefined) return undefined;
      return typeof value === 'string' ? value : JSON.stringify(value);
    },
  });
}
