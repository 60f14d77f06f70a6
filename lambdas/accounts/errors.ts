import { FinalError } from '#lambdas/shared/domain-error';

/** A cursor is refused when it is not one this store handed out. */
export class InvalidAccountsCursorError extends FinalError {
  override name = 'InvalidAccountsCursorError';
}
