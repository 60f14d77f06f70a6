import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import { dynamoContactEventSources } from '#lambdas/contacts/contact-event-sources-store';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { contactWorkOf } from '#lambdas/contacts/contact-work';
import { handleContactWork } from '#lambdas/contacts/handle-contact-work';
import { ownerOfAccount } from '#lambdas/identity/resolve-target';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { cachedIntegrationDirectory } from '#lambdas/integrations/integration-directory';
import { secretsManagerIntegrationSecrets } from '#lambdas/integrations/integration-secrets';
import { dynamoIntegrationStore } from '#lambdas/integrations/integration-store';
import { createCrmLookup } from '#lambdas/integrations/lookup/crm-lookup';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { contactLookupMetric, CONTACTS_METRIC, contactsWorkMetric } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/contacts';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const integrationStore = dynamoIntegrationStore({ db, tableName });

const deps: ContactDeps = {
  contacts: dynamoContactStore({ db, tableName }),
  sources: dynamoContactEventSources({ db, tableName }),
  businessOfAccount: async (accountId) => (await ownerOfAccount(accountId, accounts))?.businessId,
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  // Every enabled integration of the business that looks contacts up, within the second given.
  crmLookup: createCrmLookup({
    integrations: cachedIntegrationDirectory(integrationStore),
    store: integrationStore,
    secrets: secretsManagerIntegrationSecrets(new SecretsManagerClient({})),
    fetch: guardedFetch({ allowLoopback: env.INTEGRATIONS_ALLOW_LOOPBACK }),
    credentials: credentialHeaders(),
    onFailure: (failure) => logger.warn('CRM look-up failed for one integration', failure),
  }),
  onLookupFailed: (reason, error) => {
    metrics.addMetric(contactLookupMetric(reason), MetricUnit.Count, 1);
    logger.warn('CRM look-up gave nothing in time; the contact is kept without it', { reason, error: (error as Error | undefined)?.name });
  },
  now: () => new Date(),
};

async function handleRecord(_detail: unknown, record: SQSRecord): Promise<void> {
  const result = await handleContactWork(contactWorkOf(record.body), deps);
  metrics.addMetric(contactsWorkMetric(result.work, result.outcome), MetricUnit.Count, 1);
  // Ids and reasons only: names, numbers and consent evidence stay in the table.
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, CONTACTS_METRIC.eventInvalid, `contacts ${result.work} event`, result.issues);
      return;
    case 'ignored':
      logger.warn('event the contacts queue is not fed with; consumed', { sqsMessageId: record.messageId, detailType: result.detailType });
      return;
    case 'skipped':
      if (result.reason === 'unknown_account' || result.reason === 'no_message' || result.reason === 'no_conversation') {
        logger.warn('contact event skipped', { sqsMessageId: record.messageId, work: result.work, reason: result.reason });
      }
      return;
    case 'recorded':
      if (result.work === 'customer_message' && result.created) metrics.addMetric(CONTACTS_METRIC.created, MetricUnit.Count, 1);
      return;
    default:
      return;
  }
}

/**
 * Contacts queue (customer messages, the business app's address book, consent decisions from the
 * bus) → one contact per customer of each business: identities, name, language, consent with its
 * projection for the sender, first touch, CRM look-up (lambdas/contacts/, docs/contacts.md).
 */
export const handler = eventQueueHandler(handleRecord, { queueUrl: env.QUEUE_URL });
