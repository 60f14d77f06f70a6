import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROUTING_QUEUE_URL_ENV } from '#lambdas/routing/wiring/sqs-timer-scheduler';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { EventConsumer } from '#lib/constructs/event-consumer';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import type { SupportFunction } from '#lib/constructs/support-function';
import type { Stage } from '#lib/stage';

/**
 * What wakes the routing engine. Source and detail-type pairs, not two independent lists: a
 * `reply.requested` from the bot must not wake it (only people's replies stop the first-response
 * clock), so the pattern is an `$or` of exact pairs.
 */
export const ROUTING_EVENT_PATTERN = {
  $or: [
    { source: [EVENT_SOURCE.agent, EVENT_SOURCE.humanAgent], 'detail-type': [DETAIL_TYPE.conversationHandoffRequested] },
    { source: [EVENT_SOURCE.humanAgent], 'detail-type': [DETAIL_TYPE.conversationClosed, DETAIL_TYPE.conversationHandedBack] },
    { source: [EVENT_SOURCE.humanAgent, EVENT_SOURCE.templates], 'detail-type': [DETAIL_TYPE.replyRequested] },
    { source: [EVENT_SOURCE.routing, EVENT_SOURCE.operators], 'detail-type': [DETAIL_TYPE.agentPresenceChanged, DETAIL_TYPE.routingChanged] },
  ],
};

export interface RoutingProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly bus: events.IEventBus;
  readonly storage: Storage;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The routing consumer: a rule on the bus feeds the `routing` queue, whose function calls the
 * routing engine (lambdas/handlers/routing.ts). The same queue carries the engine's timers as
 * delayed messages (offer expiry, SLA warning and breach, queue opening; docs/routing.md), so the
 * function may send to its own queue and to no other.
 */
export class Routing extends Construct {
  readonly consumer: EventConsumer;

  constructor(scope: Construct, id: string, props: RoutingProps) {
    super(scope, id);
    this.consumer = new EventConsumer(this, 'Consumer', {
      name: 'Routing',
      queueSlug: 'routing',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: [...new Set(ROUTING_EVENT_PATTERN.$or.flatMap((p) => p.source))],
      detailTypes: [...new Set(ROUTING_EVENT_PATTERN.$or.flatMap((p) => p['detail-type']))],
      handler: 'routing',
      description: 'Queues handed-off conversations, offers them to agents with capacity, keeps offer and SLA timers',
      serviceName: 'routing',
      memorySize: 256,
      timeout: Duration.seconds(30),
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    // Exact source and detail-type pairs instead of the construct's two lists (see above).
    const rule = this.consumer.rule.node.defaultChild as events.CfnRule;
    rule.addPropertyOverride('EventPattern', ROUTING_EVENT_PATTERN);
    props.storage.grantItemActions(this.consumer.handler.role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(this.consumer.handler.role);
    this.allowTimers(this.consumer.handler);
  }

  get queue() {
    return this.consumer.queue;
  }

  get deadLetterQueue() {
    return this.consumer.deadLetterQueue;
  }

  /**
   * Lets a function that calls the engine schedule its timers: `sqs:SendMessage` on the routing
   * queue only, and the queue's URL in `ROUTING_QUEUE_URL`.
   */
  allowTimers(fn: SupportFunction): void {
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.consumer.queue.queueArn] }));
    fn.function.addEnvironment(ROUTING_QUEUE_URL_ENV, this.consumer.queue.queueUrl);
  }
}
