import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { loadFlowsConfig } from '#lambdas/agent/flows/load-flows-config';

/** The bundled default business: the tests exercise the very file the local cloud runs. */
export const demoBusiness = (): BusinessFlows => {
  const config = loadFlowsConfig();
  return config.businesses.find((b) => b.id === config.defaultBusinessId)!;
};

/** Saturday 09:00 in São Paulo (UTC-3): open. */
export const OPEN = new Date('2026-11-21T12:00:00.000Z');
/** Sunday 15:00 in São Paulo: closed. */
export const CLOSED = new Date('2026-11-22T18:00:00.000Z');
