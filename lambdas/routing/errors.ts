import { FinalError, RetryableError } from '#lambdas/shared/domain-error';
import type { RoutingConfigErrorCode } from '#lambdas/routing/config/routing-config-admin';

/** A change the store refused; the admin API answers 400 (invalid, unknown_queue), 404 or 409. */
export class RoutingConfigError extends FinalError {
  override name = 'RoutingConfigError';
  constructor(
    readonly code: RoutingConfigErrorCode,
    message: string,
    readonly details: { currentVersion?: number } = {},
  ) {
    super(message);
  }
}

/** A refusal worth another try: the conversation moved while the engine looked at it. */
export class RoutingRetryError extends RetryableError {
  override name = 'RoutingRetryError';
}
