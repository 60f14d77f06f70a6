import { dispatch } from '#lambdas/routing/engine/dispatch-queue';
import { DECISION_ATTEMPTS, findQueue, loadWorld, ok, readOwned, refuse, routingEvent, type EngineDeps } from '#lambdas/routing/engine/engine-context';
import type { AgentChange } from '#lambdas/routing/engine/routing-state-store';
import { assigned, holder, inRouting, requeued } from '#lambdas/routing/engine/routing-transitions';
import type { Actor, RoutingResult } from '#lambdas/routing/routing-ports';
import type { ConversationRouting } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

/**
 * Moves a conversation with the people to another queue (waiting there with its original place,
 * the agent who had it freed) or straight to an agent with free capacity (assigned). An agent may
 * transfer only what is assigned to them; they are not offered it again in this handoff.
 */
export async function transfer(
  deps: EngineDeps,
  businessId: string,
  conversationKey: string,
  to: { queueId: string } | { agentId: string },
  by: { id: string; kind: Actor['kind'] },
): Promise<RoutingResult<ConversationRouting>> {
  const world = await loadWorld(deps, businessId);
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const current = await readOwned(deps, businessId, conversationKey);
    if (!current) return refuse('not_found', 'No such conversation in routing');
    if (!inRouting(current)) return refuse('not_in_routing', 'The conversation is not with the people');
    if (by.kind === 'agent' && !(current.routingStatus === 'assigned' && current.assignedAgentId === by.id)) {
      return refuse('not_assigned_to_you', 'The conversation is not assigned to you');
    }
    const from = holder(current);
    const at = deps.now().toISOString();

    if ('queueId' in to) {
      const queue = findQueue(world, to.queueId);
      if (!queue) return refuse('queue_not_found', 'No such queue');
      if (current.routingStatus === 'queued' && current.queueId === queue.queueId) return ok(current);
      const next = requeued(current, { queueId: queue.queueId, transferred: true, ...(by.kind === 'agent' && from ? { declinedBy: from } : {}) });
      const out = await deps.state.transition(current, next, from ? [{ agentId: from, release: true }] : [], at);
      if (!out.ok) continue;
      await deps.publisher.publish([
        routingEvent(DETAIL_TYPE.conversationTransferred, out.routing, at, {
          fromQueueId: current.queueId,
          fromAgentId: from,
          by: by.kind,
          reason: 'to_queue',
        }),
        routingEvent(DETAIL_TYPE.conversationQueued, out.routing, at, { reason: 'transferred' }),
      ]);
      await dispatch(deps, businessId, { queueId: queue.queueId });
      return ok((await deps.state.getRouting(conversationKey)) ?? out.routing);
    }

    const agent = world.agents.find((a) => a.agentId === to.agentId);
    if (!agent) return refuse('agent_not_found', 'No such agent');
    if (current.routingStatus === 'assigned' && current.assignedAgentId === agent.agentId) return ok(current);
    const fresh = (await deps.state.agentStates(businessId)).find((s) => s.agentId === agent.agentId);
    if ((fresh?.presence ?? agent.presence) !== 'online') return refuse('agent_not_available', 'The agent is not online');
    // Offered to that agent already: the offer becomes the assignment, their load is unchanged.
    const changes: AgentChange[] =
      from === agent.agentId
        ? []
        : [{ agentId: agent.agentId, take: { maxConcurrent: agent.maxConcurrent } }, ...(from ? [{ agentId: from, release: true as const }] : [])];
    const out = await deps.state.transition(current, assigned(current, { agentId: agent.agentId, at, transferred: true }), changes, at);
    if (!out.ok) {
      if (out.failed === 'agent_unavailable') return refuse('agent_at_capacity', 'The agent has no free capacity');
      continue;
    }
    await deps.publisher.publish([
      routingEvent(DETAIL_TYPE.conversationTransferred, out.routing, at, { agentId: agent.agentId, fromAgentId: from, by: by.kind, reason: 'to_agent' }),
      routingEvent(DETAIL_TYPE.conversationAssigned, out.routing, at, { agentId: agent.agentId, reason: 'transferred' }),
    ]);
    if (from && from !== agent.agentId) await dispatch(deps, businessId, { agentId: from });
    return ok(out.routing);
  }
  return refuse('changed_meanwhile', 'The conversation changed meanwhile; try again');
}
