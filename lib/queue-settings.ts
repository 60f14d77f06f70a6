import { Duration } from 'aws-cdk-lib';

/** SQS's maximum: a message (and the claim-check body it points at) survives two weeks of outage. */
export const QUEUE_RETENTION = Duration.days(14);

/** Receives before a message is parked in its dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** AWS's advice for SQS-triggered Lambdas: visibility at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function visibilityTimeoutFor(functionTimeout: Duration): Duration {
  return Duration.seconds(functionTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
}
