import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenSecretName } from '#lambdas/accounts/channel-account';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { saveBotSettings } from '#lambdas/bot-settings/bot-settings-store';
import { dynamoInstagramTokenStore, INSTAGRAM_TOKEN_INDEX_PK } from '#lambdas/instagram-login/instagram-token-store';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { eventually, LocalCloudHarness, type OutboxEntry } from '#test/e2e/local-cloud-harness';

/**
 * An Instagram professional account connected through Business Login for Instagram (no Facebook
 * Page), end to end through the local cloud: the onboarding API exchanges the code on the
 * simulator's api.instagram.com and graph.instagram.com, registers the account with
 * `api: instagram_login`, stores its long-lived token and subscribes it; a customer's direct
 * message arrives signed with the Instagram app secret; the bot's answer leaves through
 * graph.instagram.com with the account's own token; the daily refresh renews the token.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
const BUSINESS = 'loja-insta';
const REDIRECT = 'https://loja.example/instagram/callback';
let platform = '';

beforeAll(async () => {
  await harness.start();
  platform = await harness.operatorToken({ roles: ['platform'] });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function api(method: 'GET' | 'POST', path: string, body?: unknown, query?: Record<string, string>) {
  const res = await fetch(`${harness.cloud.apiUrl}${path}${query ? `?${new URLSearchParams(query)}` : ''}`, {
    method,
    headers: { authorization: `Bearer ${platform}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function simulator(method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${harness.cloud.graphUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`simulator refused ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);
const storedToken = (accountId: string) =>
  (JSON.parse(String(harness.cloud.aws.secrets.getSecretValue(accountTokenSecretName('Omnichannel-local', accountId)).secretString)) as { accessToken: string })
    .accessToken;

/** The business's replies to one customer, as the simulator recorded them. */
async function repliesTo(customerId: string): Promise<OutboxEntry[]> {
  return (await harness.outbox()).filter(
    (e) => e.method === 'POST' && (e.body as { recipient?: { id?: string } } | undefined)?.recipient?.id === customerId && e.path.endsWith('/messages'),
  );
}

