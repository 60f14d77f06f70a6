import { ENV } from '#lambdas/shared/event-contract';
import { BUS, OWN_QUEUE, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';
import { STATUS_EVENTS_SETTINGS } from '#lambdas/status/announced-statuses';

/** The normalizer's environment (lib/constructs/normalize.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  [ENV.statusEvents]: variable.oneOf(STATUS_EVENTS_SETTINGS).default('failed'),
  /** The ingress FIFO queue, to return a conversation's records after a backoff. */
  ...OWN_QUEUE,
} as const;
