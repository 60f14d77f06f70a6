import { OUTBOUND_SEND_VARIABLES } from '#lambdas/outbound/outbound-send-record';
import { OWN_QUEUE } from '#lambdas/shared/handler-environment';

/** The outbound sender's environment (lib/omnichannel-stack.ts). */
export const environmentSchema = { ...OUTBOUND_SEND_VARIABLES, ...OWN_QUEUE } as const;
