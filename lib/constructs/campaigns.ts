import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CAMPAIGN_QUEUE_ENV } from '#lambdas/campaigns/campaign-send-queue';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { grantAccountTokenSecretsRead } from '#lib/constructs/account-token-secrets';
import { EventConsumer } from '#lib/constructs/event-consumer';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';
import { setLogicalId } from '#lib/logical-id';
import { QUEUE_RETENTION, visibilityTimeoutFor } from '#lib/queue-settings';
import type { Stage } from '#lib/stage';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** Every minute: a release loop that went quiet is kicked within a minute and a half (docs/campaigns.md). */
export const CAMPAIGN_WATCHDOG_SCHEDULE = 'rate(1 minute)';

/**
 * Receives of a campaign send before it is dead-lettered. More than the conversational queue's
 * eight: a send waiting for its pacing slot longer than the sender waits inside one invocation goes
 * back to the queue and spends a receive, and a campaign sharing its number with busy conversations
 * (which take their slots first) may wait that way several times.
 */
export const CAMPAIGN_SEND_MAX_RECEIVE_COUNT = 20;
/** Receives of a release tick: a failing tick is retried like any record; the watchdog kicks the loop again anyway. */
export const CAMPAIGN_TICK_MAX_RECEIVE_COUNT = 8;

/** `campaign.changed` events that kick the loop: a campaign scheduled, or resumed from a pause. */
export const CAMPAIGN_KICK_PATTERN = {
  source: [EVENT_SOURCE.campaigns],
  'detail-type': [DETAIL_TYPE.campaignChanged],
  detail: { $or: [{ state: ['scheduled'] }, { state: ['running'], previousState: ['paused'] }] },
};

/** What the reply and opt-out counts listen to: WhatsApp customers' messages and withdrawn consent. */
export const CAMPAIGN_REPLY_PATTERNS = [
  { source: [EVENT_SOURCE.normalizer], 'detail-type': [DETAIL_TYPE.messageReceived], detail: { channel: ['whatsapp'], origin: ['customer'] } },
  { 'detail-type': [DETAIL_TYPE.consentWithdrawn], detail: { channel: ['whatsapp'] } },
];

/** The one rule feeding the campaigns queue from the bus. */
export const CAMPAIGN_EVENTS_PATTERN = { $or: [CAMPAIGN_KICK_PATTERN, ...CAMPAIGN_REPLY_PATTERNS] };

export interface CampaignsProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly bus: events.IEventBus;
  readonly storage: Storage;
  readonly removalPolicy: RemovalPolicy;
  readonly metaAccessTokens: secretsmanager.ISecret;
  readonly metaAccessTokensSecretName: string;
  readonly graphApiBaseUrl: string;
  readonly graphApiVersion: string;
  /**
   * Upper bound on concurrent campaign senders.
   * @default none: the campaign sender scales with the sends the release loops put on its queue,
   *   and those are bounded by each running campaign's number (its share of the number's
   *   throughput), so total campaign capacity grows with the numbers served. Set it only to keep
   *   campaigns inside an account's Lambda concurrency shared with much else.
   */
  readonly sendMaxConcurrency?: number;
  /** When the watchdog runs (EventBridge Scheduler expression). @default rate(1 minute) */
  readonly watchdogSchedule?: string;
}

/**
 * Campaigns' sending side (docs/campaigns.md, docs/capacity.md), in two functions:
 *
 * - `CampaignTicksFunction` on the standard `campaign-ticks` queue: the release loop, whose ticks
 *   are delayed messages to that queue (lambdas/campaigns/campaign-release.ts); `campaign.changed`
 *   kicks from the bus (scheduled, resumed); customers' WhatsApp messages and withdrawn consent,
 *   counted as replies and opt-outs of the campaign that reached them last; and, every minute
 *   from EventBridge Scheduler, the watchdog (counts rolled up, due campaigns started, quiet loops
 *   kicked). One function rather than three: each Lambda costs the stack six resources (role,
 *   policy, log group, two alarms) and the stack is near CloudFormation's 500.
 * - `CampaignSendFunction` on its own standard `campaign-send` queue: the outbound sender's use
 *   case (the same exactly-once state machine and DynamoDB pacer as conversational replies), so
 *   bulk sends never queue in front of conversations.
 *
 * Both queues have their dead-letter queue, alarmed and redrivable with `npm run redrive`.
 */
export class Campaigns extends Construct {
  readonly ticks: EventConsumer;
  readonly sendQueue: sqs.Queue;
  readonly sendDeadLetterQueue: sqs.Queue;
  readonly sender: SupportFunction;
  readonly schedulerRole: iam.Role;
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: CampaignsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tableName = props.storage.table.tableName;

