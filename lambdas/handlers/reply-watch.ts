import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { createReplyStore } from '#lambdas/outbound/reply-store';
import { watchReply, type WatchDeps } from '#lambdas/outbound/watch-reply';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { METRIC, REPLY_WATCH_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { environmentSchema } from '#lambdas/handlers/environment/reply-watch';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const staleSeconds = env.REPLY_WATCH_STALE_SENDING_SECONDS;
const deps: WatchDeps = {
  replies: createReplyStore(documentClient(), env.TABLE_NAME),
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  ...(staleSeconds !== undefined ? { staleSendingMs: staleSeconds * 1000 } : {}),
};

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await watchReply(detail, deps);
  // Ids only: the conversation key names a customer, the outbound id does not.
  const outboundId = typeof (detail as { outboundId?: unknown })?.outboundId === 'string' ? (detail as { outboundId: string }).outboundId : undefined;
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, REPLY_WATCH_METRIC.eventInvalid, 'watched reply request', result.issues);
      return;
    case 'requested_again':
      metrics.addMetric(METRIC.replyRequestedAgain, MetricUnit.Count, 1);
      logger.warn('reply still pending; asked for again', { sqsMessageId: record.messageId, outboundId, round: result.round });
      return;
    case 'given_up':
      metrics.addMetric(METRIC.replyNeverSent, MetricUnit.Count, 1);
      logger.error('reply still pending after every round of the watch', { sqsMessageId: record.messageId, outboundId, rounds: result.rounds });
      return;
    case 'claim_in_progress':
      metrics.addMetric(REPLY_WATCH_METRIC.claimInProgress, MetricUnit.Count, 1);
      logger.info('reply claimed recently; looked at again later', { sqsMessageId: record.messageId, outboundId, round: result.round });
      return;
    case 'resent_after_unknown_outcome':
      metrics.addMetric(METRIC.replyResentAfterUnknownOutcome, MetricUnit.Count, 1);
      logger.warn('reply claimed long ago and never confirmed by Meta; asked for again', { sqsMessageId: record.messageId, outboundId, round: result.round });
      return;
    case 'outcome_unknown':
      metrics.addMetric(METRIC.replyOutcomeUnknown, MetricUnit.Count, 1);
      logger.error('reply left sending: its outcome was never recorded; not sent again', { sqsMessageId: record.messageId, outboundId });
      return;
    case 'missing':
      metrics.addMetric(REPLY_WATCH_METRIC.messageMissing, MetricUnit.Count, 1);
      return;
    case 'finished':
      return;
  }
}

/**
 * Reply-watch queue (EventBridge `reply.requested`, delivered a quarter of an hour late) → a reply
 * still pending is asked for again; one left sending is reported (outbound/watch-reply.ts).
 */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
