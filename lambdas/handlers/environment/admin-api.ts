import { BUS, RETENTION, TABLE } from '#lambdas/shared/handler-environment';

/** The admin API's environment (lib/constructs/admin-api.ts). */
export const environmentSchema = { ...TABLE, ...BUS, ...RETENTION } as const;
