import {
  claimInstagramAccount,
  claimInstagramLoginAccount,
  claimWhatsAppNumber,
  getBusinessAccount,
  getChannelAccount,
  upsertBusinessAccount,
  upsertChannelAccount,
} from '#lambdas/accounts/account-registry-store';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';

/** A registry function of account-registry-store.ts with its table already given. */
type OnTable<F> = F extends (db: DocumentClient, tableName: string, ...args: infer A) => infer R ? (...args: A) => R : never;

/**
 * The channel account registry as the use cases see it: reads as they are now (uncached; the hot
 * path reads through cached-account-reader.ts), registration and onboarding's conditional claims.
 */
export interface AccountRegistry {
  channelAccount: OnTable<typeof getChannelAccount>;
  businessAccount: OnTable<typeof getBusinessAccount>;
  upsertChannelAccount: OnTable<typeof upsertChannelAccount>;
  upsertBusinessAccount: OnTable<typeof upsertBusinessAccount>;
  claimWhatsAppNumber: OnTable<typeof claimWhatsAppNumber>;
  claimInstagramAccount: OnTable<typeof claimInstagramAccount>;
  claimInstagramLoginAccount: OnTable<typeof claimInstagramLoginAccount>;
}

/** The registry in the table (account-registry-store.ts): for the wiring (handlers, tests). */
export function dynamoAccountRegistry(db: DocumentClient, tableName: string): AccountRegistry {
  return {
    channelAccount: (...args) => getChannelAccount(db, tableName, ...args),
    businessAccount: (...args) => getBusinessAccount(db, tableName, ...args),
    upsertChannelAccount: (...args) => upsertChannelAccount(db, tableName, ...args),
    upsertBusinessAccount: (...args) => upsertBusinessAccount(db, tableName, ...args),
    claimWhatsAppNumber: (...args) => claimWhatsAppNumber(db, tableName, ...args),
    claimInstagramAccount: (...args) => claimInstagramAccount(db, tableName, ...args),
    claimInstagramLoginAccount: (...args) => claimInstagramLoginAccount(db, tableName, ...args),
  };
}
