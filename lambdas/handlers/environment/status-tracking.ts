import { ENV } from '#lambdas/shared/event-contract';
import { BUS, OWN_QUEUE, TABLE, variable } from '#lambdas/shared/handler-environment';
import { STATUS_EVENTS_SETTINGS } from '#lambdas/status/announced-statuses';

/** Status tracking's environment (lib/omnichannel-stack.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  [ENV.statusEvents]: variable.oneOf(STATUS_EVENTS_SETTINGS).default('failed'),
  ...OWN_QUEUE,
} as const;
