import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import type { PacingLimits } from '#lambdas/outbound/send-pacing';
import { CHANNEL_ACCOUNT_SK, createSendingAccountStore, type SendingAccountStore } from '#lambdas/outbound/sending-account-store';

/** Meta's defaults: 80 msg/s per Cloud API number, 20 for numbers shared with the Business App. */
export const DEFAULT_MESSAGES_PER_SECOND = 80;
export const COEXISTENCE_MESSAGES_PER_SECOND = 20;
/** One message per 6 s per recipient, after a short burst (Meta does not publish its exact size). */
export const DEFAULT_PAIR_LIMIT = { intervalMs: 6_000, burst: 5 } as const;

/** The channel account item (`pk ACCT#<accountId>`, `sk ACCOUNT`) as far as pacing reads it. */
export { CHANNEL_ACCOUNT_SK };

export function limitsFromAccount(item: Record<string, unknown> | undefined): PacingLimits {
  const recorded = item?.throughputPerSecond;
  const coexistence = item?.coexistence === true;
  const perSecond = typeof recorded === 'number' && recorded > 0 ? recorded : coexistence ? COEXISTENCE_MESSAGES_PER_SECOND : DEFAULT_MESSAGES_PER_SECOND;
  // A coexistence number never goes above its lower limit, whatever else is recorded.
  return {
    messagesPerSecond: coexistence ? Math.min(perSecond, COEXISTENCE_MESSAGES_PER_SECOND) : perSecond,
    pair: { ...DEFAULT_PAIR_LIMIT },
  };
}

/**
 * Reads each account's limits once a minute per Lambda instance: throughput changes rarely (an
 * upgrade by Meta), and a stale value for a minute only paces a little too slowly or too fast.
 */
export function channelAccountLimits(
  db: DocumentClient,
  tableName: string,
  options: { ttlMs?: number; nowMs?: () => number } = {},
): (accountId: string) => Promise<PacingLimits> {
  return cachedAccountLimits(createSendingAccountStore(db, tableName), options);
}

/** The same cache over the channel account store. */
export function cachedAccountLimits(
  accounts: Pick<SendingAccountStore, 'readAccount'>,
  options: { ttlMs?: number; nowMs?: () => number } = {},
): (accountId: string) => Promise<PacingLimits> {
  const ttlMs = options.ttlMs ?? 60_000;
  const nowMs = options.nowMs ?? Date.now;
  const cache = new Map<string, { limits: PacingLimits; until: number }>();
  return async (accountId) => {
    const hit = cache.get(accountId);
    if (hit && hit.until > nowMs()) return hit.limits;
    const limits = limitsFromAccount(await accounts.readAccount(accountId));
    cache.set(accountId, { limits, until: nowMs() + ttlMs });
    return limits;
  };
}
