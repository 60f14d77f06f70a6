import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { dynamoCampaignLookups } from '#lambdas/campaigns/campaign-lookups-store';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { routeCampaignsRequest } from '#lambdas/campaigns/route-campaigns-request';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { cachedBudgetGate, dynamoBudgetGate } from '#lambdas/pricing/budget-gate';
import { dynamoSpendStore } from '#lambdas/pricing/spend-store';
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/campaigns-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const retentionDays = env.RETENTION_DAYS;
const publisher = eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME);
const auditDeps = { auditTrail: createAuditTrailStore(db, tableName), publisher, retentionDays };
const deps: CampaignAdminDeps = {
  store: dynamoCampaignStore({ db, tableName, recipientRetentionDays: retentionDays }),
  contacts: dynamoContactStore({ db, tableName }),
  lookups: dynamoCampaignLookups({ db, tableName }),
  publisher,
  budget: cachedBudgetGate(dynamoBudgetGate(dynamoSpendStore({ db, tableName }))),
};

/**
 * The campaigns admin API (`/admin/campaigns…`, docs/campaigns.md § Admin API): its own function,
 * because a CSV upload (up to 5 MB, 100,000 rows) is parsed, checked and decided within the request
 * and needs more time and memory than the other admin routes (lists themselves are written in the
 * background by the release function, campaign-list-build.ts). Identity, JSON refusals
 * and the audit record come from `serveOperatorRequest`.
 */
async function campaignsApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, OPERATOR_API.campaigns, (e, identity, audit) => routeCampaignsRequest(e, identity, deps, audit), auditDeps);
}

export const handler = middy(campaignsApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
