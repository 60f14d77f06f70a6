import { MEDIA_BUCKET_ENV } from '#lambdas/media/media-env';
import { ROUTING_QUEUE_URL_ENV } from '#lambdas/routing/wiring/sqs-timer-scheduler';
import { BUS, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The human-agent API's environment (lib/constructs/human-agent-api.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  /** The routing queue, where the engine's timers go. */
  [ROUTING_QUEUE_URL_ENV]: variable.url(),
  [MEDIA_BUCKET_ENV]: variable.text(),
} as const;
