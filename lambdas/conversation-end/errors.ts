import { RetryableError } from '#lambdas/shared/domain-error';
import type { EndSweepSummary } from '#lambdas/conversation-end/end-quiet-conversations';

/** Some conversations of a bucket could not be looked at: the cursor stays before it and the next run reads it again. */
export class EndSweepIncompleteError extends RetryableError {
  override name = 'EndSweepIncompleteError';
  constructor(
    readonly summary: EndSweepSummary,
    override readonly cause?: unknown,
  ) {
    super(`${summary.failed} conversation(s) could not be looked at; the bucket after ${summary.sweptThrough ?? 'the cursor'} is read again next run`);
  }
}
