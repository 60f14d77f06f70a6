import { BUS, RETENTION, TABLE } from '#lambdas/shared/handler-environment';

/** The spend API's environment (lib/constructs/spend.ts). */
export const environmentSchema = { ...TABLE, ...BUS, ...RETENTION } as const;
