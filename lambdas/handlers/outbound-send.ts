import type { Context, SQSRecord } from 'aws-lambda';
import { outboundSendDepsFromEnv, sendOutboundRecord } from '#lambdas/outbound/outbound-send-record';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';

const deps = outboundSendDepsFromEnv();

async function handleDetail(detail: unknown, record: SQSRecord, context?: Context): Promise<void> {
  await sendOutboundRecord(detail, record, deps, context);
}

/** Outbound queue (EventBridge `reply.requested`) → Graph API sends, each at most once knowingly. */
export const handler = eventQueueHandler(handleDetail);
