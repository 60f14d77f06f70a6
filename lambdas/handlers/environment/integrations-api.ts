import { INTEGRATIONS_ENV } from '#lambdas/integrations/integrations-env';
import { BUS, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The integrations API's environment (lib/constructs/integrations.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  [INTEGRATIONS_ENV.namePrefix]: variable.text(),
  [INTEGRATIONS_ENV.secretPrefix]: variable.text(),
  [INTEGRATIONS_ENV.invokeRoleArn]: variable.text(),
  [INTEGRATIONS_ENV.deadLetterQueueArn]: variable.text(),
  [INTEGRATIONS_ENV.allowLoopback]: variable.flag().default(false),
} as const;
