import { dispatch } from '#lambdas/routing/engine/dispatch-queue';
import { DECISION_ATTEMPTS, ok, readOwned, refuse, routingEvent, type EngineDeps } from '#lambdas/routing/engine/engine-context';
import type { StoredRouting } from '#lambdas/routing/engine/routing-state-store';
import { assigned, requeued } from '#lambdas/routing/engine/routing-transitions';
import type { RoutingResult } from '#lambdas/routing/routing-ports';
import type { ConversationRouting } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

export type WithdrawReason = 'declined' | 'expired' | 'agent_offline';

/** Offered to me → assigned to me; the agent's load does not change (the offer already counted). */
export async function acceptOffer(deps: EngineDeps, businessId: string, agentId: string, conversationKey: string): Promise<RoutingResult<ConversationRouting>> {
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const current = await readOwned(deps, businessId, conversationKey);
    if (!current) return refuse('not_found', 'No such conversation in routing');
    if (current.routingStatus === 'assigned' && current.assignedAgentId === agentId) return ok(current);
    if (current.routingStatus !== 'offered' || current.offeredAgentId !== agentId)
      return refuse('not_offered_to_you', 'The conversation is not offered to you');
    const at = deps.now().toISOString();
    const out = await deps.state.transition(current, assigned(current, { agentId, at }), [], at);
    if (!out.ok) continue;
    await deps.publisher.publish([routingEvent(DETAIL_TYPE.conversationAssigned, out.routing, at, { agentId, reason: 'accepted' })]);
    return ok(out.routing);
  }
  return refuse('changed_meanwhile', 'The conversation changed meanwhile; try again');
}

/** Offered to me → queued again, never offered to me again in this handoff; then offered to someone else. */
export async function declineOffer(
  deps: EngineDeps,
  businessId: string,
  agentId: string,
  conversationKey: string,
): Promise<RoutingResult<ConversationRouting>> {
  const current = await readOwned(deps, businessId, conversationKey);
  if (!current) return refuse('not_found', 'No such conversation in routing');
  if (current.routingStatus !== 'offered' || current.offeredAgentId !== agentId) {
    // A repeated decline finds the agent among those who declined: the same answer again.
    if (current.declinedBy.includes(agentId)) return ok(current);
    return refuse('not_offered_to_you', 'The conversation is not offered to you');
  }
  const withdrawn = await withdrawOffer(deps, conversationKey, { agentId, offerId: current.offerId }, 'declined');
  if (!withdrawn) return refuse('changed_meanwhile', 'The conversation changed meanwhile; read it again');
  await dispatch(deps, businessId, { queueId: withdrawn.queueId });
  return ok((await deps.state.getRouting(conversationKey)) ?? withdrawn);
}

/**
 * The offer (to this agent, with this id when given) goes back to the queue with its original
 * place; a decline or an expiry keeps it from the agent for the rest of the handoff. Undefined when
 * there is no such offer any more (already withdrawn, accepted, or another one).
 */
export async function withdrawOffer(
  deps: EngineDeps,
  conversationKey: string,
  offer: { agentId: string; offerId?: string },
  reason: WithdrawReason,
): Promise<StoredRouting | undefined> {
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const current = await deps.state.getRouting(conversationKey);
    if (current?.routingStatus !== 'offered' || current.offeredAgentId !== offer.agentId) return undefined;
    if (offer.offerId !== undefined && current.offerId !== offer.offerId) return undefined;
    const at = deps.now().toISOString();
    const next = requeued(current, reason === 'agent_offline' ? {} : { declinedBy: offer.agentId });
    const out = await deps.state.transition(current, next, [{ agentId: offer.agentId, release: true }], at);
    if (!out.ok) continue;
    await deps.publisher.publish([
      routingEvent(DETAIL_TYPE.conversationOfferWithdrawn, out.routing, at, { agentId: offer.agentId, reason }),
      routingEvent(DETAIL_TYPE.conversationQueued, out.routing, at, { reason: `offer_${reason}` }),
    ]);
    return out.routing;
  }
  return undefined;
}

/** An offer's time ran out: withdrawn if it is still the same offer, then the queue is dispatched again. */
export async function expireOffer(deps: EngineDeps, businessId: string, conversationKey: string, offerId: string): Promise<void> {
  const current = await readOwned(deps, businessId, conversationKey);
  if (current?.routingStatus !== 'offered' || current.offerId !== offerId || !current.offeredAgentId) return;
  const withdrawn = await withdrawOffer(deps, conversationKey, { agentId: current.offeredAgentId, offerId }, 'expired');
  if (withdrawn) await dispatch(deps, businessId, { queueId: withdrawn.queueId });
}
