import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { createRoutingEngine } from '#lambdas/routing/engine/create-routing-engine';
import { isOpen, nextOpening } from '#lambdas/routing/engine/queue-calendar';
import type { QueueHours } from '#lambdas/routing/routing-model';
import type { RoutingConfigReader, RoutingEngine, TimerScheduler } from '#lambdas/routing/routing-ports';
import { countInRoutingMetrics, countingPublisher } from '#lambdas/routing/wiring/routing-metrics';
import { routingViewsStore, type RoutingViews } from '#lambdas/routing/wiring/routing-views-store';
import { sqsTimerScheduler } from '#lambdas/routing/wiring/sqs-timer-scheduler';

export interface RoutingRuntime {
  engine: RoutingEngine;
  config: RoutingConfigReader;
  views: RoutingViews;
  scheduler: TimerScheduler;
}

/**
 * The routing engine as a function runs it: the table's config store and views, timers as
 * delayed messages on the routing queue, and a publisher that counts the routing events it
 * publishes (routing-metrics.ts). Built once per container by the routing consumer and the
 * human-agent API.
 */
export function routingRuntime(deps: {
  db: DocumentClient;
  tableName: string;
  publisher: EventPublisher;
  sqs: Pick<SQSClient, 'send'>;
  /** The routing queue (its own in the routing consumer, `ROUTING_QUEUE_URL` elsewhere). */
  queueUrl: string;
  retentionDays: number;
  now?: () => Date;
}): RoutingRuntime {
  const config = routingConfigStore({ db: deps.db, tableName: deps.tableName, ...(deps.now ? { now: deps.now } : {}) });
  const scheduler = sqsTimerScheduler({ sqs: deps.sqs, queueUrl: deps.queueUrl, ...(deps.now ? { now: deps.now } : {}) });
  const engine = createRoutingEngine({
    db: deps.db,
    tableName: deps.tableName,
    config,
    publisher: countingPublisher(deps.publisher, countInRoutingMetrics),
    scheduler,
    retentionDays: deps.retentionDays,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { engine, config, views: routingViewsStore({ db: deps.db, tableName: deps.tableName }), scheduler };
}

/** Whether a queue is open at `at` and, when closed, when it opens next (the engine's calendar). */
export function queueOpenState(hours: QueueHours | undefined, at: Date): { open: boolean; nextOpenAt?: string } {
  if (isOpen(hours, at)) return { open: true };
  const next = nextOpening(hours, at);
  return next ? { open: false, nextOpenAt: next.toISOString() } : { open: false };
}
