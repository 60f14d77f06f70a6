import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StatusEventsSetting } from '#lambdas/status/announced-statuses';
import { ENV } from '#lambdas/shared/event-contract';
import type { Stage } from '#lib/stage';
import { SupportFunction } from '#lib/constructs/support-function';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';

/** The ingress queue's visibility timeout is derived from this, so both live here. */
export const NORMALIZER_TIMEOUT = Duration.seconds(30);
/** SQS's maximum for FIFO event sources. */
export const NORMALIZER_BATCH_SIZE = 10;

export interface NormalizeProps {
  readonly stage: Stage;
  readonly ingressQueue: sqs.IQueue;
  readonly claimCheckBucket: s3.IBucket;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  readonly logRemovalPolicy: RemovalPolicy;
  /** Which status changes of business messages the normalizer publishes as it applies receipts. */
  readonly statusEvents: StatusEventsSetting;
}

/**
 * Drains the ingress FIFO queue in conversation order, writes each event once (conditional writes)
 * and announces what happened on the bus.
 */
export class Normalize extends Construct {
  readonly normalizer: SupportFunction;

  constructor(scope: Construct, id: string, props: NormalizeProps) {
    super(scope, id);

    this.normalizer = new SupportFunction(this, 'Normalizer', {
      logicalId: 'NormalizerFunction',
      handler: 'normalizer',
      description: 'Turns ingress events into conversations and messages, then publishes domain events',
      serviceName: 'normalizer',
      stage: props.stage,
      // Bound by DynamoDB round trips, not CPU: a webhook event is a few KB of JSON, and a large
      // history chunk arrives through a claim check of at most a few MB. Half of 512 MB halves
      // what each invocation is billed for (README, cost per message).
      memorySize: 256,
      timeout: NORMALIZER_TIMEOUT,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        [ENV.claimCheckBucket]: props.claimCheckBucket.bucketName,
        // A failed conversation comes back after a backoff of its own (ChangeMessageVisibility,
        // granted with the event source), not after the queue's visibility timeout.
        [ENV.queueUrl]: props.ingressQueue.queueUrl,
        [ENV.statusEvents]: props.statusEvents,
      },
    });

    const role = this.normalizer.role;
    // BatchWriteItem on top of the usual set: history imports bring months of messages at once.
    props.storage.grantItemActions(role, [...READ_WRITE_ITEM_ACTIONS, 'dynamodb:BatchWriteItem']);
    props.bus.grantPutEventsTo(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.claimCheckBucket.arnForObjects('*')] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<ClaimCheckBucket.Arn>/*]',
      reason: 'The normalizer reads claim-check bodies by keys it learns from queue messages; GetObject only, in this one bucket.',
    });

    this.normalizer.consumeQueue(props.ingressQueue, { batchSize: NORMALIZER_BATCH_SIZE });
  }
}
