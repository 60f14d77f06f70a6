import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { cachedBotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { dynamoHumanAgentStores } from '#lambdas/human-agent/human-agent-stores';
import { type HumanAgentApiDeps, routeRequest } from '#lambdas/human-agent/route-request';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { workspaceParts } from '#lambdas/workspace/workspace-wiring';
import { SQSClient } from '@aws-sdk/client-sqs';
import { routingMetrics } from '#lambdas/routing/wiring/routing-metrics';
import { queueOpenState, routingRuntime } from '#lambdas/routing/wiring/routing-runtime';
import { environmentSchema } from '#lambdas/handlers/environment/human-agent-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const publisher = eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME);
// The agent workspace's and supervisors' routing routes; the engine's timers go to the routing queue.
const retentionDays = env.RETENTION_DAYS;
const routing = routingRuntime({ db, tableName, publisher, sqs: new SQSClient({}), queueUrl: env.ROUTING_QUEUE_URL, retentionDays });
// Notes, tags, macros, templates, media links, updates and the day's figures (lambdas/workspace/).
const workspace = workspaceParts({ db, tableName, retentionDays, media: env.MEDIA_BUCKET });
// The CSAT question on close is asked in the conversation's own business's words (none: not asked).
const botSettings = cachedBotSettingsSource({ accounts, db, tableName });
const deps: HumanAgentApiDeps = {
  ...dynamoHumanAgentStores(db, tableName, retentionDays),
  publisher,
  accounts,
  botSettings,
  routing: {
    engine: routing.engine,
    config: routing.config,
    views: routing.views,
    accounts,
    openState: queueOpenState,
    // A transfer's note is kept for the next person; `GET /agent/me` names the business's time zone.
    handoverNotes: { notes: workspace.notes, publisher },
    botSettings,
    accountIdsOf: (businessId) => workspace.closedConversations.accountIdsOf(businessId),
  },
  workspace,
  // Contacts: search, the conversation's contact, tags, attributes, identities, merges, consent (lambdas/contacts/api/).
  contacts: dynamoContactStore({ db, tableName }),
};

// Every request leaves one record in its business's audit trail (identity/audit-trail.ts).
const auditDeps = { auditTrail: createAuditTrailStore(db, tableName), publisher, retentionDays };

/** The human agents' API: list waiting conversations, read one, reply, hand back to the bot, close. */
async function humanAgentApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, OPERATOR_API.humanAgent, (e, identity, audit) => routeRequest(e, identity, audit, deps), auditDeps);
}

export const handler = middy(humanAgentApi)
  .use(injectLambdaContext(logger))
  .use(logMetrics([metrics, routingMetrics]));
