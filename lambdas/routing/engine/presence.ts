import { dispatch } from '#lambdas/routing/engine/dispatch-queue';
import { ok, refuse, type EngineDeps } from '#lambdas/routing/engine/engine-context';
import { withdrawOffer } from '#lambdas/routing/engine/offers';
import type { RoutingResult } from '#lambdas/routing/routing-ports';
import type { Presence, RoutingAgent } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * An agent's presence. Going offline sends their pending offers back to the queue (they keep what
 * they accepted) and offers them to others; coming online offers them waiting conversations.
 * Repeating the same presence changes nothing but still finishes that work (a retried request).
 */
export async function setPresence(deps: EngineDeps, businessId: string, agentId: string, presence: Presence): Promise<RoutingResult<RoutingAgent>> {
  const config = await deps.config.loadConfig(businessId);
  const settings = config.agents.find((a) => a.agentId === agentId);
  if (!settings) return refuse('agent_not_found', 'No such agent');
  const at = deps.now().toISOString();
  const changed = await deps.state.setPresence(businessId, agentId, presence, at);
  if (!changed) return refuse('agent_not_found', 'No such agent');
  if (changed.before !== presence) {
    await deps.publisher.publish([
      {
        source: EVENT_SOURCE.routing,
        detailType: DETAIL_TYPE.agentPresenceChanged,
        detail: {
          v: 1,
          businessId,
          agentId,
          presence,
          ...(changed.before ? { previous: changed.before } : {}),
          load: changed.after.activeConversationKeys.length,
          at,
        },
      },
    ]);
  }
  if (presence === 'offline') {
    let withdrew = 0;
    for (const key of changed.after.activeConversationKeys) {
      if (await withdrawOffer(deps, key, { agentId }, 'agent_offline')) withdrew++;
    }
    if (withdrew > 0) await dispatch(deps, businessId);
  } else if (presence === 'online') {
    await dispatch(deps, businessId, { agentId });
  }
  const after = (await deps.state.agentStates(businessId)).find((s) => s.agentId === agentId) ?? changed.after;
  return ok({
    ...settings,
    presence: after.presence,
    presenceChangedAt: after.presenceChangedAt ?? settings.presenceChangedAt,
    activeConversationKeys: after.activeConversationKeys,
    ...(after.lastActivityAt ? { lastActivityAt: after.lastActivityAt } : {}),
  });
}
