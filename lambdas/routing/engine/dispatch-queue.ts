import { anyFreeCapacity, rankAgents } from '#lambdas/routing/engine/choose-agent';
import { loadWorld, routingEvent, type EngineDeps } from '#lambdas/routing/engine/engine-context';
import { isOpen } from '#lambdas/routing/engine/queue-calendar';
import { offered } from '#lambdas/routing/engine/routing-transitions';
import type { RoutingAgent, RoutingQueue } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';
import { sha256Hex } from '#lambdas/shared/hash';

const PAGE_SIZE = 25;
/** Waiting conversations looked at per queue and call, at most (the next dispatch continues). */
const MAX_PAGES = 20;

/**
 * Offers waiting conversations to eligible online agents with free capacity: open queues of higher
 * priority first, within a queue higher conversation priority then oldest; each to the best agent
 * (least busy, then longest idle). The offer is one conditional transaction, so concurrent
 * dispatchers never offer one conversation twice nor fill an agent past capacity; an agent found
 * full is skipped for the rest of the call. Stops when no candidate agent has room.
 */
export async function dispatch(deps: EngineDeps, businessId: string, scope: { queueId?: string; agentId?: string } = {}): Promise<{ offered: number }> {
  const now = deps.now();
  const world = await loadWorld(deps, businessId);
  const candidates = world.agents.filter((a) => scope.agentId === undefined || a.agentId === scope.agentId);
  const queues = world.queues
    .filter((q) => scope.queueId === undefined || q.queueId === scope.queueId)
    .filter((q) => isOpen(q.hours, now))
    .sort((a, b) => b.priority - a.priority || a.queueId.localeCompare(b.queueId));
  let count = 0;
  for (const queue of queues) {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      if (!anyFreeCapacity(candidates)) return { offered: count };
      const waiting = await deps.state.waiting(businessId, queue.queueId, PAGE_SIZE, cursor);
      for (const entry of waiting.entries) {
        if (!anyFreeCapacity(candidates)) return { offered: count };
        if (await offerToBestAgent(deps, businessId, queue, entry.conversationKey, candidates, now)) count++;
      }
      cursor = waiting.cursor;
      if (!cursor) break;
    }
  }
  return { offered: count };
}

/** Tries the eligible agents in rank order until one offer is written; false when none could take it. */
async function offerToBestAgent(
  deps: EngineDeps,
  businessId: string,
  queue: RoutingQueue,
  conversationKey: string,
  candidates: RoutingAgent[],
  now: Date,
): Promise<boolean> {
  const routing = await deps.state.getRouting(conversationKey);
  // The index is eventually consistent: the item itself says whether it still waits here.
  if (!routing || routing.businessId !== businessId || routing.routingStatus !== 'queued' || routing.queueId !== queue.queueId) return false;
  const at = now.toISOString();
  for (const agent of rankAgents(candidates, queue, routing)) {
    const offerId = `offer_${sha256Hex(`${conversationKey}|${routing.routingVersion}|${agent.agentId}`).slice(0, 24)}`;
    const expiresAt = new Date(now.getTime() + queue.offerTimeoutSeconds * 1000).toISOString();
    // Asked for before the offer is written: a timer for an offer that was never made finds another offerId and does nothing.
    await deps.scheduler.schedule({ kind: 'offer_expiry', businessId, conversationKey, offerId, dueAt: expiresAt });
    const out = await deps.state.transition(
      routing,
      offered(routing, { agentId: agent.agentId, offerId, at, expiresAt }),
      [{ agentId: agent.agentId, take: { maxConcurrent: agent.maxConcurrent } }],
      at,
    );
    if (out.ok) {
      agent.activeConversationKeys.push(conversationKey);
      agent.lastActivityAt = at;
      await deps.publisher.publish([routingEvent(DETAIL_TYPE.conversationOffered, out.routing, at, { agentId: agent.agentId })]);
      return true;
    }
    if (out.failed === 'conversation_changed') return false;
    // Full, offline or holding it already by another dispatcher's doing: not a candidate in this call any more.
    const index = candidates.indexOf(agent);
    if (index >= 0) candidates.splice(index, 1);
  }
  return false;
}
