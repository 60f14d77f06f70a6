import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { spendAdmin } from '#lambdas/pricing/api/spend-admin';
import { routeSpendRequest } from '#lambdas/pricing/api/route-spend-request';
import { dynamoSpendStore } from '#lambdas/pricing/spend-store';
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/spend-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const auditDeps = {
  auditTrail: createAuditTrailStore(db, tableName),
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  retentionDays: env.RETENTION_DAYS,
};
const admin = spendAdmin(dynamoSpendStore({ db, tableName }));

/**
 * The spend API (`/admin/spend…`): a business's Meta spend this month (or another) and its monthly
 * budget. Its own function, allowed only the `SPEND#` items and the audit trail. Identity, JSON
 * refusals and the audit record come from `serveOperatorRequest`.
 */
async function spendApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, OPERATOR_API.spend, (e, identity, audit) => routeSpendRequest(e, identity, { admin }, audit), auditDeps);
}

export const handler = middy(spendApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
