import type { HandoffContext } from '#lambdas/routing/routing-model';
import type { StoredRouting } from '#lambdas/routing/engine/routing-state-store';

/**
 * The next routing state of each transition, decided from the state read (pure). The store writes
 * it conditional on the version read, so a decision made on stale state is never written.
 */

const WITHOUT_OFFER = { offeredAgentId: undefined, offeredAt: undefined, offerExpiresAt: undefined, offerId: undefined } as const;
const WITHOUT_ASSIGNMENT = { assignedAgentId: undefined, assignedAt: undefined } as const;

/** Whether the conversation is with the people (waiting, offered or assigned). */
export const inRouting = (routing: StoredRouting) =>
  routing.routingStatus === 'queued' || routing.routingStatus === 'offered' || routing.routingStatus === 'assigned';

/** The agent holding the conversation now (offered to or assigned), if any. */
export const holder = (routing: StoredRouting): string | undefined =>
  routing.routingStatus === 'offered' ? routing.offeredAgentId : routing.routingStatus === 'assigned' ? routing.assignedAgentId : undefined;

export interface NewHandoff {
  businessId: string;
  queueId: string;
  priority: number;
  tags: string[];
  queuedAt: string;
  handoffAt: string;
  handoffContext: HandoffContext;
  slaFirstResponseDueAt?: string;
  slaResolutionDueAt?: string;
}

/** A new handoff: queued, with a fresh SLA and no offers, assignment, declines or transfers yet. */
export function queuedForHandoff(current: StoredRouting, handoff: NewHandoff): StoredRouting {
  return {
    ...current,
    ...WITHOUT_OFFER,
    ...WITHOUT_ASSIGNMENT,
    businessId: handoff.businessId,
    routingStatus: 'queued',
    queueId: handoff.queueId,
    routingPriority: handoff.priority,
    tags: [...new Set([...current.tags, ...handoff.tags])].sort(),
    queuedAt: handoff.queuedAt,
    declinedBy: [],
    firstHumanResponseAt: undefined,
    closedAt: undefined,
    closeOutcome: undefined,
    slaFirstResponseDueAt: handoff.slaFirstResponseDueAt,
    slaResolutionDueAt: handoff.slaResolutionDueAt,
    slaState: 'ok',
    slaFirstResponseState: undefined,
    slaResolutionState: undefined,
    transfers: 0,
    handoffContext: handoff.handoffContext,
    routingHandoffAt: handoff.handoffAt,
    // The version this write gives the conversation: the handoff's SLA timers carry it.
    routingHandoffVersion: current.routingVersion + 1,
  };
}

/** Back to waiting (decline, expiry, offline agent, transfer, overflow): the original `queuedAt` keeps its place. */
export function requeued(
  current: StoredRouting,
  change: { queueId?: string; priority?: number; declinedBy?: string; transferred?: boolean } = {},
): StoredRouting {
  return {
    ...current,
    ...WITHOUT_OFFER,
    ...WITHOUT_ASSIGNMENT,
    routingStatus: 'queued',
    queueId: change.queueId ?? current.queueId,
    routingPriority: change.priority ?? current.routingPriority,
    declinedBy: change.declinedBy ? [...new Set([...current.declinedBy, change.declinedBy])].sort() : current.declinedBy,
    transfers: current.transfers + (change.transferred ? 1 : 0),
  };
}

export function offered(current: StoredRouting, offer: { agentId: string; offerId: string; at: string; expiresAt: string }): StoredRouting {
  return {
    ...current,
    routingStatus: 'offered',
    offeredAgentId: offer.agentId,
    offerId: offer.offerId,
    offeredAt: offer.at,
    offerExpiresAt: offer.expiresAt,
  };
}

export function assigned(current: StoredRouting, assignment: { agentId: string; at: string; transferred?: boolean; queueId?: string }): StoredRouting {
  return {
    ...current,
    ...WITHOUT_OFFER,
    routingStatus: 'assigned',
    assignedAgentId: assignment.agentId,
    assignedAt: assignment.at,
    queueId: assignment.queueId ?? current.queueId,
    transfers: current.transfers + (assignment.transferred ? 1 : 0),
  };
}

/** Closed by a person (the assignee stays for the reports), or handed back to the bot (routing cleared). */
export function released(current: StoredRouting, how: { closed: string } | { handedBack: true }, at: string): StoredRouting {
  if ('closed' in how) return { ...current, ...WITHOUT_OFFER, routingStatus: 'closed', closedAt: at, closeOutcome: how.closed };
  return { ...current, ...WITHOUT_OFFER, routingStatus: undefined };
}
