import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { createGraphApiClient, GraphApiError } from '#lambdas/adapters/graph-api-client';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { instagramApiOf } from '#lambdas/accounts/channel-account';
import { DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL, INSTAGRAM_LOGIN_ENV } from '#lambdas/instagram-login/instagram-login-env';
import { accountAccessTokens, MissingAccessTokenError } from '#lambdas/outbound/access-tokens';
import { limitsFromAccount } from '#lambdas/outbound/channel-account-limits';
import { SendDeferredError, sendReply, type SendOutcome, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { dynamoSendPacer } from '#lambdas/outbound/send-pacing';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';
import { DEFAULT_GRAPH_API_BASE_URL, GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { CHANNEL_METRIC, envelopeTime, fieldOf, METRIC, metricChannel, msSince } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';

/**
 * The outbound sender's dependencies from its environment (Graph client, tokens, pacer, limits),
 * shared by the conversational sender (handlers/outbound-send.ts) and the campaign sender
 * (handlers/campaign-send.ts): both send through the same exactly-once state machine and the same
 * DynamoDB pacer, so a number's limit holds across both queues.
 */
export function outboundSendDepsFromEnv(): SendReplyDeps {
  const db = documentClient();
  const tableName = requireEnv(ENV.tableName);
  // One cached registry read per account serves both its token and its pacing limits.
  const accounts = cachedAccountReader({ db, tableName });
  const graphTimeoutMs = Number(optionalEnv('GRAPH_API_TIMEOUT_MS', '10000'));
  const deps: SendReplyDeps = {
    db,
    tableName,
    publisher: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
    graph: createGraphApiClient({ timeoutMs: graphTimeoutMs }),
    graphTimeoutMs,
    // Each registered account sends with its own business's token (see access-tokens.ts).
    accessTokenFor: accountAccessTokens({ sharedSecretId: requireEnv(ENV.metaAccessTokensSecretId), accounts }),
    graphConfig: {
      baseUrl: optionalEnv(ENV.graphApiBaseUrl, DEFAULT_GRAPH_API_BASE_URL),
      version: optionalEnv(ENV.graphApiVersion, GRAPH_API_VERSION),
      instagramBaseUrl: optionalEnv(INSTAGRAM_LOGIN_ENV.graphBaseUrl, DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL),
    },
    // Instagram Login accounts send through graph.instagram.com (their token comes from their own secret).
    instagramApiFor: async (accountId) => instagramApiOf(await accounts.account(accountId)),
    pacer: dynamoSendPacer({ db, tableName, leadMs: Number(optionalEnv('OUTBOUND_PACING_LEAD_MS', '50')) }),
    limitsFor: async (accountId) => limitsFromAccount(await accounts.account(accountId)),
    maxWaitMs: Number(optionalEnv('OUTBOUND_MAX_WAIT_MS', '2000')),
  };
  return deps;
}

/**
 * One `reply.requested` record → one send, with the sender's metrics and logs. Returns the outcome
 * (an invalid record is consumed and counted); throws what must send the record back.
 */
export async function sendOutboundRecord(detail: unknown, record: SQSRecord, deps: SendReplyDeps, context?: Context): Promise<SendOutcome> {
  let result: SendOutcome;
  try {
    // A send is claimed only when it can finish before the invocation is cut off.
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined;
    result = await sendReply(detail, remaining ? { ...deps, remainingMs: remaining } : deps);
  } catch (err) {
    // Counted, then rethrown: the record returns to the queue when its wait is over.
    if (err instanceof SendDeferredError) {
      metrics.addMetric(METRIC.outboundDeferred, MetricUnit.Count, 1);
      logger.info('send deferred', { sqsMessageId: record.messageId, cause: err.cause_, retryAfterMs: Math.ceil(err.retryAfterMs) });
    }
    if (err instanceof MissingAccessTokenError) {
      metrics.addMetric(METRIC.outboundAccessTokenMissing, MetricUnit.Count, 1);
      logger.error('no access token for the sending account; the reply waits for it', { sqsMessageId: record.messageId, accountId: err.accountId, where: err.where });
    }
    if (err instanceof GraphApiError) {
      metrics.addMetric(METRIC.graphRetryableError, MetricUnit.Count, 1);
      logger.warn('graph send will be retried', { sqsMessageId: record.messageId, code: err.code, httpStatus: err.httpStatus, fbtraceId: err.fbtraceId });
    }
    throw err;
  }
  const channel = metricChannel(fieldOf(detail, 'channel'));
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, 'OutboundEventInvalid', 'reply request', result.issues);
      return result;
    case 'missing_message':
      metrics.addMetric('OutboundMessageMissing', MetricUnit.Count, 1);
      logger.error('reply request names no stored message', { sqsMessageId: record.messageId });
      return result;
    case 'sent': {
      metrics.addMetric(METRIC.outboundSent, MetricUnit.Count, 1);
      if (channel) metrics.addMetric(CHANNEL_METRIC.outboundSent(channel), MetricUnit.Count, 1);
      // From the reply being requested (the event's time) to Meta accepting it.
      const latency = msSince(envelopeTime(record.body));
      if (latency !== undefined) metrics.addMetric(METRIC.replySendLatency, MetricUnit.Milliseconds, latency);
      logger.info('reply sent', { sqsMessageId: record.messageId, providerMessageId: result.providerMessageId });
      return result;
    }
    case 'already_done':
      metrics.addMetric('OutboundAlreadyDone', MetricUnit.Count, 1);
      return result;
    case 'outcome_unknown':
      metrics.addMetric('OutboundOutcomeUnknown', MetricUnit.Count, 1);
      logger.warn('reply not sent again: outcome of an earlier attempt unknown', { sqsMessageId: record.messageId, reason: result.reason });
      return result;
    case 'refused':
      metrics.addMetric('OutboundRefused', MetricUnit.Count, 1);
      logger.warn('reply refused by the send rules', { sqsMessageId: record.messageId, reason: result.reason });
      return result;
    case 'failed':
      metrics.addMetric(METRIC.outboundFailed, MetricUnit.Count, 1);
      if (channel) metrics.addMetric(CHANNEL_METRIC.outboundFailed(channel), MetricUnit.Count, 1);
      if (result.classification === 'auth') metrics.addMetric(METRIC.graphTokenInvalid, MetricUnit.Count, 1);
      logger.warn('reply refused by the Graph API', { sqsMessageId: record.messageId, errorCode: result.errorCode, classification: result.classification });
  }
  return result;
}
