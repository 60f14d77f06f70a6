import { RetryableError } from '#lambdas/shared/domain-error';

export class EnqueueError extends RetryableError {
  override name = 'EnqueueError';
  constructor(
    message: string,
    readonly failedEventIds: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
