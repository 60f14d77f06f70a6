import { describe, expect, it } from 'vitest';
import { accessTokensFromSecret } from '#lambdas/outbound/access-tokens';
import { MissingAccessTokenError } from '#lambdas/outbound/errors';

describe('accessTokensFromSecret', () => {
  const secret = async (id: string) => {
    if (id !== 'tokens-secret') throw new Error('wrong secret');
    return { '100': 'TOKEN-100', default: 'TOKEN-DEFAULT' };
  };

  it('uses the account token, else the default', async () => {
    const tokenFor = accessTokensFromSecret('tokens-secret', secret);
    expect(await tokenFor('100')).toBe('TOKEN-100');
    expect(await tokenFor('200')).toBe('TOKEN-DEFAULT');
  });

  it('fails loudly when neither exists', async () => {
    const tokenFor = accessTokensFromSecret('tokens-secret', async () => ({ '100': 'T' }));
    await expect(tokenFor('200')).rejects.toBeInstanceOf(MissingAccessTokenError);
  });
});
