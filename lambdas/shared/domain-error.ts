/**
 * The two kinds of error the project throws on purpose.
 *
 * A RetryableError says the same input may succeed later: a race was lost, a dependency is not
 * ready yet, a service is throttling. An event consumer lets the message be retried.
 *
 * A FinalError says retrying cannot help: the input is invalid, a rule refused it, or there is a
 * conflict only the caller can resolve.
 *
 * `retryable` is an accessor so that an error whose kind depends on the failure (an AWS or Graph
 * API answer) can override it per instance.
 */
export abstract class RetryableError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  get retryable(): boolean {
    return true;
  }
}

export abstract class FinalError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  get retryable(): boolean {
    return false;
  }
}

/** Whether trying the same input again may help; an unknown failure is worth retrying. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryableError || err instanceof FinalError) return err.retryable;
  return true;
}
