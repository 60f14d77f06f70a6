import { OperatorRequestError } from '#lambdas/identity/errors';

/**
 * A refusal of a contacts route with what the caller needs to act on it (the contact that owns an
 * identity, the version now stored), answered as `{ error, message, ...details }`.
 */
export class ContactRequestError extends OperatorRequestError {
  override name = 'ContactRequestError';
  constructor(
    status: 400 | 403 | 404 | 409,
    code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(status, code, message);
  }
}
