import { PUSH_ENV } from '#lambdas/push/push-env';
import { OWN_QUEUE, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The push consumer's environment (lib/constructs/agent-push.ts). */
export const environmentSchema = {
  ...TABLE,
  [PUSH_ENV.managementEndpoint]: variable.url(),
  ...OWN_QUEUE,
} as const;
