import { RetryableError } from '#lambdas/shared/domain-error';
import { METRICS_ATTEMPTS } from '#lambdas/status/conversation-metrics';

/**
 * A receipt names a message the table does not hold yet: the send that produced it may still be
 * writing its provider id (a receipt can beat the sender's own write). Retryable.
 */
export class MessageNotYetKnownError extends RetryableError {
  override name = 'MessageNotYetKnownError';
  constructor(
    readonly providerMessageIds: string[],
    readonly receiveCount: number,
  ) {
    super(`${providerMessageIds.length} message(s) not known yet (receive ${receiveCount})`);
  }
}

export class ConversationMetricsContendedError extends RetryableError {
  override name = 'ConversationMetricsContendedError';
  constructor() {
    super(`conversation metrics kept changing during ${METRICS_ATTEMPTS} attempts; the receipt will be retried`);
  }
}
