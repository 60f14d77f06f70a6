import { STALE_SENDING_ENV } from '#lambdas/outbound/watch-reply';
import { BUS, OWN_QUEUE, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The reply watch's environment (lib/omnichannel-stack.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  /** Tests that compress the watch set it; unset in a deployment. */
  [STALE_SENDING_ENV]: variable.wholeNumber(1).optional(),
  ...OWN_QUEUE,
} as const;
