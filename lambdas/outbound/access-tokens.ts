import { readJsonSecret } from '#lambdas/adapters/secrets';

/** No token for the account and no default: a configuration problem, retried until fixed. */
export class MissingAccessTokenError extends Error {
  override name = 'MissingAccessTokenError';
  constructor(readonly accountId: string) {
    super(`no access token for account ${accountId} and no default`);
  }
}

export type AccessTokenFor = (accountId: string) => Promise<string>;

/**
 * Tokens live in one JSON secret `{ "<accountId>": "<token>", "default": "<token>" }`, cached by
 * readJsonSecret for a few minutes so a rotated or re-authorised token is picked up soon.
 */
export function accessTokensFromSecret(
  secretId: string,
  read: (id: string) => Promise<Record<string, unknown>> = (id) => readJsonSecret<Record<string, unknown>>(id),
): AccessTokenFor {
  return async (accountId) => {
    const tokens = await read(secretId);
    const token = tokens[accountId] ?? tokens.default;
    if (typeof token !== 'string' || token.length === 0) throw new MissingAccessTokenError(accountId);
    return token;
  };
}
