import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { integrationAdmin } from '#lambdas/integrations/api/integration-admin';
import { routeIntegrationsRequest } from '#lambdas/integrations/api/route-integrations-request';
import { testCall } from '#lambdas/integrations/api/test-call';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { secretsManagerIntegrationSecrets } from '#lambdas/integrations/integration-secrets';
import { dynamoIntegrationStore } from '#lambdas/integrations/integration-store';
import { mapperRegistry } from '#lambdas/integrations/mappers/index';
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/integrations-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const busName = env.EVENT_BUS_NAME;
const eventBridge = new EventBridgeClient({});
const auditDeps = {
  auditTrail: createAuditTrailStore(db, tableName),
  publisher: eventBridgePublisher(eventBridge, busName),
  retentionDays: env.RETENTION_DAYS,
};
const allowLoopback = env.INTEGRATIONS_ALLOW_LOOPBACK;
const fetch = guardedFetch({ allowLoopback });
const credentials = credentialHeaders();
const admin = integrationAdmin({
  store: dynamoIntegrationStore({ db, tableName }),
  // Read fresh: an admin who just saved credentials tests them at once.
  secrets: secretsManagerIntegrationSecrets(new SecretsManagerClient({}), { cacheTtlMs: 0 }),
  provision: {
    eventBridge,
    busName,
    invokeRoleArn: env.INTEGRATIONS_INVOKE_ROLE_ARN,
    deadLetterQueueArn: env.INTEGRATIONS_DLQ_ARN,
    names: { namePrefix: env.INTEGRATIONS_NAME_PREFIX, secretPrefix: env.INTEGRATIONS_SECRET_PREFIX },
    mappers: mapperRegistry,
  },
  testCall: (integration, secret) => testCall(integration, secret, { fetch, credentials }),
  allowLoopbackHttp: allowLoopback,
});

/**
 * The integrations admin API (`/admin/integrations…`): its own function, because it alone may make
 * EventBridge connections, API destinations and rules (named by the stack's prefix), pass the
 * invoke role, and write the per-integration secrets. Identity, JSON refusals and the audit record
 * come from `serveOperatorRequest`.
 */
async function integrationsApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, OPERATOR_API.integrations, (e, identity, audit) => routeIntegrationsRequest(e, identity, { admin }, audit), auditDeps);
}

export const handler = middy(integrationsApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
