import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import type { AccessTokenFor } from '#lambdas/outbound/access-tokens';
import { MissingAccessTokenError } from '#lambdas/outbound/errors';

/**
 * The token that reads a WABA's templates: the business integration token onboarding stored for
 * the WABA (`tokenSecretId` on its registry item); otherwise the outbound sender's own resolution
 * asked with the WABA id (its entry in the shared map, or `default` for single-business setups).
 * A WABA's templates are never read with another business's token.
 */
export function wabaAccessTokens(options: {
  accounts: Pick<AccountReader, 'waba'>;
  accountTokenFor: AccessTokenFor;
  read?: (id: string) => Promise<Record<string, unknown>>;
}): AccessTokenFor {
  const read = options.read ?? ((id: string) => readJsonSecret<Record<string, unknown>>(id));
  return async (wabaId) => {
    const waba = await options.accounts.waba(wabaId);
    if (!waba?.tokenSecretId) return options.accountTokenFor(wabaId);
    const token = (await read(waba.tokenSecretId)).accessToken;
    if (typeof token !== 'string' || token.length === 0) throw new MissingAccessTokenError(wabaId, 'account_secret');
    return token;
  };
}
