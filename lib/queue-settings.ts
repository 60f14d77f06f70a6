import { Duration } from 'aws-cdk-lib';

/** SQS's maximum: a message (and the claim-check body it points at) survives two weeks of outage. */
export const QUEUE_RETENTION = Duration.days(14);

/**
 * Receives before a record is parked in its queue's dead-letter queue (the ingress FIFO and every
 * event consumer). Failed records come back after a growing backoff (lambdas/shared/record-retry.ts:
 * 5 s, 15 s, 45 s, 135 s, then 300 s), so eight receives spread the retries over about 18 minutes —
 * long enough to ride out a short outage of DynamoDB, Meta or Anthropic. A send deferred by pacing
 * also spends a receive; at the default limits a reply is deferred at most once or twice.
 */
export const CONSUMER_MAX_RECEIVE_COUNT = 8;

/** AWS's advice for SQS-triggered Lambdas: visibility at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function visibilityTimeoutFor(functionTimeout: Duration): Duration {
  return Duration.seconds(functionTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
}
