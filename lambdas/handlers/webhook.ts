import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { s3PutClaimCheckStore } from '#lambdas/adapters/s3-put-claim-check-store';
import { signedJsonSecretReader } from '#lambdas/adapters/signed-json-secret';
import { enqueueIngressEvents } from '#lambdas/ingress/enqueue-ingress-events';
import { loggableReason } from '#lambdas/ingress/loggable-reason';
import { receiveWebhook, type WebhookSecrets } from '#lambdas/ingress/receive-webhook';
import { METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/webhook';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const queueUrl = env.INGRESS_QUEUE_URL;
const secretId = env.META_APP_SECRET_ID;
const sqs = new SQSClient({});
// Bodies over the SQS limit are parked in S3 with a signed PUT, not the S3 client (see the adapter).
const claimChecks = s3PutClaimCheckStore(env.CLAIM_CHECK_BUCKET);
// The app secret through one signed GetSecretValue, not the Secrets Manager client (see the adapter); kept five minutes.
const readSecrets = signedJsonSecretReader<WebhookSecrets>();

/** API Gateway HTTP API → verify, split, enqueue, answer. No database, no Graph call. */
async function webhook(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const secrets = await readSecrets(secretId);
  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const result = await receiveWebhook(
    { method: event.requestContext.http.method, rawBody, headers, query: event.queryStringParameters ?? {} },
    secrets,
    (events) => enqueueIngressEvents(events, { sqs, queueUrl, claimChecks }),
  );
  if (result.outcome === 'bad_signature') {
    metrics.addMetric(METRIC.webhookSignatureRejected, MetricUnit.Count, 1);
    logger.warn('webhook signature rejected', { bodyBytes: rawBody.length });
  } else if (result.outcome === 'accepted') {
    metrics.addMetric(METRIC.ingressEventsEnqueued, MetricUnit.Count, result.enqueued);
    if (result.quarantined > 0) {
      metrics.addMetric(METRIC.ingressEventsQuarantined, MetricUnit.Count, result.quarantined);
      logger.warn('signed webhook body quarantined', { reasons: result.quarantineReasons.map(loggableReason) });
    }
  }
  return { statusCode: result.statusCode, headers: { 'content-type': 'text/plain' }, body: result.body };
}

export const handler = middy(webhook).use(injectLambdaContext(logger)).use(logMetrics(metrics));
