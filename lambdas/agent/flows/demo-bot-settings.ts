import { describeProblems, parseBusinessFlows, type BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import demoSettings from './demo-bot-settings.json' with { type: 'json' };

let cached: BusinessFlows | undefined;

/**
 * The demo business's bot settings ("Demo Store"). They seed the local cloud's own business (and
 * test businesses that ask for them); in AWS every business's settings come from the bot-settings
 * store, and no business is ever answered with another's.
 */
export function demoBotSettings(): BusinessFlows {
  if (!cached) {
    const parsed = parseBusinessFlows(demoSettings);
    if (!parsed.ok) throw new Error(`Invalid demo bot settings:\n${describeProblems(parsed.problems)}`);
    cached = parsed.settings;
  }
  return structuredClone(cached);
}

/** The file as written, before validation and defaults (for tooling and tests). */
export const rawDemoBotSettings: unknown = demoSettings;
