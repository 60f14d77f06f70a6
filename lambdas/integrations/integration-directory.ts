import type { IntegrationRecord, IntegrationStore } from '#lambdas/integrations/integration-store';
import { promiseCache } from '#lambdas/shared/promise-cache';

/**
 * A business's enabled integrations as the hot paths (dispatch, lookup) read them: once per
 * instance every 30 seconds per business, concurrent reads sharing one Query. A change made in the
 * admin API is seen within that time; a failed read is not kept.
 */
export interface IntegrationDirectory {
  enabled(businessId: string): Promise<IntegrationRecord[]>;
}

export const INTEGRATIONS_CACHE_TTL_MS = 30_000;

export function cachedIntegrationDirectory(
  store: Pick<IntegrationStore, 'listIntegrations'>,
  options: { ttlMs?: number; nowMs?: () => number } = {},
): IntegrationDirectory {
  const cache = promiseCache<IntegrationRecord[]>({
    ttlMs: options.ttlMs ?? INTEGRATIONS_CACHE_TTL_MS,
    maxEntries: 1_000,
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
  return {
    enabled: (businessId) => cache.get(businessId, async () => (await store.listIntegrations(businessId)).filter((i) => i.enabled)),
  };
}