    // The campaign sender's queue first: the release loop's environment names it.
    const sendTimeout = Duration.seconds(30);
    const sendQueueName = `${props.namePrefix}-campaign-send`;
    this.sendDeadLetterQueue = new sqs.Queue(this, 'SendDeadLetterQueue', {
      queueName: `${sendQueueName}-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'SendQueueByArn', stack.formatArn({ service: 'sqs', resource: sendQueueName }))],
      },
    });
    setLogicalId(this.sendDeadLetterQueue, 'CampaignSendDeadLetterQueue');
    this.sendQueue = new sqs.Queue(this, 'SendQueue', {
      queueName: sendQueueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(sendTimeout),
      retentionPeriod: QUEUE_RETENTION,
      deadLetterQueue: { queue: this.sendDeadLetterQueue, maxReceiveCount: CAMPAIGN_SEND_MAX_RECEIVE_COUNT },
    });
    setLogicalId(this.sendQueue, 'CampaignSendQueue');

    this.sender = new SupportFunction(this, 'Sender', {
      logicalId: 'CampaignSendFunction',
      handler: 'campaign-send',
      description: "Sends campaign messages through the Graph API with the outbound sender's exactly-once state machine, paced per number with conversations",
      stage: props.stage,
      serviceName: 'campaign-send',
      memorySize: 256,
      timeout: sendTimeout,
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        [ENV.metaAccessTokensSecretId]: props.metaAccessTokensSecretName,
        [ENV.graphApiBaseUrl]: props.graphApiBaseUrl,
        [ENV.graphApiVersion]: props.graphApiVersion,
        [ENV.queueUrl]: this.sendQueue.queueUrl,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    this.sender.consumeQueue(this.sendQueue, {
      batchSize: 10,
      ...(props.sendMaxConcurrency !== undefined ? { maxConcurrency: props.sendMaxConcurrency } : {}),
    });
    props.storage.grantItemActions(this.sender.role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(this.sender.role);
    props.metaAccessTokens.grantRead(this.sender.role);
    grantAccountTokenSecretsRead(this.sender.role, props.namePrefix);

    this.ticks = new EventConsumer(this, 'Ticks', {
      name: 'CampaignTicks',
      queueSlug: 'campaign-ticks',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: [EVENT_SOURCE.campaigns, EVENT_SOURCE.normalizer],
      detailTypes: [DETAIL_TYPE.campaignChanged, DETAIL_TYPE.messageReceived, DETAIL_TYPE.consentWithdrawn],
      handler: 'campaign-release',
      description:
        "Releases running campaigns' recipients to the campaign sender at each number's pace under the messaging limit, pauses on quality, template or budget; counts replies and opt-outs; the watchdog every minute",
      serviceName: 'campaign-release',
      memorySize: 512,
      // A tick prepares up to 2,000 recipients (three small writes each, 16 at a time) and enqueues them.
      timeout: Duration.seconds(60),
      batchSize: 5,
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        [CAMPAIGN_QUEUE_ENV.sendQueueUrl]: this.sendQueue.queueUrl,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    // The rule's own pattern replaced, not merged into: a withdrawn consent comes from any source (the agent, an operator).
    const rule = this.ticks.rule.node.defaultChild as events.CfnRule;
    rule.addPropertyOverride('EventPattern', CAMPAIGN_EVENTS_PATTERN);
    rule.addPropertyDeletionOverride('EventPattern.source');
    rule.addPropertyDeletionOverride('EventPattern.detail-type');
    this.ticks.handler.function.addEnvironment(CAMPAIGN_QUEUE_ENV.ticksQueueUrl, this.ticks.queue.queueUrl);
    props.storage.grantItemActions(this.ticks.handler.role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(this.ticks.handler.role);
    // A contacts audience's list is decided here (lambdas/campaigns/campaign-list-build.ts): it walks the contacts index.
    props.storage.grantContactSearch(this.ticks.handler.role);
    // Its own next ticks, and the sends it releases: these two queues and no other.
    this.ticks.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.ticks.queue.queueArn, this.sendQueue.queueArn] }),
    );

    // The same function runs the watchdog every minute: the table's deletes on the running list only it makes.
    props.storage.grantItemActions(this.ticks.handler.role, ['dynamodb:DeleteItem']);

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'Starts the campaign watchdog',
    });
    setLogicalId(this.schedulerRole, 'CampaignWatchdogSchedulerRole');
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.ticks.handler.function.functionArn] }),
    );
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'Campaign watchdog: counts, due starts, quiet release loops',
      scheduleExpression: props.watchdogSchedule ?? CAMPAIGN_WATCHDOG_SCHEDULE,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.ticks.handler.function.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        // The next minute's run does the same work: no long retries.
        retryPolicy: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 60 },
      },
    });
    setLogicalId(this.schedule, 'CampaignWatchdogSchedule');
  }

  /** The campaign queues with their dead-letter queues (`npm run redrive -- --redrive campaign-send`, …). */
  get redrivableQueues(): ReadonlyArray<{ name: string; queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }> {
    return [
      { name: 'CampaignTicks', queue: this.ticks.queue, deadLetterQueue: this.ticks.deadLetterQueue },
      { name: 'CampaignSend', queue: this.sendQueue, deadLetterQueue: this.sendDeadLetterQueue },
    ];
  }
}
