import { FinalError, RetryableError } from '#lambdas/shared/domain-error';
import { MAX_CAMPAIGN_RECIPIENTS } from '#lambdas/campaigns/audience/audience-types';

/** Another writer added to the same list at the same time; building the list again continues it. */
export class RecipientListChangedError extends RetryableError {
  override name = 'RecipientListChangedError';
  constructor() {
    super('The recipient list changed while it was being written; try again');
  }
}

/** A refusal an operator can act on; `status` is what the API answers with, `code` a stable word. */
export class CampaignRequestError extends FinalError {
  override name = 'CampaignRequestError';
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A file the audience cannot be read from at all (no header, no phone column, a missing variable column, too many rows). */
export class CsvAudienceError extends FinalError {
  override name = 'CsvAudienceError';
}

/** The audience is larger than a campaign may be. */
export class AudienceTooLargeError extends FinalError {
  override name = 'AudienceTooLargeError';
  constructor(readonly limit: number = MAX_CAMPAIGN_RECIPIENTS) {
    super(`The audience has more than ${limit.toLocaleString('en')} customers; narrow it (tags, attributes) or split it into several campaigns`);
  }
}

export class EnqueueFailedError extends RetryableError {
  override name = 'EnqueueFailedError';
}
