/**
 * An error the emulated service answers with, in the terms the real service uses, so that the SDK
 * raises the same named exception (QueueDoesNotExist, ResourceNotFoundException, NoSuchKey...).
 */
export class AwsServiceError extends Error {
  override name = 'AwsServiceError';
  /** Short error name, as in the JSON `__type` (after the `#`) or the S3 `<Code>`. */
  readonly code: string;
  readonly statusCode: number;
  /** SQS answers JSON but keeps its old query error codes in `x-amzn-query-error`; the SDK maps them back. */
  readonly queryErrorCode: string | undefined;
  readonly senderFault: boolean;
  /** Extra fields some errors carry in their body (the S3 `<Key>`, for instance). */
  readonly extra: Record<string, string>;

  constructor(
    code: string,
    message: string,
    options: { statusCode?: number; queryErrorCode?: string; senderFault?: boolean; extra?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.statusCode = options.statusCode ?? 400;
    this.queryErrorCode = options.queryErrorCode;
    this.senderFault = options.senderFault ?? this.statusCode < 500;
    this.extra = options.extra ?? {};
  }
}

export function isAwsServiceError(err: unknown): err is AwsServiceError {
  return err instanceof AwsServiceError;
}
