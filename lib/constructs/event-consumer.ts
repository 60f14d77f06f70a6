import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';
import { SupportFunction, type HandlerName } from '#lib/constructs/support-function';
import { CONSUMER_MAX_RECEIVE_COUNT, QUEUE_RETENTION, visibilityTimeoutFor } from '#lib/queue-settings';
import { ENV } from '#lambdas/shared/event-contract';

export interface EventConsumerProps {
  /** PascalCase name; logical ids are `<name>Function`, `<name>Queue`, `<name>DeadLetterQueue`, `<name>Rule`. */
  readonly name: string;
  /** kebab-case name used in queue names. */
  readonly queueSlug: string;
  readonly namePrefix: string;
  readonly stage: Stage;
  readonly bus: events.IEventBus;
  readonly sources: readonly string[];
  readonly detailTypes: readonly string[];
  readonly handler: HandlerName;
  readonly description: string;
  readonly serviceName: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly batchSize: number;
  readonly maxBatchingWindow?: Duration;
  /** Upper bound on concurrent invocations fed by the queue (at least 2); none: Lambda scales with the backlog. */
  readonly maxConcurrency?: number;
  /**
   * Makes the queue an SQS fair queue: the JSON path (EventBridge's dynamic target parameter, e.g.
   * `$.detail.accountId`) whose value is each message's tenant. When one tenant builds a backlog,
   * SQS hands the consumer the other tenants' messages first.
   */
  readonly fairQueueTenantPath?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRemovalPolicy: RemovalPolicy;
  /** How long EventBridge keeps retrying delivery to the queue before it dead-letters the event. */
  readonly maxEventAge?: Duration;
  readonly retryAttempts?: number;
  /** SQS delivery delay of every message of the queue (at most 15 minutes). */
  readonly deliveryDelay?: Duration;
}

/**
 * One downstream consumer: a rule on the bus feeds a standard queue that buffers events for a
 * Lambda. The queue decouples the Lambda's pace and failures from EventBridge's.
 *
 * One dead-letter queue serves both failure paths — events EventBridge could not deliver and
 * messages the Lambda failed five times. Both carry the same event JSON, and SQS only redrives from
 * a queue that is some queue's dead-letter queue, so one `start-message-move-task` back to the
 * consumer queue recovers either kind.
 */
export class EventConsumer extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;
  readonly handler: SupportFunction;

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);

    const queueName = `${props.namePrefix}-${props.queueSlug}`;
    const queueArn = Stack.of(this).formatArn({ service: 'sqs', resource: queueName });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: `${queueName}-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        // From the name: the consumer queue already references this queue, a reference back would be a cycle.
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'QueueByArn', queueArn)],
      },
    });
    setLogicalId(this.deadLetterQueue, `${props.name}DeadLetterQueue`);

    this.queue = new sqs.Queue(this, 'Queue', {
      queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(props.timeout),
      retentionPeriod: QUEUE_RETENTION,
      ...(props.deliveryDelay ? { deliveryDelay: props.deliveryDelay } : {}),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: CONSUMER_MAX_RECEIVE_COUNT },
    });
    setLogicalId(this.queue, `${props.name}Queue`);

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `${props.detailTypes.join(', ')} from ${props.sources.join(', ')} to the ${props.queueSlug} queue`,
      eventPattern: { source: [...props.sources], detailType: [...props.detailTypes] },
      targets: [
        new targets.SqsQueue(this.queue, {
          deadLetterQueue: this.deadLetterQueue,
          ...(props.fairQueueTenantPath ? { messageGroupId: props.fairQueueTenantPath } : {}),
          // Delivery to SQS fails only when SQS throttles or the queue is misconfigured: retry for a
          // few hours, then park the event where the DLQ alarm shows it the same day.
          maxEventAge: props.maxEventAge ?? Duration.hours(6),
          retryAttempts: props.retryAttempts ?? 50,
        }),
      ],
    });
    setLogicalId(this.rule, `${props.name}Rule`);

    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: `${props.name}Function`,
      handler: props.handler,
      description: props.description,
      serviceName: props.serviceName,
      stage: props.stage,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: props.environment,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    // A failed or deferred record shortens its own visibility to come back after its backoff; the
    // URL comes from CloudFormation (or the local cloud), not rebuilt from the ARN, so any SQS
    // endpoint works. Consuming the queue already grants sqs:ChangeMessageVisibility.
    this.handler.function.addEnvironment(ENV.queueUrl, this.queue.queueUrl);
    this.handler.consumeQueue(this.queue, {
      batchSize: props.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
    });
  }
}
