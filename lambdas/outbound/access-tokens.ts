import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import { MissingAccessTokenError } from '#lambdas/outbound/errors';

export type AccessTokenFor = (accountId: string) => Promise<string>;

type ReadSecret = (id: string) => Promise<Record<string, unknown>>;
const readSecretJson: ReadSecret = (id) => readJsonSecret<Record<string, unknown>>(id);

function usable(token: unknown): token is string {
  return typeof token === 'string' && token.length > 0;
}

/**
 * Tokens live in one JSON secret `{ "<accountId>": "<token>", "default": "<token>" }`, cached by
 * readJsonSecret for a few minutes so a rotated or re-authorised token is picked up soon.
 */
export function accessTokensFromSecret(secretId: string, read: ReadSecret = readSecretJson): AccessTokenFor {
  return async (accountId) => {
    const tokens = await read(secretId);
    const token = tokens[accountId] ?? tokens.default;
    if (!usable(token)) throw new MissingAccessTokenError(accountId);
    return token;
  };
}

/**
 * Each business sends with its own token, never another's:
 * - a registered account with `tokenSecretId` uses that secret's `accessToken`;
 * - a registered account without one uses its own entry in the shared map, never `default`
 *   (the default belongs to whoever set up a single-business deployment);
 * - only an account the registry does not know (single-business setups, a reply typed by a person
 *   into a conversation of an unregistered number) falls back to its entry or `default`.
 * Secret and registry read failures propagate: the send is retried, never made with a guess.
 */
export function accountAccessTokens(options: { sharedSecretId: string; accounts: AccountReader; read?: ReadSecret }): AccessTokenFor {
  const read = options.read ?? readSecretJson;
  const shared = accessTokensFromSecret(options.sharedSecretId, read);
  return async (accountId) => {
    const account = await options.accounts.account(accountId);
    if (!account) return shared(accountId);
    if (account.tokenSecretId) {
      const secret = await read(account.tokenSecretId);
      if (!usable(secret.accessToken)) throw new MissingAccessTokenError(accountId, 'account_secret');
      return secret.accessToken;
    }
    const own = (await read(options.sharedSecretId))[accountId];
    if (!usable(own)) throw new MissingAccessTokenError(accountId);
    return own;
  };
}
