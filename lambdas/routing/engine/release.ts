import { dispatch } from '#lambdas/routing/engine/dispatch-queue';
import { DECISION_ATTEMPTS, readOwned, routingEvent, type EngineDeps } from '#lambdas/routing/engine/engine-context';
import { holder, inRouting, released } from '#lambdas/routing/engine/routing-transitions';
import type { CloseOutcome } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

/**
 * The conversation left the people: closed with an outcome (the assignee stays on it for the
 * reports) or handed back to the bot (routing cleared). The agent's capacity is freed and offered
 * again; the SLA timers find it out of routing and stop. Nothing happens if it was not in routing.
 */
export async function release(
  deps: EngineDeps,
  businessId: string,
  conversationKey: string,
  how: { closed: CloseOutcome | 'closed' } | { handedBack: true },
  at: string,
): Promise<void> {
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const current = await readOwned(deps, businessId, conversationKey);
    if (!current || !inRouting(current)) return;
    const agentId = holder(current);
    const out = await deps.state.transition(current, released(current, how, at), agentId ? [{ agentId, release: true }] : [], at);
    if (!out.ok) continue;
    if (current.routingStatus === 'offered' && agentId) {
      await deps.publisher.publish([routingEvent(DETAIL_TYPE.conversationOfferWithdrawn, out.routing, at, { agentId, reason: 'released' })]);
    }
    if (agentId) await dispatch(deps, businessId, { agentId });
    return;
  }
}

/** A person answered: the first-response time is kept (the first one only), which stops its SLA timers. */
export async function recordHumanResponse(deps: EngineDeps, businessId: string, conversationKey: string, at: string): Promise<void> {
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const current = await readOwned(deps, businessId, conversationKey);
    if (!current || !inRouting(current) || current.firstHumanResponseAt) return;
    const out = await deps.state.transition(current, { ...current, firstHumanResponseAt: at }, [], at);
    if (out.ok) return;
  }
}
