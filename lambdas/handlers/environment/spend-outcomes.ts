import { OWN_QUEUE, TABLE } from '#lambdas/shared/handler-environment';

/** The spend outcomes consumer's environment (lib/constructs/spend.ts). */
export const environmentSchema = { ...TABLE, ...OWN_QUEUE } as const;
