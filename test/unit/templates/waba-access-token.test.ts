import { describe, expect, it } from 'vitest';
import { wabaAccessTokens } from '#lambdas/templates/waba-access-token';
import { MissingAccessTokenError } from '#lambdas/outbound/errors';

describe("the token that reads a WABA's templates", () => {
  const secrets: Record<string, Record<string, unknown>> = { 'p/account-tokens/111': { accessToken: 'token-of-111' }, 'p/account-tokens/222': {} };
  const tokens = wabaAccessTokens({
    accounts: {
      waba: async (id) =>
        id === '333' ? ({ wabaId: id, businessId: 'b' } as never) : ({ wabaId: id, businessId: 'b', tokenSecretId: `p/account-tokens/${id}` } as never),
    },
    accountTokenFor: async (id) => `shared-${id}`,
    read: async (id) => secrets[id] ?? {},
  });

  it("is the WABA's own secret when onboarding stored one, else the shared resolution", async () => {
    expect(await tokens('111')).toBe('token-of-111');
    expect(await tokens('333')).toBe('shared-333');
  });

  it("never falls back to another token when the WABA's own secret is empty", async () => {
    await expect(tokens('222')).rejects.toBeInstanceOf(MissingAccessTokenError);
  });
});
