import type { IntegrationKind, IntegrationMapper } from '#lambdas/integrations/integration-model';
import { hubspotMapper } from '#lambdas/integrations/mappers/hubspot';
import { salesforceMapper } from '#lambdas/integrations/mappers/salesforce';
import { webhookMapper } from '#lambdas/integrations/mappers/webhook';
import { zendeskMapper } from '#lambdas/integrations/mappers/zendesk';

/** Every integration kind's mapping; the provisioning makes one API destination per destination spec. */
export const MAPPERS: Readonly<Record<IntegrationKind, IntegrationMapper>> = {
  webhook: webhookMapper,
  hubspot: hubspotMapper,
  salesforce: salesforceMapper,
  zendesk: zendeskMapper,
};

export type MapperRegistry = (kind: IntegrationKind) => IntegrationMapper | undefined;

export const mapperRegistry: MapperRegistry = (kind) => MAPPERS[kind];
