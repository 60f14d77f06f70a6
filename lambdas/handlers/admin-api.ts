import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { isAccountsRoute, routeAccountsRequest } from '#lambdas/accounts/route-accounts-request';
import { isContactsAdminRoute, routeContactsAdminRequest } from '#lambdas/contacts/api/route-contacts-admin-request';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { routeBotSettingsRequest } from '#lambdas/bot-settings/route-bot-settings-request';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { isAuditRoute, routeAuditRequest } from '#lambdas/identity/route-audit-request';
import { isRoutingAdminRoute, routeRoutingAdminRequest } from '#lambdas/routing/config/route-routing-admin-request';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/admin-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const deps = {
  db,
  tableName,
  auditTrail: createAuditTrailStore(db, tableName),
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  retentionDays: env.RETENTION_DAYS,
};
const routing = routingConfigStore(deps);
const contacts = dynamoContactStore(deps);

/**
 * The admin API: each business's bot settings (read, save a new version, list the versions), its
 * routing configuration (agents, queues, rules, macros, contact tags), its channel accounts (read
 * only), its contacts' attribute schema and its audit trail.
 * The caller's identity, the JSON refusals and the audit record come from `serveOperatorRequest`.
 */
async function adminApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(
    event,
    OPERATOR_API.admin,
    (e, identity, audit) =>
      isAuditRoute(e)
        ? routeAuditRequest(e, identity, audit, deps)
        : isAccountsRoute(e)
          ? routeAccountsRequest(e, identity, audit, deps)
          : isContactsAdminRoute(e)
            ? routeContactsAdminRequest(e, identity, audit, { contacts })
            : isRoutingAdminRoute(e)
              ? routeRoutingAdminRequest(e, identity, { routing, publisher: deps.publisher }, audit)
              : routeBotSettingsRequest(e, identity, deps, audit),
    deps,
  );
}

export const handler = middy(adminApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
