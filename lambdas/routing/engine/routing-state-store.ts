import type { ConversationRouting, Presence } from '#lambdas/routing/routing-model';

/**
 * Where the routing state lives: the routing attributes of the Conversation item and the engine's
 * fields of the agent item (presence, `activeConversationKeys`, `lastActivityAt`). Use cases read
 * a conversation's routing, decide the next state (routing-transitions.ts) and hand both to
 * `transition`, which writes only what changed, conditional on the routing version read, together
 * with the agents' load in one transaction.
 */

/** The routing of a conversation as stored, with the conversation facts routing reads. */
export interface StoredRouting extends ConversationRouting {
  customerId: string;
  /** `requestedAt` of the handoff this routing serves (a redelivered handoff finds it here). */
  routingHandoffAt?: string;
  /** `routingVersion` just after this handoff was queued; its SLA timers carry it. */
  routingHandoffVersion?: number;
  slaFirstResponseState?: 'warning' | 'breached';
  slaResolutionState?: 'warning' | 'breached';
}

/** The engine's fields of an agent item. */
export interface AgentState {
  agentId: string;
  presence: Presence;
  presenceChangedAt?: string;
  activeConversationKeys: string[];
  lastActivityAt?: string;
}

/** What a transition does to agents' load, in the same transaction as the conversation. */
export type AgentChange =
  /** Adds the conversation: only if the agent is online, below `maxConcurrent` and does not hold it yet. */
  | { agentId: string; take: { maxConcurrent: number } }
  /** Removes the conversation (nothing happens if the agent does not hold it). */
  | { agentId: string; release: true };

export type TransitionOutcome =
  | { ok: true; routing: StoredRouting }
  /** conversation_changed: the routing version moved (or the conversation is gone); agent_unavailable: a taking agent is offline, full or holds it already. */
  | { ok: false; failed: 'conversation_changed' | 'agent_unavailable'; agentId?: string };

export interface WaitingEntry {
  conversationKey: string;
  priority: number;
  queuedAt: string;
}

export interface RoutingStateStore {
  /** A consistent read; undefined when the conversation does not exist. */
  getRouting(conversationKey: string): Promise<StoredRouting | undefined>;
  /**
   * Writes `next` over `current` when the stored routing version is still `current.routingVersion`
   * (the store sets `routingVersion` to one more, and keeps the waiting-list keys in step with
   * `routingStatus`). Sets only grow (`tags`, `declinedBy` may be emptied, never partly shrunk).
   */
  transition(current: StoredRouting, next: StoredRouting, agents: readonly AgentChange[], at: string): Promise<TransitionOutcome>;
  /** Conversations waiting in a queue, highest priority then oldest first (eventually consistent). */
  waiting(businessId: string, queueId: string, limit: number, cursor?: string): Promise<{ entries: WaitingEntry[]; cursor?: string }>;
  /** The engine's fields of every agent of the business. */
  agentStates(businessId: string): Promise<AgentState[]>;
  /** Sets an existing agent's presence; undefined when the business has no such agent. Returns the state after and the presence before. */
  setPresence(businessId: string, agentId: string, presence: Presence, at: string): Promise<{ before: Presence | undefined; after: AgentState } | undefined>;
}
