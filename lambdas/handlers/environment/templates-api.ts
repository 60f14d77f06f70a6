import { ENV } from '#lambdas/shared/event-contract';
import { BUS, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The templates API's environment (lib/constructs/templates-api.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  [ENV.metaAccessTokensSecretId]: variable.text(),
  [ENV.graphApiBaseUrl]: variable.url(),
  [ENV.graphApiVersion]: variable.text(),
} as const;
