import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenSecretName } from '#lambdas/accounts/channel-account';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { saveBotSettings } from '#lambdas/bot-settings/bot-settings-store';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
let token = '';

beforeAll(async () => {
  await harness.start();
  // The platform team onboards businesses (any business, including ones not served yet).
  token = await harness.operatorToken({ roles: ['platform'] });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function api(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown; auth?: string } = {}) {
  const url = `${harness.cloud.apiUrl}${path}${opts.query ? `?${new URLSearchParams(opts.query)}` : ''}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: opts.auth ?? `Bearer ${token}`, ...(opts.body ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
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

describe('onboarding a new WhatsApp number through the local cloud', () => {
  it('refuses the API without a valid access token carrying the onboarding scope', async () => {
    const refused = async (auth: string) => {
      const res = await api('POST', '/onboarding/whatsapp', { body: {}, auth });
      return { status: res.status, body: res.body };
    };
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    expect(await refused('Bearer wrong')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    // API Gateway's JWT authoriser, emulated locally: expired, foreign-signed, or lacking the route's scope.
    expect(await refused(`Bearer ${await harness.operatorToken({ roles: ['platform'], issuedAt: hourAgo - 60, expiresIn: 60 })}`)).toEqual({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(await refused(`Bearer ${await harness.operatorTokenSignedByAnotherKey({ roles: ['platform'] })}`)).toEqual({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(await refused(`Bearer ${await harness.operatorToken({ roles: ['platform'], scopes: ['omnichannel/agent'] })}`)).toEqual({
      status: 403,
      body: { message: 'Forbidden' },
    });
  });

  it('onboards the number (resuming after a two-step verification refusal), then answers its customers from it with its own token', async () => {
    const prospect = await simulator('POST', '/_sim/onboarding/whatsapp', { twoStepPin: '482915', verifiedName: 'Loja Nova' });
    const request = { businessId: 'loja-nova', code: prospect.code, wabaId: prospect.wabaId, phoneNumberId: prospect.phoneNumberId };

    const first = await api('POST', '/onboarding/whatsapp', { body: request });
    expect(first.status).toBe(422);
    expect(first.body.failure).toMatchObject({ step: 'register_number', code: 133005 });

    // The business turns two-step verification off in WhatsApp Manager; the operator resumes without the code.
    await simulator('POST', `/_sim/onboarding/numbers/${prospect.phoneNumberId}`, { twoStepPin: null });
    const { code: _used, ...resume } = request;
    const second = await api('POST', '/onboarding/whatsapp', { body: resume });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'active', accountId: prospect.phoneNumberId, ownerId: prospect.wabaId });
    // The new business has no bot settings yet, and the report says what that means.
    expect(second.body.bot).toMatchObject({ configured: false, note: expect.stringContaining('no_bot_configured') });
    expect((await simulator('GET', '/_sim/onboarding/stats')).exchanges).toBe(1);

    const progress = await api('GET', '/onboarding/progress', { query: { wabaId: prospect.wabaId, phoneNumberId: prospect.phoneNumberId } });
    expect(progress.status).toBe(200);
    expect(progress.body.steps.activate_account.status).toBe('done');

    const secretName = accountTokenSecretName('Omnichannel-local', prospect.wabaId);
    const stored = JSON.parse(String(harness.cloud.aws.secrets.getSecretValue(secretName).secretString)) as { accessToken: string };
    expect(stored.accessToken).toMatch(/^EAAsim/);
    expect(harness.logLines.some((l) => l.includes(stored.accessToken))).toBe(false);
    expect(await harness.item(`ACCT#${prospect.phoneNumberId}`, 'ACCOUNT')).toMatchObject({
      status: 'active',
      businessId: 'loja-nova',
      wabaId: prospect.wabaId,
      tokenSecretId: secretName,
      displayName: 'Loja Nova',
    });

    // A new business has no bot until an admin saves its settings (never another business's): save the demo's.
    await saveBotSettings({ db: harness.db, tableName: harness.cloud.tableName }, 'loja-nova', demoBotSettings(), {
      actor: 'onboarding-e2e',
      expectedVersion: 0,
    });

    // A customer writes to the new number; the reply leaves from that number. The simulator refuses
    // sends from it made with any token but the one its code exchange handed out.
    const customerId = '15550000911';
    await simulator('POST', '/_sim/customer/messages', { channel: 'whatsapp', accountId: prospect.phoneNumberId, customerId, text: 'hola' });
    const reply = await eventually(
      async () => {
        const sends = (await harness.outbox()).filter((e) => e.body?.to === customerId && e.path.endsWith(`/${prospect.phoneNumberId}/messages`));
        return sends.find((e) => e.status === 200) ?? (sends.length > 0 && sends.every((e) => e.status !== 200) && sends.length >= 3 ? sends[0] : undefined);
      },
      'the reply from the new number',
      90_000,
    );
    expect(reply.status).toBe(200);
    const conversation = await harness.item(`CONV#wa:${prospect.phoneNumberId}:${customerId}`, 'CONV');
    expect(conversation).toMatchObject({ accountId: prospect.phoneNumberId });
  }, 180_000);

  it('npm run onboard prints each step, exits 0 when the number is active and 1 with advice when a step fails', async () => {
    const onboard = async (...args: string[]) => {
      const env = {
        ...process.env,
        PORT: new URL(harness.cloud.apiUrl).port,
        GRAPH_SIM_PORT: new URL(harness.cloud.graphUrl).port,
        // No token given: the CLI asks the local identity provider for a platform one.
        OPERATOR_TOKEN: '',
      };
      try {
        const out = await promisify(execFile)('npx', ['tsx', 'bin/onboard.ts', ...args], { env, timeout: 60_000 });
        return { code: 0, stdout: out.stdout };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? -1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
      }
    };
    const coexistence = await onboard('whatsapp', '--business', 'cafe-coex', '--prospect', '--coexistence');
    expect(coexistence.code).toBe(0);
    expect(coexistence.stdout).toMatch(/: active/);
    expect(coexistence.stdout).toMatch(/– register_number +skipped/);
    expect(coexistence.stdout).toMatch(/✓ activate_account +done/);

    const pinned = await onboard('whatsapp', '--business', 'cafe-pin', '--prospect', '--two-step-pin', '777777');
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(/stopped at register_number — Meta error 133005/);
    expect(pinned.stdout).toMatch(/what to do: .*--pin/);
  }, 180_000);
});
