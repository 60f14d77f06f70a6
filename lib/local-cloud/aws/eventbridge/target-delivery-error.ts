import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

/**
 * A failed delivery to a target that says itself whether EventBridge retries it, and may carry
 * the endpoint's `Retry-After` wish. `code` and `message` become the dead-letter message's
 * ERROR_CODE and ERROR_MESSAGE.
 */
export class TargetDeliveryError extends AwsServiceError {
  override name = 'TargetDeliveryError';
  readonly retryable: boolean;
  /** The endpoint's Retry-After, in milliseconds; a negative one stops the retries. */
  readonly retryAfterMs: number | undefined;
  /** The HTTP status the endpoint answered, when it answered. */
  readonly httpStatus: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number | undefined; httpStatus?: number | undefined; cause?: unknown },
  ) {
    super(code, message, { statusCode: options.retryable ? 500 : 400 });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.httpStatus = options.httpStatus;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

export function isTargetDeliveryError(err: unknown): err is TargetDeliveryError {
  return err instanceof TargetDeliveryError;
}
