import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { dynamoIntegrationStore } from '#lambdas/integrations/integration-store';
import { handleIntegrationDeadLetter, type DeadLetterDeps } from '#lambdas/integrations/record-dead-letter';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { INTEGRATION_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/integration-dead-letters';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const deps: DeadLetterDeps = {
  store: dynamoIntegrationStore({ db, tableName: env.TABLE_NAME }),
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  sqs: new SQSClient({}),
  parkedQueueUrl: env.INTEGRATIONS_PARKED_QUEUE_URL,
};

async function handleRecord(record: SQSRecord): Promise<void> {
  const result = await handleIntegrationDeadLetter({ body: record.body, messageAttributes: record.messageAttributes }, deps);
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, INTEGRATION_METRIC.deadLetterInvalid, 'integration dead letter', result.issues);
      return;
    case 'recorded':
      metrics.addMetric(INTEGRATION_METRIC.deliveriesDeadLettered, MetricUnit.Count, 1);
      // Ids and EventBridge's error code only: the body holds the customer's data.
      logger.warn('integration delivery dead-lettered', {
        sqsMessageId: record.messageId,
        businessId: result.businessId,
        integrationId: result.integrationId,
        errorCode: result.errorCode,
      });
      return;
    case 'redriven':
      metrics.addMetric(INTEGRATION_METRIC.deliveriesRedriven, MetricUnit.Count, 1);
  }
}

/**
 * The integrations dead-letter queue → `dead_lettered` deliveries (with EventBridge's error
 * attributes), a metric, and the letter parked for `npm run redrive`; a redriven letter is
 * published again (lambdas/integrations/record-dead-letter.ts). A record that fails (the table or
 * SQS down) returns after the queue's visibility timeout.
 */
async function consume(event: SQSEvent, context: Context) {
  return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context, throwOnFullBatchFailure: false });
}

export const handler = middy(consume).use(injectLambdaContext(logger)).use(logMetrics(metrics));
