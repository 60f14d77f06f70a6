import { TABLE } from '#lambdas/shared/handler-environment';

/** The WebSocket routes' environment (lib/constructs/agent-push.ts). */
export const environmentSchema = { ...TABLE } as const;