describe('an Instagram account onboarded with Instagram Login', () => {
  let accountId = '';

  it('is onboarded through the API: code → short-lived → long-lived token → registry → subscribed', async () => {
    const prospect = await simulator('POST', '/_sim/onboarding/instagram-login', { username: 'loja.insta', redirectUri: REDIRECT });
    accountId = prospect.instagramAccountId;

    // Without the redirect URI the code cannot be exchanged: refused before anything happens.
    expect((await api('POST', '/onboarding/instagram-login', { businessId: BUSINESS, code: prospect.code })).status).toBe(400);
    const report = await api('POST', '/onboarding/instagram-login', { businessId: BUSINESS, code: prospect.code, redirectUri: REDIRECT });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      channel: 'instagram',
      api: 'instagram_login',
      status: 'active',
      accountId,
      health: { username: 'loja.insta', subscribedFields: expect.arrayContaining(['messages']) },
    });
    expect((await simulator('GET', '/_sim/onboarding/stats')).instagramLogin.exchanges).toBe(1);

    const registered = await harness.item(`ACCT#${accountId}`, 'ACCOUNT');
    expect(registered).toMatchObject({
      channel: 'instagram',
      api: 'instagram_login',
      status: 'active',
      businessId: BUSINESS,
      displayName: 'loja.insta',
      gsi2pk: INSTAGRAM_TOKEN_INDEX_PK,
    });
    expect(Date.parse(registered!.tokenExpiresAt) - Date.now()).toBeGreaterThan(59 * 86_400_000);
    const token = storedToken(accountId);
    expect(token).toMatch(/^IGAA/);
    expect(harness.logLines.some((l) => l.includes(token))).toBe(false);

    const progress = await api('GET', '/onboarding/progress', undefined, { instagramAccountId: accountId });
    expect(progress.body).toMatchObject({ api: 'instagram_login', status: 'active', steps: { activate_account: { status: 'done' } } });
  }, 120_000);

  it("receives a customer's direct message and answers it through graph.instagram.com with the account's long-lived token", async () => {
    expect(accountId).not.toBe('');
    await saveBotSettings({ db: harness.db, tableName: harness.cloud.tableName }, BUSINESS, demoBotSettings(), {
      actor: 'instagram-login-e2e',
      expectedVersion: 0,
    });
    const customer = '6100000000000777';
    const sent = await simulator('POST', '/_sim/customer/messages', { channel: 'instagram', accountId, customerId: customer, name: 'Ana', text: 'oi' });
    // Signed with the Instagram app secret, and taken by the webhook.
    expect(sent.webhookStatus).toBe(200);

    const reply = await eventually(async () => (await repliesTo(customer)).find((e) => e.status === 200), 'the bot reply through graph.instagram.com', 90_000);
    expect(reply).toMatchObject({ host: 'graph.instagram.com', path: `/graph.instagram.com/${GRAPH_API_VERSION}/${accountId}/messages`, status: 200 });
    expect((reply as OutboxEntry & { credential?: string }).credential).toBe(digest(storedToken(accountId)));
    // Nothing for this account went to graph.facebook.com.
    expect((await repliesTo(customer)).filter((e) => (e as { host?: string }).host === undefined)).toEqual([]);

    const conversation = await harness.item(`CONV#ig:${accountId}:${customer}`, 'CONV');
    expect(conversation).toMatchObject({ accountId, channel: 'instagram' });
  }, 120_000);

  it('has its token renewed by the daily refresh once it nears its end, and keeps answering', async () => {
    expect(accountId).not.toBe('');
    const before = storedToken(accountId);
    // Fifty-three days on: the simulator's tokens and the registry's record both that much older.
    await simulator('POST', `/_sim/onboarding/instagram-login/${accountId}`, { ageHours: 53 * 24 });
    const now = Date.now();
    await dynamoInstagramTokenStore(harness.db, harness.cloud.tableName).recordToken(
      accountId,
      { expiresAt: new Date(now + 7 * 86_400_000).toISOString(), issuedAt: new Date(now - 53 * 86_400_000).toISOString() },
      new Date(now).toISOString(),
    );

    const summary = (await harness.cloud.schedules.runNow('InstagramTokenRefreshSchedule')) as { looked: number; outcomes: Record<string, number> };
    expect(summary).toMatchObject({ looked: 1, outcomes: { refreshed: 1 } });
    const after = storedToken(accountId);
    expect(after).not.toBe(before);
    expect((await simulator('GET', '/_sim/onboarding/stats')).instagramLogin.refreshes).toBe(1);
    const registered = await harness.item(`ACCT#${accountId}`, 'ACCOUNT');
    expect(Date.parse(registered!.tokenExpiresAt) - Date.now()).toBeGreaterThan(59 * 86_400_000);
    expect(harness.logLines.some((l) => l.includes(after) || l.includes(before))).toBe(false);

    // The account still answers (the previous token stays valid until its own end, so either works).
    const customer = '6100000000000778';
    await simulator('POST', '/_sim/customer/messages', { channel: 'instagram', accountId, customerId: customer, text: 'bom dia' });
    const reply = await eventually(async () => (await repliesTo(customer)).find((e) => e.status === 200), 'a reply after the refresh', 90_000);
    expect([digest(before), digest(after)]).toContain((reply as { credential?: string }).credential);
    expect((reply as { host?: string }).host).toBe('graph.instagram.com');
  }, 120_000);

  it('npm run onboard -- instagram-login plays the login locally and prints each step', async () => {
    const env = { ...process.env, PORT: new URL(harness.cloud.apiUrl).port, GRAPH_SIM_PORT: new URL(harness.cloud.graphUrl).port, OPERATOR_TOKEN: '' };
    const run = async (...args: string[]) => {
      try {
        const out = await promisify(execFile)('npx', ['tsx', 'bin/onboard.ts', ...args], { env, timeout: 60_000 });
        return { code: 0, stdout: out.stdout };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? -1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
      }
    };
    const onboarded = await run('instagram-login', '--business', 'loja-cli', '--prospect');
    expect(onboarded.code).toBe(0);
    expect(onboarded.stdout).toMatch(/instagram account \d+ of \d+: active/);
    expect(onboarded.stdout).toMatch(/✓ exchange_token +done/);
    expect(onboarded.stdout).toMatch(/✓ activate_account +done/);
    const id = /instagram account (\d+)/.exec(onboarded.stdout)![1]!;
    const status = await run('status', '--instagram', id);
    expect(status.code).toBe(0);
    // Resuming needs the account's id.
    expect((await run('instagram-login', '--business', 'loja-cli', '--resume')).code).toBe(2);
  }, 120_000);
});
