import { FinalError, RetryableError } from '#lambdas/shared/domain-error';

/**
 * Other wake-ups kept changing the conversation while this one tried to claim its reply.
 * Retryable: the next delivery reads the settled conversation.
 */
export class ConversationBusyError extends RetryableError {
  override name = 'ConversationBusyError';
  constructor(readonly rounds: number) {
    super(`conversation changed under the agent ${rounds} times in a row`);
  }
}

/**
 * The customer may still be writing: the wake-up comes back once they have been quiet for the
 * reply quiet period (quiet-period.ts). Not a failure; the queue consumer brings the record back
 * after `retryAfterMs` without logging it as one.
 */
export class QuietPeriodWait extends RetryableError {
  override name = 'QuietPeriodWait';
  constructor(readonly retryAfterMs: number) {
    super(`waiting ${retryAfterMs} ms for the customer to finish writing`);
  }
}

/** An echo arrived while one of our own sends was in flight: it may be that send's echo. Retryable. */
export class EchoOwnerUnknownError extends RetryableError {
  override name = 'EchoOwnerUnknownError';
  constructor() {
    super('an echo arrived while a send of ours was in flight; retry once the send is recorded');
  }
}

/** The model went round the tool loop without ever answering. */
export class AssistantGaveNoAnswerError extends FinalError {
  override name = 'AssistantGaveNoAnswerError';
}
