import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenSecretName, channelAccountKey } from '#lambdas/accounts/channel-account';
import { createInstagramLoginApi, type InstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import { dynamoInstagramTokenStore, INSTAGRAM_TOKEN_INDEX_PK, type InstagramTokenStore } from '#lambdas/instagram-login/instagram-token-store';
import { refreshInstagramTokens, type RefreshTokensDeps } from '#lambdas/instagram-login/refresh-instagram-tokens';
import { secretsManagerTokenVersions } from '#lambdas/onboarding/account-token-store';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { onboardInstagramLoginAccount } from '#lambdas/onboarding/onboard-instagram-login-account';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { freePort } from '#lib/local-cloud/free-port';
import { type OnboardingWorld, useOnboardingWorld } from '#test/helpers/onboarding-world';

/**
 * The daily refresh of Instagram Login tokens, against DynamoDB Local, the AWS emulator's Secrets
 * Manager and the Graph simulator's graph.instagram.com. Accounts are onboarded for real, then
 * made older: their registry expiry brought near, the simulator's tokens aged to match.
 */
const PREFIX = 'Omnichannel-igrefresh';
const REDIRECT = 'https://shop.example/instagram';
const DAY_MS = 86_400_000;

const world = useOnboardingWorld(PREFIX);
let aws: OnboardingWorld['aws'];
let sim: OnboardingWorld['sim'];
let deps: OnboardingDeps;
let api: InstagramLoginApi;
let store: InstagramTokenStore;
let refreshDeps: RefreshTokensDeps;
let secretsClient: SecretsManagerClient;

beforeAll(() => {
  ({ aws, sim } = world);
  secretsClient = new SecretsManagerClient(aws.clientConfig());
});
afterAll(() => secretsClient?.destroy());
beforeEach(() => {
  api = createInstagramLoginApi({ graphBaseUrl: sim.instagramGraphUrl, oauthBaseUrl: sim.instagramOAuthUrl, version: GRAPH_API_VERSION });
  deps = { ...world.deps, instagramLogin: api, instagramApp: async () => ({ appId: '910000000000001', appSecret: 'instagram-app-secret' }) };
  store = dynamoInstagramTokenStore(world.table.db, world.tableName);
  refreshDeps = { store, secrets: secretsManagerTokenVersions(secretsClient), api };
});

const account = async (id: string) =>
  (await world.table.db.send(new GetCommand({ TableName: world.tableName, Key: channelAccountKey(id), ConsistentRead: true }))).Item!;
const token = (id: string) => JSON.parse(String(aws.secrets.getSecretValue(accountTokenSecretName(PREFIX, id)).secretString)).accessToken as string;
const refreshes = async () => (await world.control<{ instagramLogin: { refreshes: number } }>('GET', 'stats')).instagramLogin.refreshes;

/** An onboarded Instagram Login account whose token was issued `ageDays` ago (here and at the simulator). */
async function onboarded(ageDays: number): Promise<string> {
  const p = await world.control<{ code: string; instagramAccountId: string }>('POST', 'instagram-login', { redirectUri: REDIRECT });
  const report = await onboardInstagramLoginAccount(deps, { businessId: 'loja-ig', code: p.code, redirectUri: REDIRECT });
  expect(report.status).toBe('active');
  if (ageDays > 0) {
    await world.control('POST', `instagram-login/${p.instagramAccountId}`, { ageHours: ageDays * 24 });
    const now = Date.now();
    await store.recordToken(
      p.instagramAccountId,
      { expiresAt: new Date(now + (60 - ageDays) * DAY_MS).toISOString(), issuedAt: new Date(now - ageDays * DAY_MS).toISOString() },
      new Date(now).toISOString(),
    );
  }
  return p.instagramAccountId;
}

describe('the Instagram token refresh', () => {
  it('renews a token with fewer than ten days left: a new secret version, the new expiry recorded and watched', async () => {
    const id = await onboarded(53);
    const before = { token: token(id), item: await account(id), refreshes: await refreshes() };
    const summary = await refreshInstagramTokens(refreshDeps);

    expect(summary).toMatchObject({ looked: 1, outcomes: { refreshed: 1 }, needReauthorisation: [], deferred: 0 });
    expect(await refreshes()).toBe(before.refreshes + 1);
    const renewed = token(id);
    expect(renewed).not.toBe(before.token);
    expect((await api.me(renewed, ['user_id'])).userId).toBe(id);
    const after = await account(id);
    expect(Date.parse(after.tokenExpiresAt) - Date.now()).toBeGreaterThan(59 * DAY_MS);
    expect(Date.now() - Date.parse(after.tokenIssuedAt)).toBeLessThan(60_000);
    expect(after).toMatchObject({ status: 'active', gsi2pk: INSTAGRAM_TOKEN_INDEX_PK, gsi2sk: `${after.tokenExpiresAt}#${id}` });
    // Not due any more: the next run does not even look at it.
    expect(await refreshInstagramTokens(refreshDeps)).toMatchObject({ looked: 0, outcomes: {} });
  });

  it('leaves tokens alone while more than ten days are left, or while younger than a day', async () => {
    const fresh = await onboarded(0);
    const young = await onboarded(0);
    // Due by its expiry but issued an hour ago: Meta would refuse, so Meta is not asked.
    await store.recordToken(
      young,
      { expiresAt: new Date(Date.now() + 5 * DAY_MS).toISOString(), issuedAt: new Date(Date.now() - 3_600_000).toISOString() },
      new Date().toISOString(),
    );
    const calls = await refreshes();
    const summary = await refreshInstagramTokens(refreshDeps);
    expect(summary).toMatchObject({ looked: 1, outcomes: { too_young: 1 } });
    expect(await refreshes()).toBe(calls);
    expect((await account(fresh)).status).toBe('active');
  });

  it('marks the account needs_reauthorisation, unwatched, when Meta refuses the token or it has expired', async () => {
    const revoked = await onboarded(55);
    await world.control('POST', `instagram-login/${revoked}`, { revoked: true });
    const expired = await onboarded(0);
    await store.recordToken(
      expired,
      { expiresAt: new Date(Date.now() - 60_000).toISOString(), issuedAt: new Date(Date.now() - 60 * DAY_MS).toISOString() },
      new Date().toISOString(),
    );

    const summary = await refreshInstagramTokens(refreshDeps);
    expect(summary.outcomes).toEqual({ needs_reauthorisation: 2 });
    expect(summary.needReauthorisation.sort()).toEqual([revoked, expired].sort());
    const refused = await account(revoked);
    expect(refused).toMatchObject({
      status: 'needs_reauthorisation',
      needsReauthorisation: true,
      reauthorisationReason: 'token_refused',
      lastTokenRefreshErrorCode: 190,
    });
    expect(refused.gsi2pk).toBeUndefined();
    expect(await account(expired)).toMatchObject({ status: 'needs_reauthorisation', reauthorisationReason: 'token_expired' });
    expect(await refreshInstagramTokens(refreshDeps)).toMatchObject({ looked: 0 });
  });

  it('counts a refresh Meta could not answer and tries again the next run, the account still serving', async () => {
    const id = await onboarded(52);
    const closed = await freePort();
    const unreachable = createInstagramLoginApi({
      graphBaseUrl: `http://127.0.0.1:${closed}`,
      oauthBaseUrl: `http://127.0.0.1:${closed}`,
      version: GRAPH_API_VERSION,
      timeoutMs: 2_000,
    });
    const summary = await refreshInstagramTokens({ ...refreshDeps, api: unreachable });
    expect(summary.outcomes).toEqual({ refresh_failed: 1 });
    expect(await account(id)).toMatchObject({ status: 'active', tokenRefreshFailures: 1, gsi2pk: INSTAGRAM_TOKEN_INDEX_PK });
    // The next run, Meta answering again, renews it and clears the count.
    expect((await refreshInstagramTokens(refreshDeps)).outcomes).toEqual({ refreshed: 1 });
    expect((await account(id)).tokenRefreshFailures).toBeUndefined();
  });

  it('stops watching an account that was offboarded, and records nothing over a token another run renewed', async () => {
    const gone = await onboarded(55);
    await world.table.db.send(
      new UpdateCommand({
        TableName: world.tableName,
        Key: channelAccountKey(gone),
        UpdateExpression: 'SET #s = :o',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':o': 'offboarded' },
      }),
    );
    expect((await refreshInstagramTokens(refreshDeps)).outcomes).toEqual({ skipped: 1 });
    expect((await account(gone)).gsi2pk).toBeUndefined();

    const raced = await onboarded(0);
    const current = (await account(raced)).tokenExpiresAt as string;
    expect(
      await store.recordToken(
        raced,
        { expiresAt: new Date().toISOString(), issuedAt: new Date().toISOString(), previousExpiresAt: '2020-01-01T00:00:00.000Z' },
        new Date().toISOString(),
      ),
    ).toBe(false);
    expect((await account(raced)).tokenExpiresAt).toBe(current);
  });

  it('stops taking accounts when the invocation is about to end, and says how many are left', async () => {
    await onboarded(55);
    await onboarded(55);
    const summary = await refreshInstagramTokens({ ...refreshDeps, remainingMs: () => 1_000, reserveMs: 15_000 });
    expect(summary).toMatchObject({ looked: 0, deferred: 2 });
    expect((await refreshInstagramTokens(refreshDeps)).outcomes).toEqual({ refreshed: 2 });
  });
});
