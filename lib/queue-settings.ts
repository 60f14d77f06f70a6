import { Duration } from 'aws-cdk-lib';

/** SQS's maximum: a message (and the claim-check body it points at) survives two weeks of outage. */
export const QUEUE_RETENTION = Duration.days(14);

/** Receives before a message is parked in its dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * Receives before an event consumer's record is parked. Consumers bring a failed record back after
 * a growing backoff (lambdas/shared/record-retry.ts: 5 s, 15 s, 45 s, 135 s, then 300 s), so eight
 * receives spread the retries over about 18 minutes — long enough to ride out a short outage of
 * Meta or Anthropic. A send deferred by pacing also spends a receive; at the default limits a reply
 * is deferred at most once or twice.
 */
export const CONSUMER_MAX_RECEIVE_COUNT = 8;

/** AWS's advice for SQS-triggered Lambdas: visibility at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function visibilityTimeoutFor(functionTimeout: Duration): Duration {
  return Duration.seconds(functionTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
}
