import { DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL, DEFAULT_INSTAGRAM_OAUTH_BASE_URL, INSTAGRAM_LOGIN_ENV } from '#lambdas/instagram-login/instagram-login-env';
import { ONBOARDING_ENV } from '#lambdas/onboarding/onboarding-contract';
import { ENV } from '#lambdas/shared/event-contract';
import { BUS, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The onboarding API's environment (lib/constructs/onboarding-api.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  [ENV.metaAppSecretId]: variable.text(),
  [ENV.graphApiBaseUrl]: variable.url(),
  [ENV.graphApiVersion]: variable.text(),
  [ONBOARDING_ENV.secretNamePrefix]: variable.text(),
  [INSTAGRAM_LOGIN_ENV.graphBaseUrl]: variable.url().default(DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL),
  [INSTAGRAM_LOGIN_ENV.oauthBaseUrl]: variable.url().default(DEFAULT_INSTAGRAM_OAUTH_BASE_URL),
} as const;
