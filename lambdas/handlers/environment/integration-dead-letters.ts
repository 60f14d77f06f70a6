import { INTEGRATIONS_ENV } from '#lambdas/integrations/integrations-env';
import { BUS, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The integrations dead-letter consumer's environment (lib/constructs/integrations.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  [INTEGRATIONS_ENV.parkedQueueUrl]: variable.url(),
} as const;
