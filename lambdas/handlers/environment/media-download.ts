import { MEDIA_BUCKET_ENV } from '#lambdas/media/media-env';
import { ENV } from '#lambdas/shared/event-contract';
import { GRAPH, OWN_QUEUE, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The media download's environment (lib/omnichannel-stack.ts). */
export const environmentSchema = {
  ...TABLE,
  [MEDIA_BUCKET_ENV]: variable.text(),
  [ENV.metaAccessTokensSecretId]: variable.text(),
  ...GRAPH,
  ...OWN_QUEUE,
} as const;
