import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import type { HandoffSources } from '#lambdas/routing/engine/handoff-sources';
import { queuesWithDefault } from '#lambdas/routing/engine/match-routing-rule';
import type { RoutingStateStore, StoredRouting } from '#lambdas/routing/engine/routing-state-store';
import type { RoutingConfig, RoutingConfigReader, RoutingResult, RoutingRefusal, TimerScheduler } from '#lambdas/routing/routing-ports';
import type { RoutingAgent, RoutingQueue } from '#lambdas/routing/routing-model';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';

/** What the routing use cases work with (the handler's factory builds the DynamoDB ones). */
export interface EngineDeps {
  state: RoutingStateStore;
  sources: HandoffSources;
  config: RoutingConfigReader;
  publisher: EventPublisher;
  scheduler: TimerScheduler;
  now: () => Date;
}

/** How often a decision is made again on fresh state when another writer changed the conversation first. */
export const DECISION_ATTEMPTS = 5;

/** One business's routing as the engine sees it: agents with their current presence and load, every queue. */
export interface RoutingWorld {
  config: RoutingConfig;
  agents: RoutingAgent[];
  queues: RoutingQueue[];
}

export async function loadWorld(deps: EngineDeps, businessId: string): Promise<RoutingWorld> {
  const [config, states] = await Promise.all([deps.config.loadConfig(businessId), deps.state.agentStates(businessId)]);
  const byId = new Map(states.map((s) => [s.agentId, s]));
  const agents = config.agents.map((agent) => {
    const state = byId.get(agent.agentId);
    if (!state) return { ...agent, activeConversationKeys: [...agent.activeConversationKeys] };
    return {
      ...agent,
      presence: state.presence,
      presenceChangedAt: state.presenceChangedAt ?? agent.presenceChangedAt,
      activeConversationKeys: [...state.activeConversationKeys],
      ...(state.lastActivityAt ? { lastActivityAt: state.lastActivityAt } : {}),
    };
  });
  return { config, agents, queues: queuesWithDefault(businessId, config.queues) };
}

export function findQueue(world: RoutingWorld, queueId: string | undefined): RoutingQueue | undefined {
  return queueId === undefined ? undefined : world.queues.find((q) => q.queueId === queueId);
}

/** The conversation's routing when it belongs to this business's contact centre; otherwise undefined (a 404). */
export async function readOwned(deps: EngineDeps, businessId: string, conversationKey: string): Promise<StoredRouting | undefined> {
  const routing = await deps.state.getRouting(conversationKey);
  if (!routing || routing.businessId !== businessId) return undefined;
  return routing;
}

export const ok = <T>(value: T): RoutingResult<T> => ({ ok: true, value });
export const refuse = <T = never>(refusal: RoutingRefusal, message: string): RoutingResult<T> => ({ ok: false, refusal, message });

/** A routing event: ids, queue, priority and time only, never what the customer wrote. */
export function routingEvent(
  detailType: string,
  routing: StoredRouting,
  at: string,
  extra: { agentId?: string; reason?: string; target?: string; fromQueueId?: string; fromAgentId?: string; by?: string; dueAt?: string } = {},
): DomainEvent {
  const detail: Record<string, unknown> = {
    v: 1,
    businessId: routing.businessId,
    conversationKey: routing.conversationKey,
    channel: routing.channel,
    accountId: routing.accountId,
    ...(routing.queueId ? { queueId: routing.queueId } : {}),
    ...(routing.routingPriority !== undefined ? { priority: routing.routingPriority } : {}),
    routingVersion: routing.routingVersion,
    at,
  };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) detail[key] = value;
  return { source: EVENT_SOURCE.routing, detailType, detail };
}
