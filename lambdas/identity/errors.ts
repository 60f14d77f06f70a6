import { FinalError } from '#lambdas/shared/domain-error';

/** A refusal an operator can act on; `status` is what the API answers with, `code` a stable word. */
export class OperatorRequestError extends FinalError {
  override name = 'OperatorRequestError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
