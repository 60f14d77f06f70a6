import { describe, expect, it } from 'vitest';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { ChannelAccount } from '#lambdas/accounts/channel-account';
import { accountAccessTokens } from '#lambdas/outbound/access-tokens';
import { MissingAccessTokenError } from '#lambdas/outbound/errors';

const base = { channel: 'whatsapp' as const, status: 'active' as const, createdAt: 'x', updatedAt: 'x' };
const REGISTRY: Record<string, ChannelAccount> = {
  '101': { ...base, accountId: '101', businessId: 'acme', tokenSecretId: 'stack/account-tokens/waba-acme' },
  '102': { ...base, accountId: '102', businessId: 'acme', tokenSecretId: 'stack/account-tokens/waba-acme' },
  '201': { ...base, accountId: '201', businessId: 'globex', tokenSecretId: 'stack/account-tokens/waba-globex' },
  '301': { ...base, accountId: '301', businessId: 'initech' },
  '302': { ...base, accountId: '302', businessId: 'initech' },
  '401': { ...base, accountId: '401', businessId: 'hooli', tokenSecretId: 'stack/account-tokens/empty' },
};
const SECRETS: Record<string, Record<string, unknown>> = {
  shared: { '301': 'TOKEN-INITECH-301', default: 'TOKEN-DEFAULT' },
  'stack/account-tokens/waba-acme': { accessToken: 'TOKEN-ACME' },
  'stack/account-tokens/waba-globex': { accessToken: 'TOKEN-GLOBEX' },
  'stack/account-tokens/empty': {},
};

function setup(overrides: { read?: (id: string) => Promise<Record<string, unknown>> } = {}) {
  const reads: string[] = [];
  const accounts: AccountReader = { account: async (id) => REGISTRY[id], waba: async () => undefined };
  const read =
    overrides.read ??
    (async (id: string) => {
      reads.push(id);
      const secret = SECRETS[id];
      if (!secret) throw Object.assign(new Error('Secrets Manager cannot find the secret'), { name: 'ResourceNotFoundException' });
      return secret;
    });
  return { tokenFor: accountAccessTokens({ sharedSecretId: 'shared', accounts, read }), reads };
}

describe('accountAccessTokens', () => {
  it("sends each registered account with its own business's secret", async () => {
    const { tokenFor, reads } = setup();
    expect(await tokenFor('101')).toBe('TOKEN-ACME');
    expect(await tokenFor('102')).toBe('TOKEN-ACME');
    expect(await tokenFor('201')).toBe('TOKEN-GLOBEX');
    expect(reads).toEqual(['stack/account-tokens/waba-acme', 'stack/account-tokens/waba-acme', 'stack/account-tokens/waba-globex']);
  });

  it("uses a registered account's own entry in the shared map and never the default", async () => {
    const { tokenFor } = setup();
    expect(await tokenFor('301')).toBe('TOKEN-INITECH-301');
    const missing = await tokenFor('302').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MissingAccessTokenError);
    expect(missing).toMatchObject({ accountId: '302', where: 'shared_map' });
  });

  it('lets only an unregistered account fall back to the default token', async () => {
    const { tokenFor } = setup();
    expect(await tokenFor('999')).toBe('TOKEN-DEFAULT');
  });

  it('fails clearly, without any token, when the account secret holds none or cannot be read', async () => {
    const { tokenFor } = setup();
    await expect(tokenFor('401')).rejects.toMatchObject({ name: 'MissingAccessTokenError', where: 'account_secret' });
    const broken = setup({
      read: async (id) => {
        if (id === 'shared') return SECRETS.shared!;
        throw Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' });
      },
    });
    await expect(broken.tokenFor('101')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
