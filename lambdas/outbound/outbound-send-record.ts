import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, SQSRecord } from 'aws-lambda';
import { documentClient, type DocumentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { createGraphApiClient, GraphApiError } from '#lambdas/adapters/graph-api-client';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { instagramApiOf } from '#lambdas/accounts/channel-account';
import { DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL, INSTAGRAM_LOGIN_ENV } from '#lambdas/instagram-login/instagram-login-env';
import { accountAccessTokens } from '#lambdas/outbound/access-tokens';
import { limitsFromAccount } from '#lambdas/outbound/channel-account-limits';
import { sendReply, type SendOutcome, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { dynamoSendPacer } from '#lambdas/outbound/send-pacing';
import { dynamoSendStores } from '#lambdas/outbound/send-stores';
import { ENV } from '#lambdas/shared/event-contract';
import { BUS, GRAPH, TABLE, variable, type Environment } from '#lambdas/shared/handler-environment';
import { CHANNEL_METRIC, envelopeTime, fieldOf, METRIC, metricChannel, msSince, OUTBOUND_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';
import { MissingAccessTokenError, SendDeferredError } from '#lambdas/outbound/errors';

/** The outbound sender's variables, in the schemas of both senders (lambdas/handlers/environment/). */
export const OUTBOUND_SEND_VARIABLES = {
  ...TABLE,
  ...BUS,
  [ENV.metaAccessTokensSecretId]: variable.text(),
  ...GRAPH,
  [INSTAGRAM_LOGIN_ENV.graphBaseUrl]: variable.url().default(DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL),
  GRAPH_API_TIMEOUT_MS: variable.wholeNumber(1).default(10_000),
  /** Slots are handed out at least this far ahead (send-pacing.ts). */
  OUTBOUND_PACING_LEAD_MS: variable.wholeNumber().default(50),
  /** Longest wait spent inside the Lambda for pacing or backoff; a longer one hands the record back. */
  OUTBOUND_MAX_WAIT_MS: variable.wholeNumber().default(2_000),
} as const;

/**
 * The outbound sender's dependencies (Graph client, tokens, pacer, limits), shared by the
 * conversational sender (handlers/outbound-send.ts) and the campaign sender
 * (handlers/campaign-send.ts): both send through the same exactly-once state machine and the same
 * DynamoDB pacer, so a number's limit holds across both queues.
 */
export function outboundSendDeps(env: Environment<typeof OUTBOUND_SEND_VARIABLES>, db: DocumentClient = documentClient()): SendReplyDeps {
  const tableName = env.TABLE_NAME;
  // One cached registry read per account serves both its token and its pacing limits.
  const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
  const graphTimeoutMs = env.GRAPH_API_TIMEOUT_MS;
  const deps: SendReplyDeps = {
    ...dynamoSendStores(db, tableName),
    publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
    graph: createGraphApiClient({ timeoutMs: graphTimeoutMs }),
    graphTimeoutMs,
    // Each registered account sends with its own business's token (see access-tokens.ts).
    accessTokenFor: accountAccessTokens({ sharedSecretId: env.META_ACCESS_TOKENS_SECRET_ID, accounts }),
    graphConfig: {
      baseUrl: env.GRAPH_API_BASE_URL,
      version: env.GRAPH_API_VERSION,
      instagramBaseUrl: env.INSTAGRAM_GRAPH_API_BASE_URL,
    },
    // Instagram Login accounts send through graph.instagram.com (their token comes from their own secret).
    instagramApiFor: async (accountId) => instagramApiOf(await accounts.account(accountId)),
    pacer: dynamoSendPacer({ db, tableName, leadMs: env.OUTBOUND_PACING_LEAD_MS }),
    limitsFor: async (accountId) => limitsFromAccount(await accounts.account(accountId)),
    maxWaitMs: env.OUTBOUND_MAX_WAIT_MS,
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
      logger.error('no access token for the sending account; the reply waits for it', {
        sqsMessageId: record.messageId,
        accountId: err.accountId,
        where: err.where,
      });
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
      consumeInvalidEvent(record, OUTBOUND_METRIC.eventInvalid, 'reply request', result.issues);
      return result;
    case 'missing_message':
      metrics.addMetric(OUTBOUND_METRIC.messageMissing, MetricUnit.Count, 1);
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
      metrics.addMetric(OUTBOUND_METRIC.alreadyDone, MetricUnit.Count, 1);
      return result;
    case 'outcome_unknown':
      metrics.addMetric(OUTBOUND_METRIC.outcomeUnknown, MetricUnit.Count, 1);
      logger.warn('reply not sent again: outcome of an earlier attempt unknown', { sqsMessageId: record.messageId, reason: result.reason });
      return result;
    case 'refused':
      metrics.addMetric(OUTBOUND_METRIC.refused, MetricUnit.Count, 1);
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
