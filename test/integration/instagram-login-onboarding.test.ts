import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenSecretName, channelAccountKey } from '#lambdas/accounts/channel-account';
import { GraphApiError } from '#lambdas/adapters/graph-api-client';
import { createInstagramLoginApi, type InstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import { INSTAGRAM_TOKEN_INDEX_PK } from '#lambdas/instagram-login/instagram-token-store';
import { instagramLoginOnboardingRequestSchema } from '#lambdas/onboarding/onboarding-contract';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { instagramLoginProgressKey } from '#lambdas/onboarding/onboarding-progress';
import { onboardInstagramLoginAccount } from '#lambdas/onboarding/onboard-instagram-login-account';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { type OnboardingWorld, useOnboardingWorld } from '#test/helpers/onboarding-world';
import { OnboardingConflictError } from '#lambdas/onboarding/errors';

/**
 * Business Login for Instagram through the onboarding use case, against DynamoDB Local, the AWS
 * emulator's Secrets Manager and the Graph simulator's api.instagram.com and graph.instagram.com.
 */
const PREFIX = 'Omnichannel-iglogin';
const REDIRECT = 'https://shop.example/instagram';
const DAY_MS = 86_400_000;

const world = useOnboardingWorld(PREFIX);
let aws: OnboardingWorld['aws'];
let sim: OnboardingWorld['sim'];
let deps: OnboardingDeps;
let api: InstagramLoginApi;
beforeAll(() => {
  ({ aws, sim } = world);
});
beforeEach(() => {
  api = createInstagramLoginApi({ graphBaseUrl: sim.instagramGraphUrl, oauthBaseUrl: sim.instagramOAuthUrl, version: GRAPH_API_VERSION });
  deps = { ...world.deps, instagramLogin: api, instagramApp: async () => ({ appId: '910000000000001', appSecret: 'instagram-app-secret' }) };
});

interface Prospect {
  code: string;
  instagramAccountId: string;
  username: string;
}
const prospect = () => world.control<Prospect>('POST', 'instagram-login', { redirectUri: REDIRECT });
const newCode = async (ownerId: string) => (await world.control<{ code: string }>('POST', 'codes', { ownerId })).code;
const item = async (key: { pk: string; sk: string }) =>
  (await world.table.db.send(new GetCommand({ TableName: world.tableName, Key: key, ConsistentRead: true }))).Item;
const account = (id: string) => item(channelAccountKey(id));
const secret = (id: string): { accessToken: string } | undefined => {
  try {
    return JSON.parse(String(aws.secrets.getSecretValue(accountTokenSecretName(PREFIX, id)).secretString));
  } catch {
    return undefined;
  }
};
const stats = () => world.control<{ instagramLogin: { exchanges: number } }>('GET', 'stats');

describe('onboarding an Instagram account through Instagram Login', () => {
  it('exchanges the code for a long-lived token, learns the account from /me, claims, stores, subscribes and activates it with its expiry', async () => {
    const p = await prospect();
    const before = Date.now();
    const report = await onboardInstagramLoginAccount(deps, { businessId: 'loja-ig', code: `${p.code}#_`, redirectUri: REDIRECT });

    expect(report).toMatchObject({
      channel: 'instagram',
      api: 'instagram_login',
      status: 'active',
      accountId: p.instagramAccountId,
      health: { username: p.username },
    });
    expect(report.failure).toBeUndefined();
    const stored = secret(p.instagramAccountId);
    expect(stored?.accessToken).toMatch(/^IGAA/);
    const registered = await account(p.instagramAccountId);
    expect(registered).toMatchObject({
      channel: 'instagram',
      api: 'instagram_login',
      status: 'active',
      businessId: 'loja-ig',
      displayName: p.username,
      tokenSecretId: accountTokenSecretName(PREFIX, p.instagramAccountId),
      gsi2pk: INSTAGRAM_TOKEN_INDEX_PK,
    });
    // Sixty days from the exchange, as Meta said, and watched by the refresh under that expiry.
    const expiresAt = Date.parse(String(registered!.tokenExpiresAt));
    expect(expiresAt - before).toBeGreaterThan(59.9 * DAY_MS);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(60 * DAY_MS);
    expect(registered!.gsi2sk).toBe(`${registered!.tokenExpiresAt}#${p.instagramAccountId}`);
    expect((await world.control<{ subscribedFields: string[] }>('GET', `instagram-login/${p.instagramAccountId}`)).subscribedFields).toContain('messages');
    // The token works on graph.instagram.com as the account's own.
    expect((await api.me(stored!.accessToken, ['user_id'])).userId).toBe(p.instagramAccountId);
    expect(await item(instagramLoginProgressKey(p.instagramAccountId))).toMatchObject({
      businessId: 'loja-ig',
      api: 'instagram_login',
      steps: { activate_account: { status: 'done' } },
    });
    // The code went over the OAuth host once, in a form; the graph host got the rest.
    const hosts = sim
      .outbox()
      .filter((e) => e.host !== undefined)
      .map((e) => `${e.host} ${e.method}`);
    expect(hosts.filter((h) => h.startsWith('api.instagram.com'))).toEqual(['api.instagram.com POST']);
  });

  it('answers a refused code with the failure and advice, writing nothing', async () => {
    const p = await prospect();
    const report = await onboardInstagramLoginAccount(deps, { businessId: 'loja-ig', code: 'AQnot-a-code', redirectUri: REDIRECT });
    expect(report.status).toBe('onboarding');
    expect(report.failure).toMatchObject({
      step: 'exchange_token',
      message: expect.stringContaining('Invalid authorization code'),
      advice: expect.stringContaining('Business Login for Instagram again'),
    });
    expect(await account(p.instagramAccountId)).toBeUndefined();
    expect(secret(p.instagramAccountId)).toBeUndefined();
    // Nor for a login of another account than the one named.
    const named = await onboardInstagramLoginAccount(deps, {
      businessId: 'loja-ig',
      code: p.code,
      redirectUri: REDIRECT,
      instagramAccountId: '17842999999999',
    });
    expect(named.failure).toMatchObject({ step: 'exchange_token', message: expect.stringContaining(`was for Instagram account ${p.instagramAccountId}`) });
    expect(await account(p.instagramAccountId)).toBeUndefined();
    expect(await item(instagramLoginProgressKey('17842999999999'))).toBeUndefined();
  });

  it("refuses another business's account with 409 and leaves its registry item and token as they were", async () => {
    const p = await prospect();
    expect((await onboardInstagramLoginAccount(deps, { businessId: 'owner', code: p.code, redirectUri: REDIRECT })).status).toBe('active');
    const owned = { item: await account(p.instagramAccountId), token: secret(p.instagramAccountId) };
    const again = await newCode(p.instagramAccountId);
    await expect(onboardInstagramLoginAccount(deps, { businessId: 'intruder', code: again, redirectUri: REDIRECT })).rejects.toBeInstanceOf(
      OnboardingConflictError,
    );
    expect(await account(p.instagramAccountId)).toEqual(owned.item);
    expect(secret(p.instagramAccountId)).toEqual(owned.token);
  });

  it('resumes without a new code at the step that failed, naming the account', async () => {
    const p = await prospect();
    const failingOnce: InstagramLoginApi = {
      ...api,
      subscribe: async () => {
        throw new GraphApiError('An unexpected error has occurred. Please retry your request later.', { httpStatus: 500, code: 2, isTransient: true });
      },
    };
    const exchangesBefore = (await stats()).instagramLogin.exchanges;
    const first = await onboardInstagramLoginAccount({ ...deps, instagramLogin: failingOnce }, { businessId: 'loja-ig', code: p.code, redirectUri: REDIRECT });
    expect(first).toMatchObject({ status: 'onboarding', failure: { step: 'subscribe_webhooks', code: 2 } });
    expect(await account(p.instagramAccountId)).toMatchObject({ status: 'onboarding', businessId: 'loja-ig' });

    const second = await onboardInstagramLoginAccount(deps, { businessId: 'loja-ig', instagramAccountId: p.instagramAccountId });
    expect(second).toMatchObject({ status: 'active', steps: { exchange_token: { status: 'done' }, subscribe_webhooks: { status: 'done' } } });
    expect((await stats()).instagramLogin.exchanges).toBe(exchangesBefore + 1);
    // Another business cannot resume it.
    await expect(onboardInstagramLoginAccount(deps, { businessId: 'intruder', instagramAccountId: p.instagramAccountId })).rejects.toBeInstanceOf(
      OnboardingConflictError,
    );
  });

  it('brings an account waiting for a new login back with a new code: new token, watched again', async () => {
    const p = await prospect();
    await onboardInstagramLoginAccount(deps, { businessId: 'loja-ig', code: p.code, redirectUri: REDIRECT });
    const oldToken = secret(p.instagramAccountId)!.accessToken;
    // What the refresh job does when Meta refuses the token.
    await world.table.db.send(
      new UpdateCommand({
        TableName: world.tableName,
        Key: channelAccountKey(p.instagramAccountId),
        UpdateExpression: 'SET #s = :n, needsReauthorisation = :t REMOVE gsi2pk, gsi2sk',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':n': 'needs_reauthorisation', ':t': true },
      }),
    );
    const report = await onboardInstagramLoginAccount(deps, { businessId: 'loja-ig', code: await newCode(p.instagramAccountId), redirectUri: REDIRECT });
    expect(report.status).toBe('active');
    const after = await account(p.instagramAccountId);
    expect(after).toMatchObject({ status: 'active', gsi2pk: INSTAGRAM_TOKEN_INDEX_PK });
    expect(after!.needsReauthorisation).toBeUndefined();
    expect(secret(p.instagramAccountId)!.accessToken).not.toBe(oldToken);
  });

  it('checks the request: a code needs the redirect URI, a resume needs the account', () => {
    const parse = (body: unknown) => instagramLoginOnboardingRequestSchema.safeParse(body);
    expect(parse({ businessId: 'loja-ig', code: 'AQ' }).success).toBe(false);
    expect(parse({ businessId: 'loja-ig' }).success).toBe(false);
    expect(parse({ businessId: 'loja-ig', instagramAccountId: '../1' }).success).toBe(false);
    expect(parse({ businessId: 'loja ig', code: 'AQ', redirectUri: REDIRECT }).success).toBe(false);
    expect(parse({ businessId: 'loja-ig', code: 'AQ', redirectUri: 'not a url' }).success).toBe(false);
    expect(parse({ businessId: 'loja-ig', code: 'AQ', redirectUri: REDIRECT }).success).toBe(true);
    expect(parse({ businessId: 'loja-ig', instagramAccountId: '17842000000001' }).success).toBe(true);
  });
});
