import { queuesWithDefault } from '#lambdas/routing/engine/match-routing-rule';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';
import type { RoutingViews } from '#lambdas/routing/wiring/routing-views-store';

export interface QueueGauge {
  queueId: string;
  waiting: number;
  oldestWaitingSeconds: number;
}

export interface BusinessGauges {
  businessId: string;
  queues: QueueGauge[];
  agentsOnline: number;
  /** Agents (not offline) with at least one conversation offered or assigned. */
  agentsBusy: number;
}

/**
 * The live figures of one business: per queue the conversations waiting and the longest wait, and
 * how many agents are online and busy. Read when something routing-related happened to the
 * business (at most once a minute per business and function instance, see `gaugeThrottle`).
 */
export async function measureBusiness(businessId: string, deps: { config: RoutingConfigReader; views: RoutingViews; now: Date }): Promise<BusinessGauges> {
  const config = await deps.config.loadConfig(businessId);
  const queueIds = queuesWithDefault(businessId, config.queues).map((q) => q.queueId);
  const queues: QueueGauge[] = [];
  for (const queueId of queueIds) {
    const waiting = await deps.views.queueWaiting(businessId, queueId, { entries: 0 });
    const oldest = waiting.oldestWaitingSince ? Date.parse(waiting.oldestWaitingSince) : NaN;
    queues.push({
      queueId,
      waiting: waiting.waiting,
      oldestWaitingSeconds: Number.isFinite(oldest) ? Math.max(0, Math.round((deps.now.getTime() - oldest) / 1000)) : 0,
    });
  }
  return {
    businessId,
    queues,
    agentsOnline: config.agents.filter((a) => a.presence === 'online').length,
    agentsBusy: config.agents.filter((a) => a.presence !== 'offline' && a.activeConversationKeys.length > 0).length,
  };
}

/** Remembers when each business was last measured; `due` says whether to measure it now. */
export function gaugeThrottle(intervalMs = 60_000, maxBusinesses = 1000) {
  const last = new Map<string, number>();
  return {
    due(businessId: string, nowMs: number): boolean {
      const at = last.get(businessId);
      if (at !== undefined && nowMs - at < intervalMs) return false;
      last.delete(businessId);
      if (last.size >= maxBusinesses) last.delete(last.keys().next().value as string);
      last.set(businessId, nowMs);
      return true;
    },
  };
}
