import { FinalError, RetryableError } from '#lambdas/shared/domain-error';
import type { GraphApiError } from '#lambdas/adapters/graph-api-client';

/** Another run of the same onboarding wrote in between; the caller reports it rather than overwrite. */
export class ConcurrentOnboardingError extends RetryableError {
  override name = 'ConcurrentOnboardingError';
}

/** A step that could not finish for a reason of ours (no code, health not yet good), with advice. */
export class OnboardingStepError extends FinalError {
  override name = 'OnboardingStepError';
  constructor(
    message: string,
    readonly advice: string,
  ) {
    super(message);
  }
}

/**
 * The new token could not show that the business may onboard the account it named: Meta refused
 * to let it read the WABA or Page (`metaError`), or the number or Instagram account is not one of
 * that WABA's or Page's. Nothing has been written when this is thrown.
 */
export class AccessNotProven extends OnboardingStepError {
  override name = 'AccessNotProven';
  constructor(
    message: string,
    advice: string,
    readonly metaError?: GraphApiError,
  ) {
    super(message, advice);
  }
}

/** The account, WABA or Page belongs to (or is being onboarded for) another business; answered 409. */
export class OnboardingConflictError extends FinalError {
  override name = 'OnboardingConflictError';
}

/** The post-onboarding health check found something not yet right; what Meta reported is kept. */
export class HealthCheckFailed extends OnboardingStepError {
  override name = 'HealthCheckFailed';
  constructor(
    message: string,
    advice: string,
    readonly health: Record<string, unknown>,
  ) {
    super(message, advice);
  }
}
