import { FinalError, RetryableError } from '#lambdas/shared/domain-error';

/**
 * The send must wait longer than the sender may wait inside one invocation. Nothing was claimed or
 * sent; the record goes back to the queue and is tried again later.
 */
export class SendDeferredError extends RetryableError {
  override name = 'SendDeferredError';
  constructor(
    readonly retryAfterMs: number,
    readonly cause_: 'pair_limit' | 'number_limit' | 'backoff' | 'deadline',
  ) {
    super(`send deferred by ${cause_} for ${Math.ceil(retryAfterMs)} ms`);
  }
}

/**
 * No token for the account: a configuration problem (a secret not filled in, an account
 * registered without its token). Thrown before anything is claimed or sent, so the reply stays
 * pending and is retried until someone fixes it or the record reaches its dead-letter queue.
 */
export class MissingAccessTokenError extends RetryableError {
  override name = 'MissingAccessTokenError';
  constructor(
    readonly accountId: string,
    readonly where: 'shared_map' | 'account_secret' = 'shared_map',
  ) {
    super(
      where === 'account_secret'
        ? `the token secret of account ${accountId} holds no accessToken`
        : `no access token for account ${accountId} in the shared access-token secret`,
    );
  }
}

/**
 * A success status whose body does not name the sent message. Meta may or may not have sent it,
 * so the sender must not simply try again.
 */
export class UnexpectedSendResponseError extends FinalError {
  override name = 'UnexpectedSendResponseError';
}
