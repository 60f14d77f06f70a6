import { parseFlowsConfig, type FlowsConfig } from '#lambdas/agent/flows/business-flows-schema';
import bundledFlows from './business-flows.json' with { type: 'json' };

let cached: FlowsConfig | undefined;

/**
 * The flows file is bundled into the Lambda, so a bad edit fails the build's tests and the cold
 * start rather than a customer's conversation.
 */
export function loadFlowsConfig(): FlowsConfig {
  cached ??= parseFlowsConfig(bundledFlows);
  return cached;
}

/** The file as written, before validation and defaults (for tooling and tests). */
export const rawBundledFlows = bundledFlows;
