import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  agentReplyMetric,
  CHANNEL_METRIC,
  METRIC,
  METRIC_CHANNELS,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  type MetricService,
  ROUTING_QUEUE_GAUGE_LOG,
} from '#lambdas/shared/metric-names';
import { setLogicalId } from '#lib/logical-id';

/** A queue with the dead-letter queue it redrives from; `name` is PascalCase (`OutboundSend`). */
export interface WatchedQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

/** A Lambda of the pipeline; `name` is PascalCase and prefixes its alarms' logical ids. */
export interface WatchedFunction {
  readonly name: string;
  readonly function: lambda.IFunction;
}

/** A metric the handlers emit through Powertools (EMF): namespace OmnichannelSupport, dimension `service`. */
export function pipelineMetric(
  service: MetricService,
  metricName: string,
  options: { statistic?: string; period?: Duration; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: options.period ?? Duration.minutes(5),
    ...(options.label ? { label: options.label } : {}),
  });
}

/** The outbound sender's log messages the failures-by-code widget counts (see lambdas/handlers/outbound-send.ts). */
export const GRAPH_FAILURE_LOG_MESSAGES = {
  refused: 'reply refused by the Graph API',
  retried: 'graph send will be retried',
} as const;

export interface OperationsDashboardProps {
  readonly dashboardName: string;
  readonly queues: readonly WatchedQueue[];
  readonly functions: readonly WatchedFunction[];
  readonly outboundSendLogGroup: logs.ILogGroup;
  /** The routing consumer's log group (its per-queue gauge lines); none: no per-queue table. */
  readonly routingLogGroup?: logs.ILogGroup;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

const WIDTH = 24;
const FIVE_MINUTES = Duration.minutes(5);
const CHANNEL_LABEL = { whatsapp: 'WhatsApp', instagram: 'Instagram', messenger: 'Messenger' } as const;

/**
 * What the on-call looks at first: alarm states, traffic per channel, latency, the agent's
 * fallbacks and handoffs, Graph API failures by code, queue ages, dead-letter depth and each
 * function's errors and throttles. Custom metrics are the handlers' Powertools (EMF) metrics.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
    });
    setLogicalId(this.dashboard, 'OperationsDashboard');

    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDTH, height: 4 }));
    this.dashboard.addWidgets(
      graph(
        'Inbound customer messages per channel',
        METRIC_CHANNELS.map((c) => pipelineMetric(METRIC_SERVICE.normalizer, CHANNEL_METRIC.inbound(c), { label: CHANNEL_LABEL[c] })),
      ),
      graph(
        'Outbound replies sent per channel',
        METRIC_CHANNELS.map((c) => pipelineMetric(METRIC_SERVICE.outboundSend, CHANNEL_METRIC.outboundSent(c), { label: CHANNEL_LABEL[c] })),
      ),
      graph(
        'Outbound replies failed per channel',
        METRIC_CHANNELS.map((c) => pipelineMetric(METRIC_SERVICE.outboundSend, CHANNEL_METRIC.outboundFailed(c), { label: CHANNEL_LABEL[c] })),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'End-to-end latency (ms): customer message → reply requested → sent',
        (['p50', 'p95', 'p99'] as const).flatMap((stat) => [
          pipelineMetric(METRIC_SERVICE.agent, METRIC.replyRequestedLatency, { statistic: stat, label: `message → reply requested ${stat}` }),
          pipelineMetric(METRIC_SERVICE.outboundSend, METRIC.replySendLatency, { statistic: stat, label: `reply requested → sent ${stat}` }),
        ]),
        { width: 12 },
      ),
      graph(
        'Agent: replies, handoffs, fallbacks',
        [
          pipelineMetric(METRIC_SERVICE.agent, METRIC.agentReplied, { label: 'replies' }),
          pipelineMetric(METRIC_SERVICE.agent, METRIC.agentHandoffRequested, { label: 'handoffs to a person' }),
          pipelineMetric(METRIC_SERVICE.agent, agentReplyMetric('fallback'), { label: 'fallback replies (no answer found)' }),
          pipelineMetric(METRIC_SERVICE.agent, METRIC.agentAssistantFellBack, { label: 'Claude failed, flows answered' }),
        ],
        { width: 12 },
      ),
    );
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Graph API failures by code (refused for good, and retried)',
        logGroupNames: [props.outboundSendLogGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          'fields coalesce(errorCode, code) as graphCode',
          `filter message = "${GRAPH_FAILURE_LOG_MESSAGES.refused}" or message = "${GRAPH_FAILURE_LOG_MESSAGES.retried}"`,
          'stats count(*) as failures by message, graphCode',
          'sort failures desc',
        ],
        width: 12,
        height: 6,
      }),
      graph(
        'Outbound: token errors (190), retries, deferrals',
        [
          pipelineMetric(METRIC_SERVICE.outboundSend, METRIC.graphTokenInvalid, { label: 'token invalid (190)' }),
          pipelineMetric(METRIC_SERVICE.outboundSend, METRIC.graphRetryableError, { label: 'retryable Graph errors' }),
          pipelineMetric(METRIC_SERVICE.outboundSend, METRIC.outboundDeferred, { label: 'deferred by pacing' }),
        ],
        { width: 12 },
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Oldest message age per queue (s)',
        props.queues.map((q) =>
          q.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM, label: q.name }),
        ),
        { width: 12 },
      ),
      graph(
        'Dead-letter queue depth',
        props.queues.map((q) =>
          q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM, label: q.name }),
        ),
        { width: 12 },
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Webhook: events enqueued, signatures refused, quarantined',
        [
          pipelineMetric(METRIC_SERVICE.webhook, METRIC.ingressEventsEnqueued, { label: 'events enqueued' }),
          pipelineMetric(METRIC_SERVICE.webhook, METRIC.webhookSignatureRejected, { label: 'signature refused (401)' }),
          pipelineMetric(METRIC_SERVICE.webhook, METRIC.ingressEventsQuarantined, { label: 'quarantined at the webhook' }),
          pipelineMetric(METRIC_SERVICE.normalizer, METRIC.eventsQuarantined, { label: 'quarantined by the normalizer' }),
        ],
        { width: 12 },
      ),
      graph(
        'WhatsApp account health',
        [
          pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountQualityFlagged, { label: 'quality flagged' }),
          pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountQualityDowngraded, { label: 'quality downgraded' }),
          pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountRestricted, { label: 'restricted or violation' }),
          pipelineMetric(METRIC_SERVICE.normalizer, METRIC.accountDisabled, { label: 'disabled' }),
        ],
        { width: 12 },
      ),
    );
    this.addRoutingWidgets(props);
    this.addSpendWidget();
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        props.functions.map((f) => f.function.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: f.name })),
        { width: 12 },
      ),
      graph(
        'Function throttles',
        props.functions.map((f) => f.function.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: f.name })),
        { width: 12 },
      ),
    );
  }

  /**
   * The contact centre: conversations queued, offered, assigned and withdrawn; SLA warnings and
   * breaches; the largest backlog and longest wait of any queue and agents online vs busy (gauges,
   * statistic Maximum, no business or queue dimension); and, from the routing consumer's gauge log
   * lines, the backlog of each queue.
   */
  private addRoutingWidgets(props: RoutingDashboardProps): void {
    const max = cloudwatch.Stats.MAXIMUM;
    this.dashboard.addWidgets(
      graph('Routing: conversations queued, offered, assigned; offers withdrawn', [
        routingMetric(METRIC.conversationsQueued, 'queued'),
        routingMetric(METRIC.conversationsOffered, 'offered'),
        routingMetric(METRIC.conversationsAssigned, 'assigned'),
        routingMetric(METRIC.offersWithdrawn, 'offers withdrawn (declined, expired, agent offline)'),
        routingMetric(METRIC.conversationsTransferred, 'transferred'),
      ]),
      graph('SLA warnings and breaches', [routingMetric(METRIC.slaWarnings, 'warnings'), routingMetric(METRIC.slaBreaches, 'breaches')]),
      graph('Agents online vs busy (largest business)', [
        routingMetric(METRIC.agentsOnline, 'online', max),
        routingMetric(METRIC.agentsBusy, 'busy (a conversation offered or assigned)', max),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Backlog of the largest queue, and the oldest waiting (s)',
        [routingMetric(METRIC.queueBacklog, 'waiting (largest queue)', max), routingMetric(METRIC.oldestWaitingSeconds, 'oldest waiting (s)', max)],
        { width: 12 },
      ),
      ...(props.routingLogGroup
        ? [
            new cloudwatch.LogQueryWidget({
              title: 'Backlog per queue (latest measure)',
              logGroupNames: [props.routingLogGroup.logGroupName],
              view: cloudwatch.LogQueryVisualizationType.TABLE,
              queryLines: [
                'fields businessId, queueId, waiting, oldestWaitingSeconds',
                `filter message = "${ROUTING_QUEUE_GAUGE_LOG}"`,
                'stats latest(waiting) as waitingNow, latest(oldestWaitingSeconds) as oldestWaitingS by businessId, queueId',
                'sort oldestWaitingS desc',
                'limit 100',
              ],
              width: 12,
              height: 6,
            }),
          ]
        : []),
    );
  }

  /**
   * Meta's charges for WhatsApp messages as they are priced (all businesses; each business's own
   * figures are in the spend API and the console), and the budget thresholds businesses crossed.
   */
  private addSpendWidget(): void {
    const charged = (service: MetricService) => pipelineMetric(service, METRIC.metaChargeMicros);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Meta spend (USD per 5 minutes) and budget thresholds crossed',
        left: [
          new cloudwatch.MathExpression({
            expression: '(FILL(normalizer, 0) + FILL(tracking, 0)) / 1000000',
            usingMetrics: { normalizer: charged(METRIC_SERVICE.normalizer), tracking: charged(METRIC_SERVICE.statusTracking) },
            period: Duration.minutes(5),
            label: "Meta's charges (USD)",
          }),
        ],
        right: [budgetThresholdMetric(80, { label: 'budgets at 80%' }), budgetThresholdMetric(100, { label: 'budgets at 100%' })],
        width: WIDTH,
        height: 6,
        liveData: true,
      }),
    );
  }
}

/** Businesses whose month's Meta spend reached `threshold`% of their budget (service `spend`, dimension `threshold`). */
export function budgetThresholdMetric(threshold: 80 | 100, options: { period?: Duration; label?: string } = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: METRIC.metaBudgetThresholdCrossed,
    dimensionsMap: { service: METRIC_SERVICE.spend, threshold: String(threshold) },
    statistic: cloudwatch.Stats.SUM,
    period: options.period ?? Duration.minutes(5),
    ...(options.label ? { label: options.label } : {}),
  });
}

export interface RoutingDashboardProps {
  readonly routingLogGroup?: logs.ILogGroup;
}

function routingMetric(name: string, label: string, statistic: string = cloudwatch.Stats.SUM): cloudwatch.Metric {
  return pipelineMetric(METRIC_SERVICE.routing, name, { label, statistic });
}

function graph(title: string, metrics: cloudwatch.IMetric[], options: { width?: number } = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: options.width ?? 8, height: 6, liveData: true });
}
