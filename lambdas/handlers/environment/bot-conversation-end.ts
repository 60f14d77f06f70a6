import { BUS, TABLE } from '#lambdas/shared/handler-environment';

/** The bot's end-of-conversation sweep's environment (lib/constructs/bot-conversation-end.ts). */
export const environmentSchema = { ...TABLE, ...BUS } as const;
