import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { dynamoHandoffSources } from '#lambdas/routing/engine/handoff-sources-store';
import { dynamoRoutingStateStore } from '#lambdas/routing/engine/dynamodb-routing-state-store';
import { dispatch } from '#lambdas/routing/engine/dispatch-queue';
import type { EngineDeps } from '#lambdas/routing/engine/engine-context';
import type { HandoffSources } from '#lambdas/routing/engine/handoff-sources';
import { acceptOffer, declineOffer } from '#lambdas/routing/engine/offers';
import { setPresence } from '#lambdas/routing/engine/presence';
import { recordHumanResponse, release } from '#lambdas/routing/engine/release';
import { routeHandoff } from '#lambdas/routing/engine/route-handoff';
import type { RoutingStateStore } from '#lambdas/routing/engine/routing-state-store';
import { onTimer } from '#lambdas/routing/engine/sla-timers';
import { transfer } from '#lambdas/routing/engine/transfer';
import type { RoutingConfigReader, RoutingEngine, TimerScheduler } from '#lambdas/routing/routing-ports';

export interface RoutingEngineDeps {
  db: DocumentClient;
  tableName: string;
  config: RoutingConfigReader;
  publisher: EventPublisher;
  scheduler: TimerScheduler;
  now?: () => Date;
  /** Retention of the out-of-hours notice's outbound item (as every message). */
  retentionDays: number;
}

/** The routing engine on the single table (what the routing handler and the APIs call). */
export function createRoutingEngine(deps: RoutingEngineDeps): RoutingEngine {
  return composeRoutingEngine({
    state: dynamoRoutingStateStore({ db: deps.db, tableName: deps.tableName }),
    sources: dynamoHandoffSources({ db: deps.db, tableName: deps.tableName, retentionDays: deps.retentionDays }),
    config: deps.config,
    publisher: deps.publisher,
    scheduler: deps.scheduler,
    ...(deps.now ? { now: deps.now } : {}),
  });
}

/** The engine over any stores (use-case tests pass in-memory ones). */
export function composeRoutingEngine(parts: {
  state: RoutingStateStore;
  sources: HandoffSources;
  config: RoutingConfigReader;
  publisher: EventPublisher;
  scheduler: TimerScheduler;
  now?: () => Date;
}): RoutingEngine {
  const deps: EngineDeps = { ...parts, now: parts.now ?? (() => new Date()) };
  return {
    routeHandoff: (input) => routeHandoff(deps, input),
    dispatch: (businessId, scope) => dispatch(deps, businessId, scope),
    setPresence: (businessId, agentId, presence) => setPresence(deps, businessId, agentId, presence),
    acceptOffer: (businessId, agentId, key) => acceptOffer(deps, businessId, agentId, key),
    declineOffer: (businessId, agentId, key) => declineOffer(deps, businessId, agentId, key),
    transfer: (businessId, key, to, by) => transfer(deps, businessId, key, to, by),
    recordHumanResponse: (businessId, key, at) => recordHumanResponse(deps, businessId, key, at),
    release: (businessId, key, how, at) => release(deps, businessId, key, how, at),
    onTimer: (timer) => onTimer(deps, timer),
  };
}
