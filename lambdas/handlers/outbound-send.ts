import type { Context, SQSRecord } from 'aws-lambda';
import { outboundSendDeps, sendOutboundRecord } from '#lambdas/outbound/outbound-send-record';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { environmentSchema } from '#lambdas/handlers/environment/outbound-send';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const deps = outboundSendDeps(env);

async function handleDetail(detail: unknown, record: SQSRecord, context?: Context): Promise<void> {
  await sendOutboundRecord(detail, record, deps, context);
}

/** Outbound queue (EventBridge `reply.requested`) → Graph API sends, each at most once knowingly. */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
