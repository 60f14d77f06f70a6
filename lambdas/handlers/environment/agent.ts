import { ASSISTANT_VARIABLES } from '#lambdas/agent/assistant/assistant-from-environment';
import { DEFAULT_REPLY_QUIET_MS } from '#lambdas/agent/quiet-period';
import { BUS, OWN_QUEUE, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The agent's environment (lib/omnichannel-stack.ts): its own settings and the assistant's. */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  ...RETENTION,
  /** How long the customer must be quiet before the bot answers (tests compress it). */
  REPLY_QUIET_MS: variable.wholeNumber().default(DEFAULT_REPLY_QUIET_MS),
  ...ASSISTANT_VARIABLES,
  ...OWN_QUEUE,
} as const;
