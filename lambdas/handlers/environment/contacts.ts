import { INTEGRATIONS_ENV } from '#lambdas/integrations/integrations-env';
import { BUS, OWN_QUEUE, TABLE, variable } from '#lambdas/shared/handler-environment';

/** The contacts consumer's environment (lib/constructs/contacts.ts). */
export const environmentSchema = {
  ...TABLE,
  ...BUS,
  /** The CRM look-ups may call loopback endpoints (local cloud only). */
  [INTEGRATIONS_ENV.allowLoopback]: variable.flag().default(false),
  ...OWN_QUEUE,
} as const;
