import { ENV } from '#lambdas/shared/event-contract';
import { variable } from '#lambdas/shared/handler-environment';

/** The webhook's environment (lib/constructs/ingress.ts). */
export const environmentSchema = {
  [ENV.ingressQueueUrl]: variable.url(),
  [ENV.metaAppSecretId]: variable.text(),
  [ENV.claimCheckBucket]: variable.text(),
} as const;
