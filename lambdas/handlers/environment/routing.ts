import { ROUTING_QUEUE_URL_ENV } from '#lambdas/routing/wiring/sqs-timer-scheduler';
import { ENV } from '#lambdas/shared/event-contract';
import { BUS, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The routing consumer's environment (lib/constructs/routing.ts); both queue URLs name the routing queue. */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  /** Its own queue, where failed records come back after a backoff. */
  [ENV.queueUrl]: variable.url(),
  /** Where the engine's timers are sent (`allowTimers`). */
  [ROUTING_QUEUE_URL_ENV]: variable.url(),
} as const;
