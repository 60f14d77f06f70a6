import { BUS, OWN_QUEUE, TABLE } from '#lambdas/shared/handler-environment';

/** The integrations dispatcher's environment (lib/constructs/integrations.ts). */
export const environmentSchema = { ...TABLE, ...BUS, ...OWN_QUEUE } as const;
