import { type CfnElement, Duration, Stack, Token, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { METRIC, METRIC_SERVICE } from '#lambdas/shared/metric-names';
import { setLogicalId } from '#lib/logical-id';
import { SupportFunction } from '#lib/constructs/support-function';
import { budgetThresholdMetric, OperationsDashboard, pipelineMetric, type WatchedFunction, type WatchedQueue } from '#lib/constructs/operations-dashboard';

export type { WatchedFunction, WatchedQueue } from '#lib/constructs/operations-dashboard';

export interface ObservabilityProps {
  readonly removalPolicy: RemovalPolicy;
  /**
   * ARN of an existing SNS topic every alarm notifies (else CDK context `alarmTopicArn`). Without
   * one, an encrypted topic is created. The topic's policy must let CloudWatch publish to it.
   */
  readonly alarmTopicArn?: string | undefined;
  /** E-mail address subscribed to the created topic (else CDK context `alarmEmail`); unused with a given topic. */
  readonly alarmEmail?: string | undefined;
}

export interface PipelineToWatch {
  /** Every consumer queue with its dead-letter queue, in pipeline order; `Ingress` first. */
  readonly queues: readonly WatchedQueue[];
  /** Default: every function of the stack built as a SupportFunction so far. */
  readonly functions?: readonly WatchedFunction[];
  /** Log group of the outbound sender: the dashboard counts Graph API failures by code from it. */
  readonly outboundSendLogGroup: logs.ILogGroup;
  /** Log group of the routing consumer: the dashboard lists backlog per queue from its gauge lines. */
  readonly routingLogGroup?: logs.ILogGroup;
  readonly dashboardName: string;
}

const FIVE_MINUTES = Duration.minutes(5);
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Alarms that need a human, all sent to one SNS topic (given at deploy time, or an encrypted one
 * created here), and the operators' dashboard. Every alarm's description says what to do.
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.ITopic;
  dashboard: OperationsDashboard | undefined;
  private readonly alarmList: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const topicArn = props.alarmTopicArn ?? contextString(this, 'alarmTopicArn');
    const email = props.alarmEmail ?? contextString(this, 'alarmEmail');

    if (topicArn !== undefined) {
      if (!Token.isUnresolved(topicArn) && !SNS_TOPIC_ARN.test(topicArn)) {
        throw new Error(`alarmTopicArn ${JSON.stringify(topicArn)} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
      }
      this.alarmTopic = sns.Topic.fromTopicArn(this, 'GivenAlarmTopic', topicArn);
      return;
    }

    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm notification topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(key, 'AlarmTopicKey');
    // CloudWatch publishes to an encrypted topic only if it may use the topic's key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Omnichannel support alarms',
      masterKey: key,
      enforceSSL: true,
    });
    setLogicalId(topic, 'AlarmTopic');
    if (email !== undefined) {
      if (!Token.isUnresolved(email) && !EMAIL.test(email)) throw new Error(`alarmEmail ${JSON.stringify(email)} is not an e-mail address`);
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.alarmTopic = topic;
  }

  /** Every alarm created so far, in creation order. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return this.alarmList;
  }

  /**
   * The pipeline's alarms and dashboard: dead-letter queues, ingress age, each function's errors
   * and throttles, signature failures, outbound failure rate, token errors and account health.
   */
  watchPipeline(pipeline: PipelineToWatch): void {
    const stackName = pipelineStack(this).stackName;
    for (const { name, deadLetterQueue } of pipeline.queues) {
      const short = kebab(name);
      this.alarmOnDeadLetterQueue(
        `${name}DeadLetterQueueAlarm`,
        deadLetterQueue,
        `Messages are waiting in the ${name} dead-letter queue: records its consumer failed repeatedly, or events EventBridge could not deliver. ` +
          `Look at them without consuming: npm run redrive -- --stack ${stackName} --inspect ${short} (bodies masked), and search the function's logs for their SQS message ids. ` +
          `Fix the cause, then: npm run redrive -- --stack ${stackName} --redrive ${short}. Every consumer is idempotent, so redriving is safe.`,
      );
    }
    const ingress = pipeline.queues.find((q) => q.name === 'Ingress');
    if (ingress) {
      this.alarmOnQueueAge(
        'IngressQueueAgeAlarm',
        ingress.queue,
        Duration.minutes(5),
        'The oldest ingress message has waited more than 5 minutes for 5 minutes: the normalizer is failing or far behind, and customers wait for answers. ' +
          'Check the normalizer errors and throttles alarms and its logs; a message group stuck on one failing record holds its conversation until the record reaches the dead-letter queue.',
      );
    }
    const functions = pipeline.functions ?? supportFunctionsOf(pipelineStack(this));
    for (const fn of functions) {
      this.alarmWhen(
        `${fn.name}FunctionErrorsAlarm`,
        `The ${fn.name} function failed (threw or timed out) at least 5 times in each of two 5-minute periods out of three. ` +
          `Records of a failed batch return to their queue and retry; read the function's ERROR log lines (ids only) to find the cause, e.g. a missing permission, a secret that cannot be read, or a dependency that is down.`,
        fn.function.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        { atLeast: 5, periods: 3, periodsToAlarm: 2 },
      );
      this.alarmWhen(
        `${fn.name}FunctionThrottlesAlarm`,
        `The ${fn.name} function was throttled in two 5-minute periods out of three: the account's concurrency (or the function's cap) is exhausted. ` +
          `Queued work waits (the webhook answers Meta 429 and Meta retries). Check account concurrency in the Lambda console and ask for a quota increase or lower other functions' use.`,
        fn.function.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        { atLeast: 1, periods: 3, periodsToAlarm: 2 },
      );
    }
    this.alarmOnApplicationMetrics();
    this.alarmOnBudgets();
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      dashboardName: pipeline.dashboardName,
      queues: pipeline.queues,
      functions,
      outboundSendLogGroup: pipeline.outboundSendLogGroup,
      ...(pipeline.routingLogGroup ? { routingLogGroup: pipeline.routingLogGroup } : {}),
      alarms: this.alarmList,
    });
  }

  /** Any message in a dead-letter queue needs a look and, usually, a redrive. */
  alarmOnDeadLetterQueue(logicalId: string, queue: sqs.IQueue, description: string): cloudwatch.Alarm {
    return this.addAlarm(
      logicalId,
      new cloudwatch.Alarm(this, logicalId, {
        alarmDescription: description,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // SQS reports queue metrics continuously; a gap is no message.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Messages waiting longer than `maxAge` mean the consumer is stuck or far behind. */
  alarmOnQueueAge(logicalId: string, queue: sqs.IQueue, maxAge: Duration, description: string): cloudwatch.Alarm {
    return this.addAlarm(
      logicalId,
      new cloudwatch.Alarm(this, logicalId, {
        alarmDescription: description,
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: maxAge.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Alarms on the handlers' own metrics (see lambdas/shared/metric-names.ts). */
  private alarmOnApplicationMetrics(): void {
    const period = FIVE_MINUTES;
    this.alarmWhen(
      'WebhookSignatureFailuresAlarm',
      'More than 20 webhook calls in 5 minutes had a missing or wrong X-Hub-Signature-256 and were refused (401). ' +
        'Either the Meta app secret was changed in the App Dashboard but not in the MetaAppSecret secret (then every real event is being refused: update the secret now; Meta keeps retrying for days), ' +
        'or someone is probing the webhook URL (then nothing is stored; watch the API access logs).',
      pipelineMetric(METRIC_SERVICE.webhook, METRIC.webhookSignatureRejected, { period }),
      { atLeast: 21 },
    );

    const sent = pipelineMetric(METRIC_SERVICE.outboundSend, METRIC.outboundSent, { period });
    const failed = pipelineMetric(METRIC_SERVICE.outboundSend, METRIC.outboundFailed, { period });
    this.alarmWhen(
      'OutboundFailureRateAlarm',
      'More than 10% of replies were refused by the Graph API in two 5-minute periods out of three (with at least 10 attempts in the period). ' +
        'Open the dashboard widget "Graph API failures by code": 131047 means the 24-hour window closed, 131026 an undeliverable recipient, 100 an invalid parameter (a code change?), 190 an invalid token (its own alarm). Failed messages are marked failed in the table; nothing is retried automatically.',
      new cloudwatch.MathExpression({
        // No rate below 10 attempts, so a single failure at night does not page anyone.
        expression: 'IF((FILL(sent, 0) + FILL(failed, 0)) >= 10, 100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0)), 0)',
        usingMetrics: { sent, failed },
        period,
        label: 'Outbound failure rate (%)',
      }),
      { above: 10, periods: 3, periodsToAlarm: 2 },
    );

    this.alarmWhen(
      'GraphTokenInvalidAlarm',
      'The Graph API refused a send with error 190: the access token of a channel account is invalid or expired, and every reply from that account fails until it is replaced. ' +
        'Generate a new system user token in Meta Business Settings and put it in the MetaAccessTokens secret under the account id (or "default"); the account is marked as needing re-authorisation in the table.',
      pipelineMetric(METRIC_SERVICE.outboundSend, METRIC.graphTokenInvalid, { period }),
      { atLeast: 1 },
    );

    this.alarmWhen(
      'RepliesNotSentAlarm',
      'A reply to a customer was not sent: either it was still pending after the reply watch asked for it three times over 45 minutes (ReplyNeverSent), ' +
        'or its send was claimed and its outcome never recorded (ReplyOutcomeUnknown): on Instagram and Messenger Meta may have it, so it is not sent again; ' +
        'on WhatsApp a claim older than five minutes without Meta confirming it is sent again by the watch (ReplyResentAfterUnknownOutcome), so this counts only recent claims. ' +
        'The reply-watch log names the outbound id; the Message item (sk MSG#<outbound id>) shows status, attempts and the last Graph error. Answer the customer from the human-agent API if needed.',
      sumOf('Replies not sent', {
        neverSent: pipelineMetric(METRIC_SERVICE.replyWatch, METRIC.replyNeverSent, { period }),
        unknown: pipelineMetric(METRIC_SERVICE.replyWatch, METRIC.replyOutcomeUnknown, { period }),
      }),
      { atLeast: 1 },
    );

    this.alarmWhen(
      'UnknownAccountEventsAlarm',
      'Meta delivered events for a business account that is not in the channel account registry (or was offboarded): they were quarantined with reason unknown_account and nobody was answered. ' +
        'List the QuarantinedEvent items of today (gsi1pk QUARANTINE#<yyyy-mm-dd>, reason unknown_account) to see the account id. A number onboarded by hand needs its registry item (npm run onboard); ' +
        "a number that is not yours means the app's webhook subscription reaches a WABA it should not. Dashboard test payloads from the App Dashboard land here too.",
      pipelineMetric(METRIC_SERVICE.normalizer, METRIC.eventsFromUnknownAccount, { period }),
      { atLeast: 1 },
    );

    this.alarmWhen(
      'AccountQualityAlarm',
      'Meta flagged a WhatsApp business number for low quality or downgraded its quality rating (phone_number_quality_update FLAGGED or DOWNGRADE): its messaging limit may drop. ' +
        'Find the Notification item (topic whatsapp.phone_number_quality_update) for the account in the table, check the number in WhatsApp Manager, and review recent templates and opt-outs.',
      sumOf('Quality flagged or downgraded', {
        downgraded: pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountQualityDowngraded, { period }),
        flagged: pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountQualityFlagged, { period }),
      }),
      { atLeast: 1 },
    );

    this.alarmWhen(
      'SlaBreachesAlarm',
      "A handed-off conversation passed its SLA target (first human response or resolution, counted in its queue's open hours): customers are waiting longer than the business promised. " +
        "Open the supervisors' live queues (GET /supervisor/queues) to see the waiting conversations, their SLA state and the agents online; put more agents online, reassign, or fix the queue's overflow rule. " +
        'The routing log (service routing) names the business and queue of each breach; docs/routing.md explains the timers.',
      pipelineMetric(METRIC_SERVICE.routing, METRIC.slaBreaches, { period }),
      { atLeast: 1 },
    );

    this.alarmWhen(
      'AccountRestrictionAlarm',
      'Meta restricted, found a policy violation on, or is disabling a WhatsApp Business Account (account_update ACCOUNT_RESTRICTION, ACCOUNT_VIOLATION or DISABLED_UPDATE): sends from it may already fail. ' +
        'Find the Notification item (topic whatsapp.account_update) in the table for the restriction types and dates, and open Business Support Home in Meta Business Suite to appeal or fix the violation.',
      sumOf('Account restricted or disabled', {
        restricted: pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountRestricted, { period }),
        disabled: pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountDisabled, { period }),
      }),
      { atLeast: 1 },
    );
  }

  /** A business's Meta spend reached 80% or 100% of its monthly budget (once per threshold and month: lambdas/pricing/). */
  private alarmOnBudgets(): void {
    this.alarmWhen(
      'MetaBudgetThresholdAlarm',
      "A business's Meta spend this month reached 80% or 100% of the monthly budget its admin set (each threshold is announced once a month per budget, as budget.threshold_crossed). " +
        'From 80% the bot sends fewer messages (no optional small talk, no language offer, longer waits to answer a burst in one reply); at 100% campaigns pause. ' +
        "The warning log line 'Meta budget threshold crossed' (service spend) names the business and threshold; its admins see the month in the console's Spend screen (GET /admin/spend) and may raise the budget (PUT /admin/spend/budget). docs/meta-pricing.md § Budgets.",
      new cloudwatch.MathExpression({
        expression: 'FILL(at80, 0) + FILL(at100, 0)',
        usingMetrics: { at80: budgetThresholdMetric(80, { period: FIVE_MINUTES }), at100: budgetThresholdMetric(100, { period: FIVE_MINUTES }) },
        period: FIVE_MINUTES,
        label: 'Budget thresholds crossed',
      }),
      { atLeast: 1 },
    );
  }

  /**
   * An alarm when `metric` reaches `atLeast` (or exceeds `above`) in `periodsToAlarm` of the last
   * `periods` periods. These metrics only exist when something happened (errors, throttles, the
   * handlers' counts), so missing data is "nothing happened": not breaching.
   */
  private alarmWhen(
    logicalId: string,
    description: string,
    metric: cloudwatch.IMetric,
    when: { atLeast?: number; above?: number; periods?: number; periodsToAlarm?: number },
  ): cloudwatch.Alarm {
    const above = when.above ?? (when.atLeast ?? 1) - 1;
    return this.addAlarm(
      logicalId,
      new cloudwatch.Alarm(this, logicalId, {
        alarmDescription: description,
        metric,
        threshold: above,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: when.periods ?? 1,
        datapointsToAlarm: when.periodsToAlarm ?? when.periods ?? 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private addAlarm(logicalId: string, alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    setLogicalId(alarm, logicalId);
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.alarmList.push(alarm);
    return alarm;
  }
}

/** The stack's SupportFunctions, named by their logical id without `Function` (`WebhookFunction` → `Webhook`). */
/**
 * The stack the pipeline is deployed as: the parent when the alarms live in a nested stack (they
 * do: lib/omnichannel-stack.ts keeps them out of the main stack's 500 resources), so the redrive
 * commands name the stack an operator knows and every function of the pipeline is watched.
 */
function pipelineStack(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

function supportFunctionsOf(stack: Stack): WatchedFunction[] {
  return stack.node
    .findAll()
    .filter((c): c is SupportFunction => c instanceof SupportFunction)
    .map((fn) => {
      const logicalId = stack.resolve((fn.function.node.defaultChild as CfnElement).logicalId) as string;
      return { name: logicalId.replace(/Function$/, ''), function: fn.function };
    });
}

/** The sum of a few count metrics, a missing one counting as 0. */
function sumOf(label: string, metrics: Record<string, cloudwatch.IMetric>): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: Object.keys(metrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics: metrics,
    period: FIVE_MINUTES,
    label,
  });
}

function contextString(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `OutboundSend` → `outbound-send`, the name the redrive command knows the queue by. */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
