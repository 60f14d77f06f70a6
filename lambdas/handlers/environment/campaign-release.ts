import { RELEASE_CHECK_DELAY_SECONDS } from '#lambdas/campaigns/campaign-release-check';
import { DEFAULT_MAX_PER_TICK, DEFAULT_TICK_SECONDS } from '#lambdas/campaigns/campaign-release-decision';
import { STALE_CLAIM_MS } from '#lambdas/campaigns/campaign-send-items';
import { CAMPAIGN_QUEUE_ENV } from '#lambdas/campaigns/campaign-send-queue';
import { CAMPAIGN_TUNING_ENV } from '#lambdas/campaigns/campaign-wiring';
import { BUS, OWN_QUEUE, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The campaign release function's environment (lib/constructs/campaigns.ts); the tuning is unset in a deployment. */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  [CAMPAIGN_QUEUE_ENV.ticksQueueUrl]: variable.url(),
  [CAMPAIGN_QUEUE_ENV.sendQueueUrl]: variable.url(),
  [CAMPAIGN_TUNING_ENV.tickSeconds]: variable.wholeNumber(1).default(DEFAULT_TICK_SECONDS),
  [CAMPAIGN_TUNING_ENV.maxPerTick]: variable.wholeNumber(1).default(DEFAULT_MAX_PER_TICK),
  [CAMPAIGN_TUNING_ENV.parallelism]: variable.wholeNumber(1).default(16),
  [CAMPAIGN_TUNING_ENV.checkSeconds]: variable.wholeNumber(1).default(RELEASE_CHECK_DELAY_SECONDS),
  [CAMPAIGN_TUNING_ENV.staleClaimSeconds]: variable.wholeNumber(1).default(STALE_CLAIM_MS / 1000),
  /** The tick queue as the function's own: failed records come back after a backoff. */
  ...OWN_QUEUE,
} as const;
