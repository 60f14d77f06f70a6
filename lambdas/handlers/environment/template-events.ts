import { OWN_QUEUE, TABLE } from '#lambdas/shared/handler-environment';

/** The template events consumer's environment (lib/constructs/templates-api.ts). */
export const environmentSchema = { ...TABLE, ...OWN_QUEUE } as const;
