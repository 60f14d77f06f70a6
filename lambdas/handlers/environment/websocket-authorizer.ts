import { PUSH_AUTHORIZER_ENV } from '#lambdas/push/cognito-token-verifier';
import { variable } from '#lambdas/shared/handler-environment';

/** The `$connect` authoriser's environment (lib/constructs/agent-push.ts). */
export const environmentSchema = {
  [PUSH_AUTHORIZER_ENV.userPoolId]: variable.text(),
  [PUSH_AUTHORIZER_ENV.clientIds]: variable.list(),
  /** Local cloud only; unset in AWS. */
  [PUSH_AUTHORIZER_ENV.jwksUrl]: variable.url().optional(),
} as const;
