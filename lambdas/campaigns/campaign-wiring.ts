import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { dynamoCampaignCounts } from '#lambdas/campaigns/campaign-counts-store';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';

/**
 * Tuning of the release loop from the environment (lib/constructs/campaigns.ts sets none by
 * default), read with the release function's schema (lambdas/handlers/environment/campaign-release.ts).
 */
export const CAMPAIGN_TUNING_ENV = {
  tickSeconds: 'CAMPAIGN_TICK_SECONDS',
  maxPerTick: 'CAMPAIGN_MAX_PER_TICK',
  parallelism: 'CAMPAIGN_RELEASE_PARALLELISM',
  /** Test-only compression of the release check's quarter of an hour (unset in a deployment). */
  checkSeconds: 'CAMPAIGN_RELEASE_CHECK_SECONDS',
  /** Test-only: how old a claim must be to count as an interrupted send (default 5 minutes). */
  staleClaimSeconds: 'CAMPAIGN_STALE_CLAIM_SECONDS',
} as const;

/** What every campaign function shares: the table's store and counters. */
export function campaignStoreAndCounts(table: { db: DocumentClient; tableName: string }) {
  return { store: dynamoCampaignStore(table), counter: dynamoCampaignCounts(table) };
}

/** Campaign counting for the receipt handlers (normalizer, status tracking): counters and the list's failed marks. */
export function tableCampaignCounts(table: { db: DocumentClient; tableName: string }) {
  const { store, counter } = campaignStoreAndCounts(table);
  return { counter, recipients: store };
}
