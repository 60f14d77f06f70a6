import type { Macro, Presence, RoutingAgent, RoutingQueue, RoutingRules, ConversationRouting, CloseOutcome } from '#lambdas/routing/routing-model';

/**
 * The seams between the routing pieces: the configuration admins keep (config store), the engine
 * that makes routing decisions, and the timers it asks for. Handlers wire real implementations;
 * use-case tests use in-memory ones.
 */

/** One business's routing configuration, read in one Query (agents with their presence and load). */
export interface RoutingConfig {
  businessId: string;
  agents: RoutingAgent[];
  queues: RoutingQueue[];
  /** None: the business has not set up routing; handoffs wait in the implicit `default` queue. */
  rules?: RoutingRules;
}

export interface RoutingConfigReader {
  loadConfig(businessId: string): Promise<RoutingConfig>;
  /**
   * Tags of a conversation's customer (e.g. `vip`): their contact's, found through the channel
   * identity (Instagram and Messenger ids need the account that saw them); none: [].
   */
  contactTags(businessId: string, channel: string, customerId: string, accountId?: string): Promise<string[]>;
  listMacros(businessId: string): Promise<Macro[]>;
  getMacro(businessId: string, macroId: string): Promise<Macro | undefined>;
}

/** A wake-up the engine asks for; delivered at or after `dueAt`, possibly more than once. */
export type RoutingTimer =
  | { kind: 'offer_expiry'; businessId: string; conversationKey: string; offerId: string; dueAt: string }
  | {
      kind: 'sla_warning' | 'sla_breach';
      target: 'first_response' | 'resolution';
      businessId: string;
      conversationKey: string;
      routingVersion: number;
      dueAt: string;
    }
  | { kind: 'queue_open'; businessId: string; queueId: string; dueAt: string };

export interface TimerScheduler {
  schedule(timer: RoutingTimer): Promise<void>;
}

export interface Actor {
  /** The operator's `actor` (agent id), or `routing` for the engine itself. */
  id: string;
  kind: 'agent' | 'supervisor' | 'system';
}

/** Why a routing request could not be done; the API answers 409 (or 404 for not_found) with the code. */
export type RoutingRefusal =
  | 'not_found'
  | 'not_offered_to_you'
  | 'not_assigned_to_you'
  | 'agent_not_found'
  | 'agent_not_available'
  | 'agent_at_capacity'
  | 'queue_not_found'
  | 'not_in_routing'
  | 'changed_meanwhile';

export type RoutingResult<T = ConversationRouting> = { ok: true; value: T } | { ok: false; refusal: RoutingRefusal; message: string };

/** The routing decisions; every method is idempotent under redelivery. */
export interface RoutingEngine {
  /** A handoff: choose queue and priority by the rules, store the handoff context, queue, start SLA timers, notify out of hours, dispatch. */
  routeHandoff(input: { businessId: string; conversationKey: string; reason: string; requestedAt: string; outboundId?: string }): Promise<RoutingResult>;
  /** Offer waiting conversations to eligible online agents with free capacity (one queue, one agent's queues, or all). */
  dispatch(businessId: string, scope?: { queueId?: string; agentId?: string }): Promise<{ offered: number }>;
  /** Going offline withdraws the agent's pending offers (re-queued); going online dispatches. */
  setPresence(businessId: string, agentId: string, presence: Presence): Promise<RoutingResult<RoutingAgent>>;
  acceptOffer(businessId: string, agentId: string, conversationKey: string): Promise<RoutingResult>;
  declineOffer(businessId: string, agentId: string, conversationKey: string): Promise<RoutingResult>;
  /** To another queue (re-queued there) or straight to an agent with capacity (assigned). */
  transfer(businessId: string, conversationKey: string, to: { queueId: string } | { agentId: string }, by: Actor): Promise<RoutingResult>;
  /** A person answered: stops the first-response timer. */
  recordHumanResponse(businessId: string, conversationKey: string, at: string): Promise<void>;
  /** The conversation left the people (closed with an outcome, or handed back to the bot): frees the agent, stops timers. */
  release(businessId: string, conversationKey: string, how: { closed: CloseOutcome | 'closed' } | { handedBack: true }, at: string): Promise<void>;
  /** A timer fired: expire an offer, warn or breach an SLA (raise priority or overflow), dispatch an opening queue. */
  onTimer(timer: RoutingTimer): Promise<void>;
}
