import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { dispatchIntegrationEvents, type DispatchDeps } from '#lambdas/integrations/dispatch-integration-events';
import { cachedIntegrationDirectory } from '#lambdas/integrations/integration-directory';
import { secretsManagerIntegrationSecrets } from '#lambdas/integrations/integration-secrets';
import { dynamoIntegrationStore } from '#lambdas/integrations/integration-store';
import { mapperRegistry } from '#lambdas/integrations/mappers/index';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { INTEGRATION_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/integration-dispatch';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoSnapshotSource } from '#lambdas/integrations/dispatch/snapshots-store';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const store = dynamoIntegrationStore({ db, tableName });
const deps: DispatchDeps = {
  snapshots: dynamoSnapshotSource(db, tableName),
  accounts: cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) }),
  integrations: cachedIntegrationDirectory(store),
  contacts: dynamoContactStore({ db, tableName }),
  store,
  secrets: secretsManagerIntegrationSecrets(new SecretsManagerClient({})),
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  mappers: mapperRegistry,
};

async function handleRecord(_detail: unknown, record: SQSRecord): Promise<void> {
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch {
    event = undefined;
  }
  const result = await dispatchIntegrationEvents(event, deps, { receiveCount: Number(record.attributes?.ApproximateReceiveCount) || 1 });
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, INTEGRATION_METRIC.triggerInvalid, 'integration trigger', result.issues);
      return;
    case 'ignored':
      // An event whose account and conversation key name two businesses is a producer's fault: counted, never delivered.
      if (result.reason === 'conversation_of_another_business') {
        metrics.addMetric(INTEGRATION_METRIC.triggerOtherBusiness, MetricUnit.Count, 1);
        logger.error('integration trigger names a conversation of another business; consumed', { sqsMessageId: record.messageId });
      }
      return;
    case 'dispatched':
      metrics.addMetric(INTEGRATION_METRIC.deliveriesRequested, MetricUnit.Count, result.requested);
      if (result.repeated > 0) metrics.addMetric(INTEGRATION_METRIC.deliveriesRepeated, MetricUnit.Count, result.repeated);
      if (result.dropped.length > 0) {
        // A mapper asked for what its destinations cannot carry: a fault to fix, never retried.
        metrics.addMetric(INTEGRATION_METRIC.requestsDropped, MetricUnit.Count, result.dropped.length);
        logger.error('integration requests dropped', { sqsMessageId: record.messageId, dropped: result.dropped });
      }
      if (result.droppedHeaders > 0) metrics.addMetric(INTEGRATION_METRIC.headersDropped, MetricUnit.Count, result.droppedHeaders);
  }
}

/**
 * Integration dispatch queue (domain events: messages, statuses, conversations, templates,
 * contacts) → `integration.delivery_requested` events for the business's integrations. A record
 * whose deliveries could not be published throws and comes back after its backoff.
 */
export const handler = eventQueueHandler(handleRecord, { queueUrl: env.QUEUE_URL });
