import { BUS, RETENTION, TABLE } from '#lambdas/shared/handler-environment';

/** The campaigns API's environment (lib/constructs/campaigns-api.ts). */
export const environmentSchema = { ...TABLE, ...BUS, ...RETENTION } as const;
