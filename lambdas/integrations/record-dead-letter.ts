import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { INTEGRATION_EVENTS } from '#lambdas/integrations/integration-model';
import type { DeliveryError, IntegrationStore } from '#lambdas/integrations/integration-store';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * The integrations dead-letter queue: where EventBridge puts a delivery it gave up on (its retry
 * policy spent, or an answer it does not retry: a 4xx other than 429, a missing permission). Each
 * message is the original `integration.delivery_requested` event; EventBridge's message attributes
 * say why (EventBridge user guide, "Using dead-letter queues": RULE_ARN, TARGET_ARN, ERROR_CODE,
 * ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS).
 *
 * Its consumer records the delivery as `dead_lettered` with those attributes (the admin API's
 * deliveries list shows it), counts it, and *parks* it in the queue's own dead-letter queue as
 * `{ "parkedDeadLetter": 1, "event": <the event>, "error": {…} }`. Parked letters wait there for
 * a person: `npm run redrive -- --redrive integration-dead-letters` moves them back to this queue,
 * where a parked letter is recognised by its shape and published to the bus again (same delivery
 * id, same idempotency key), so the integration's rule delivers it once more. Message attributes
 * are not relied on to survive a move: the body says everything.
 */
export interface DeadLetterDeps {
  store: Pick<IntegrationStore, 'recordDeadLettered' | 'recordRedriven'>;
  publisher: EventPublisher;
  sqs: Pick<SQSClient, 'send'>;
  parkedQueueUrl: string;
  now?: () => Date;
}

export interface DeadLetterMessage {
  body: string;
  messageAttributes?: Record<string, { stringValue?: string | undefined; dataType?: string } | undefined>;
}

export type DeadLetterOutcome =
  | { outcome: 'recorded'; businessId: string; integrationId: string; errorCode?: string }
  | { outcome: 'redriven'; businessId: string; integrationId: string }
  | { outcome: 'invalid'; issues: string[] };

const bounded = (max: number) => z.string().min(1).max(max);
export const deliveryEventSchema = z.looseObject({
  source: z.literal(EVENT_SOURCE.integrations),
  'detail-type': z.literal(DETAIL_TYPE.integrationDeliveryRequested),
  detail: z.looseObject({
    v: z.literal(1),
    businessId: bounded(128),
    integrationId: z.string().regex(/^i[0-9a-z]{11}$/),
    deliveryId: z.string().regex(/^[0-9a-f]{32}$/),
    eventType: z.enum(INTEGRATION_EVENTS),
    idempotencyKey: bounded(128),
    occurredAt: bounded(64),
    request: z.looseObject({ destination: bounded(64), method: bounded(8), path: z.string().max(1024).optional() }),
  }),
});

const PARKED_MARKER = 'parkedDeadLetter';
const parkedSchema = z.looseObject({ [PARKED_MARKER]: z.literal(1), event: z.unknown(), error: z.unknown().optional() });

const attribute = (message: DeadLetterMessage, name: string, max = 300): string | undefined => {
  const value = message.messageAttributes?.[name]?.stringValue;
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;
};

/** EventBridge's reasons, bounded (its error message names the target's answer, never our payload). */
export function deadLetterError(message: DeadLetterMessage): DeliveryError {
  const attempts = Number(attribute(message, 'RETRY_ATTEMPTS', 10));
  const error: DeliveryError = {
    ...(attribute(message, 'ERROR_CODE', 64) ? { code: attribute(message, 'ERROR_CODE', 64)! } : {}),
    ...(attribute(message, 'ERROR_MESSAGE') ? { message: attribute(message, 'ERROR_MESSAGE')! } : {}),
    ...(attribute(message, 'RULE_ARN', 512) ? { ruleArn: attribute(message, 'RULE_ARN', 512)! } : {}),
    ...(attribute(message, 'TARGET_ARN', 512) ? { targetArn: attribute(message, 'TARGET_ARN', 512)! } : {}),
    ...(Number.isInteger(attempts) && attempts >= 0 ? { retryAttempts: attempts } : {}),
    ...(attribute(message, 'EXHAUSTED_RETRY_CONDITION', 64) ? { exhaustedRetryCondition: attribute(message, 'EXHAUSTED_RETRY_CONDITION', 64)! } : {}),
  };
  return error;
}

export async function handleIntegrationDeadLetter(message: DeadLetterMessage, deps: DeadLetterDeps): Promise<DeadLetterOutcome> {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return { outcome: 'invalid', issues: ['(body): not JSON'] };
  }
  const now = (deps.now ?? (() => new Date()))().toISOString();

  const parked = parkedSchema.safeParse(body);
  if (parked.success) {
    const event = deliveryEventSchema.safeParse(parked.data.event);
    if (!event.success) return { outcome: 'invalid', issues: issuesOf(event.error) };
    const detail = event.data.detail;
    await deps.publisher.publish([{ source: EVENT_SOURCE.integrations, detailType: DETAIL_TYPE.integrationDeliveryRequested, detail }]);
    await deps.store.recordRedriven(
      { businessId: detail.businessId, integrationId: detail.integrationId, at: detail.occurredAt, deliveryId: detail.deliveryId },
      now,
    );
    return { outcome: 'redriven', businessId: detail.businessId, integrationId: detail.integrationId };
  }

  const event = deliveryEventSchema.safeParse(body);
  if (!event.success) return { outcome: 'invalid', issues: issuesOf(event.error) };
  const detail = event.data.detail;
  const error = deadLetterError(message);
  await deps.store.recordDeadLettered({
    businessId: detail.businessId,
    integrationId: detail.integrationId,
    deliveryId: detail.deliveryId,
    eventType: detail.eventType,
    at: detail.occurredAt,
    destination: detail.request.destination,
    method: detail.request.method,
    ...(detail.request.path !== undefined ? { path: detail.request.path } : {}),
    idempotencyKey: detail.idempotencyKey,
    deadLetteredAt: now,
    error,
  });
  await deps.sqs.send(
    new SendMessageCommand({ QueueUrl: deps.parkedQueueUrl, MessageBody: JSON.stringify({ [PARKED_MARKER]: 1, event: event.data, error, parkedAt: now }) }),
  );
  return { outcome: 'recorded', businessId: detail.businessId, integrationId: detail.integrationId, ...(error.code ? { errorCode: error.code } : {}) };
}

const issuesOf = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.code}`);
