import { OWN_QUEUE, TABLE } from '#lambdas/shared/handler-environment';

/** The account health consumer's environment (lib/omnichannel-stack.ts). */
export const environmentSchema = { ...TABLE, ...OWN_QUEUE } as const;
