import { DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL, DEFAULT_INSTAGRAM_OAUTH_BASE_URL, INSTAGRAM_LOGIN_ENV } from '#lambdas/instagram-login/instagram-login-env';
import { ENV } from '#lambdas/shared/event-contract';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { TABLE, variable } from '#lambdas/shared/handler-environment';

/** The Instagram token refresh's environment (lib/constructs/instagram-token-refresh.ts). */
export const environmentSchema = {
  ...TABLE,
  [INSTAGRAM_LOGIN_ENV.graphBaseUrl]: variable.url().default(DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL),
  [INSTAGRAM_LOGIN_ENV.oauthBaseUrl]: variable.url().default(DEFAULT_INSTAGRAM_OAUTH_BASE_URL),
  [ENV.graphApiVersion]: variable.text().default(GRAPH_API_VERSION),
} as const;
