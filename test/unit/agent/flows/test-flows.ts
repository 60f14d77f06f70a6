import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';

/** The bundled demo business: the tests exercise the very settings the local cloud seeds. */
export const demoBusiness = (): BusinessFlows => demoBotSettings();

/** Saturday 09:00 in São Paulo (UTC-3): open. */
export const OPEN = new Date('2026-11-21T12:00:00.000Z');
/** Sunday 15:00 in São Paulo: closed. */
export const CLOSED = new Date('2026-11-22T18:00:00.000Z');
