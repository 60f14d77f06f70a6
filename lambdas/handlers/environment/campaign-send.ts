import { OUTBOUND_SEND_VARIABLES } from '#lambdas/outbound/outbound-send-record';
import { OWN_QUEUE } from '#lambdas/shared/handler-environment';

/** The campaign sender's environment (lib/constructs/campaigns.ts): the outbound sender's. */
export const environmentSchema = { ...OUTBOUND_SEND_VARIABLES, ...OWN_QUEUE } as const;
