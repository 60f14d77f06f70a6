import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { ownerOfAccount } from '#lambdas/identity/resolve-target';
import { handleRoutingMessage, type RoutingMessageDeps } from '#lambdas/routing/wiring/handle-routing-message';
import { replyAuthorStore } from '#lambdas/routing/wiring/reply-author-store';
import { gaugeThrottle, measureBusiness } from '#lambdas/routing/wiring/routing-gauges';
import { routingWorkOf } from '#lambdas/routing/wiring/routing-message';
import { routingMetrics } from '#lambdas/routing/wiring/routing-metrics';
import { routingRuntime } from '#lambdas/routing/wiring/routing-runtime';
import { eventQueueConsumer } from '#lambdas/shared/event-queue-consumer';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { METRIC, ROUTING_METRIC, ROUTING_QUEUE_GAUGE_LOG } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/routing';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const sqs = new SQSClient({});
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const runtime = routingRuntime({
  db,
  tableName,
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  sqs,
  // The engine's timers go to the routing queue, as from the human-agent API.
  queueUrl: env.ROUTING_QUEUE_URL,
  retentionDays: env.RETENTION_DAYS,
});
const deps: RoutingMessageDeps = {
  engine: runtime.engine,
  businessOfAccount: async (accountId) => (await ownerOfAccount(accountId, accounts))?.businessId,
  replyAuthor: replyAuthorStore({ db, tableName }),
  scheduler: runtime.scheduler,
};
const gauges = gaugeThrottle();
/** Businesses whose routing something happened to in this invocation: their gauges are measured after the batch. */
const touched = new Set<string>();

async function handleRecord(_detail: unknown, record: SQSRecord): Promise<void> {
  const result = await handleRoutingMessage(routingWorkOf(record.body), deps);
  if ('businessId' in result) touched.add(result.businessId);
  // Ids only: conversation keys name customers and stay out of the log.
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, ROUTING_METRIC.messageInvalid, result.what, result.issues);
      return;
    case 'unknown_account':
      metrics.addMetric(ROUTING_METRIC.unknownAccount, MetricUnit.Count, 1);
      logger.warn('routing event for an account the registry does not know; consumed', { sqsMessageId: record.messageId });
      return;
    case 'timer_not_due':
      routingMetrics.addMetric(METRIC.routingTimersChained, MetricUnit.Count, 1);
      logger.info('routing timer not yet due; sent on', {
        sqsMessageId: record.messageId,
        businessId: result.businessId,
        timer: result.timer,
        delaySeconds: result.delaySeconds,
      });
      return;
    case 'timer_fired':
      routingMetrics.addMetric(METRIC.routingTimersFired, MetricUnit.Count, 1);
      return;
    case 'not_routed':
      logger.warn('handoff not routed', { sqsMessageId: record.messageId, businessId: result.businessId, refusal: result.refusal });
      return;
    case 'dispatched':
      logger.info('dispatched', { sqsMessageId: record.messageId, businessId: result.businessId, offered: result.offered });
      return;
    case 'ignored':
      logger.warn('event the routing queue is not fed with; consumed', { sqsMessageId: record.messageId, detailType: result.detailType });
      return;
    default:
      return;
  }
}

/**
 * Backlog and longest wait per queue, agents online and busy: measured for the businesses this
 * batch touched, at most once a minute each. Metrics carry no business or queue dimension (their
 * Maximum is the worst anywhere); the per-queue figures go to one log line each, which the
 * dashboard's "Backlog per queue" table reads.
 */
async function emitGauges(): Promise<void> {
  const now = new Date();
  for (const businessId of touched) {
    if (!gauges.due(businessId, now.getTime())) continue;
    try {
      const measured = await measureBusiness(businessId, { config: runtime.config, views: runtime.views, now });
      for (const queue of measured.queues) {
        routingMetrics.addMetric(METRIC.queueBacklog, MetricUnit.Count, queue.waiting);
        routingMetrics.addMetric(METRIC.oldestWaitingSeconds, MetricUnit.Seconds, queue.oldestWaitingSeconds);
        logger.info(ROUTING_QUEUE_GAUGE_LOG, { businessId, queueId: queue.queueId, waiting: queue.waiting, oldestWaitingSeconds: queue.oldestWaitingSeconds });
      }
      routingMetrics.addMetric(METRIC.agentsOnline, MetricUnit.Count, measured.agentsOnline);
      routingMetrics.addMetric(METRIC.agentsBusy, MetricUnit.Count, measured.agentsBusy);
    } catch (err) {
      logger.warn('routing gauges not measured', { businessId, error: (err as Error).name });
    }
  }
  touched.clear();
}

const consume = eventQueueConsumer({
  handleDetail: handleRecord,
  sqs,
  queueUrl: env.QUEUE_URL,
  onRecordFailed: (record, error, retryInSeconds) =>
    logger.warn('record failed; it will be retried', {
      sqsMessageId: record.messageId,
      receiveCount: Number(record.attributes?.ApproximateReceiveCount) || 1,
      retryInSeconds,
      error: (error as Error | undefined)?.name,
      errorMessage: String((error as Error | undefined)?.message ?? '').slice(0, 200),
    }),
  onRescheduleFailed: (record, error) =>
    logger.warn('could not shorten the visibility of a record to retry; it returns after the queue timeout', {
      sqsMessageId: record.messageId,
      error: (error as Error | undefined)?.name,
    }),
});

async function routing(event: SQSEvent, context: Context) {
  touched.clear();
  const response = await consume(event, context);
  await emitGauges();
  return response;
}

/**
 * Routing queue (handoffs, releases, people's replies, presence and configuration changes from
 * the bus; the engine's own delayed timer messages) → the routing engine. Records are processed
 * independently (partial batch failures).
 */
export const handler = middy(routing)
  .use(injectLambdaContext(logger))
  .use(logMetrics([metrics, routingMetrics]));
