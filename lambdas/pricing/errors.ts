import { FinalError, RetryableError } from '#lambdas/shared/domain-error';

export class SpendAdminError extends FinalError {
  override name = 'SpendAdminError';
  constructor(
    readonly code: 'invalid' | 'version_conflict',
    message: string,
    readonly details: { currentVersion?: number } = {},
  ) {
    super(message);
  }
}

/** The month's add did not happen: the caller takes the message's price back so a retry counts it. */
export class SpendNotCountedError extends RetryableError {
  override name = 'SpendNotCountedError';
  constructor(options: { cause: unknown }) {
    super('the charge was not added to the month', options);
  }
}

export class InvalidRateCardError extends FinalError {
  constructor(readonly issues: string[]) {
    super(`invalid rate card: ${issues.slice(0, 5).join('; ')}`);
    this.name = 'InvalidRateCardError';
  }
}
