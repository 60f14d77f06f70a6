import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenSecretName, getChannelAccount, wabaPk } from '#lambdas/accounts/channel-account';
import { COEXISTENCE_FINISH_EVENT } from '#lambdas/onboarding/onboarding-contract';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { onboardInstagramAccount } from '#lambdas/onboarding/onboard-instagram-account';
import { onboardWhatsAppNumber } from '#lambdas/onboarding/onboard-whatsapp-number';
import { whatsappProgressKey } from '#lambdas/onboarding/onboarding-progress';
import { type OnboardingWorld, useOnboardingWorld } from '#test/helpers/onboarding-world';
import { dynamoOnboardingStores } from '#lambdas/onboarding/onboarding-stores';

const PREFIX = 'Omnichannel-test';

const world = useOnboardingWorld(PREFIX);
let table: OnboardingWorld['table'];
let aws: OnboardingWorld['aws'];
let sim: OnboardingWorld['sim'];
let deps: OnboardingDeps;
beforeAll(() => {
  ({ table, aws, sim } = world);
});
beforeEach(() => {
  deps = world.deps;
});
const control = world.control;

interface WhatsAppProspect {
  code: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}
const whatsappProspect = (options: Record<string, unknown> = {}) => control<WhatsAppProspect>('POST', 'whatsapp', options);
const exchanges = async () => (await control<{ exchanges: number }>('GET', 'stats')).exchanges;
const callsTo = (path: string) => sim.outbox().filter((e) => e.path.endsWith(path));
const storedSecret = (ownerId: string) => aws.secrets.getSecretValue(accountTokenSecretName(PREFIX, ownerId));

describe('WhatsApp onboarding after Embedded Signup', () => {
  it('exchanges the code, stores the token, subscribes, registers, checks, sends the test template and activates the number', async () => {
    const p = await whatsappProspect({ verifiedName: 'Padaria Local' });
    const before = await exchanges();

    const report = await onboardWhatsAppNumber(deps, {
      businessId: 'biz-1',
      code: p.code,
      wabaId: p.wabaId,
      phoneNumberId: p.phoneNumberId,
      testRecipient: '15557654321',
    });

    expect(report.failure).toBeUndefined();
    expect(report.status).toBe('active');
    expect(Object.fromEntries(Object.entries(report.steps).map(([k, v]) => [k, v?.status]))).toEqual({
      exchange_token: 'done',
      subscribe_webhooks: 'done',
      register_number: 'done',
      health_check: 'done',
      test_message: 'done',
      activate_account: 'done',
    });
    expect(await exchanges()).toBe(before + 1);

    const secret = JSON.parse(storedSecret(p.wabaId).secretString ?? '{}') as { accessToken?: string; twoStepPin?: string };
    expect(secret.accessToken).toMatch(/^EAAsim/);
    expect(secret.twoStepPin).toBe('135790');
    expect(JSON.stringify(report)).not.toContain(secret.accessToken);

    const register = callsTo(`/${p.phoneNumberId}/register`);
    expect(register.map((c) => [c.status, c.body])).toEqual([[200, { messaging_product: 'whatsapp', pin: '135790' }]]);
    expect(callsTo(`/${p.wabaId}/subscribed_apps`).map((c) => `${c.method} ${c.status}`)).toEqual(['POST 200', 'GET 200']);
    const test = callsTo(`/${p.phoneNumberId}/messages`);
    expect(test).toHaveLength(1);
    expect(test[0]).toMatchObject({ status: 200, body: { to: '15557654321', type: 'template', template: { name: 'hello_world' } } });

    const account = await getChannelAccount(world.table.db, world.tableName, p.phoneNumberId, { consistentRead: true });
    expect(account).toMatchObject({
      channel: 'whatsapp',
      businessId: 'biz-1',
      wabaId: p.wabaId,
      status: 'active',
      tokenSecretId: accountTokenSecretName(PREFIX, p.wabaId),
      coexistence: false,
      throughputPerSecond: 80,
      displayName: 'Padaria Local',
      displayPhoneNumber: p.displayPhoneNumber,
      qualityRating: 'UNKNOWN',
    });
    const waba = await world.table.db.send(new GetCommand({ TableName: world.tableName, Key: { pk: wabaPk(p.wabaId), sk: 'WABA' } }));
    expect(waba.Item).toMatchObject({
      entity: 'BusinessAccount',
      businessId: 'biz-1',
      subscribed: true,
      tokenSecretId: accountTokenSecretName(PREFIX, p.wabaId),
    });

    // Done is done: a second run changes nothing and calls Meta no more.
    const calls = sim.outbox().length;
    const again = await onboardWhatsAppNumber(deps, { businessId: 'biz-1', wabaId: p.wabaId, phoneNumberId: p.phoneNumberId });
    expect(again.status).toBe('active');
    expect(sim.outbox()).toHaveLength(calls);
  });

  it('stops at registration when two-step verification has another PIN, and resumes without the code once it is turned off', async () => {
    const p = await whatsappProspect({ twoStepPin: '246802' });
    const before = await exchanges();
    const request = { businessId: 'biz-2', code: p.code, wabaId: p.wabaId, phoneNumberId: p.phoneNumberId };

    const first = await onboardWhatsAppNumber(deps, request);
    expect(first.status).toBe('onboarding');
    expect(first.failure).toMatchObject({ step: 'register_number', code: 133005 });
    expect(first.failure?.advice).toMatch(/--pin/);
    expect(first.failure?.advice).toMatch(/two-step verification off in WhatsApp Manager/);
    expect(first.steps.exchange_token?.status).toBe('done');
    expect(first.steps.subscribe_webhooks?.status).toBe('done');
    expect(first.steps.health_check).toBeUndefined();
    expect((await getChannelAccount(world.table.db, world.tableName, p.phoneNumberId, { consistentRead: true }))?.status).toBe('onboarding');
    const tokenAfterFirst = JSON.parse(storedSecret(p.wabaId).secretString ?? '{}').accessToken as string;

    // Still on: the same refusal, and nothing before the failed step is repeated.
    const subscribesBefore = callsTo(`/${p.wabaId}/subscribed_apps`).length;
    const second = await onboardWhatsAppNumber(deps, { ...request, code: undefined });
    expect(second.failure).toMatchObject({ step: 'register_number', code: 133005 });
    expect(callsTo(`/${p.wabaId}/subscribed_apps`)).toHaveLength(subscribesBefore);

    await control('POST', `numbers/${p.phoneNumberId}`, { twoStepPin: null });
    const third = await onboardWhatsAppNumber(deps, { ...request, code: undefined });
    expect(third.failure).toBeUndefined();
    expect(third.status).toBe('active');
    expect(await exchanges()).toBe(before + 1);
    expect(callsTo('/oauth/access_token').filter((c) => c.status === 200)).toHaveLength(before + 1);
    expect(JSON.parse(storedSecret(p.wabaId).secretString ?? '{}').accessToken).toBe(tokenAfterFirst);
    expect(callsTo(`/${p.phoneNumberId}/register`).map((c) => c.status)).toEqual([400, 400, 200]);
    expect((await control<{ status: string }>('GET', `numbers/${p.phoneNumberId}`)).status).toBe('CONNECTED');
  });

  it('registers with the PIN the operator gives on resume', async () => {
    const p = await whatsappProspect({ twoStepPin: '112233' });
    const request = { businessId: 'biz-3', code: p.code, wabaId: p.wabaId, phoneNumberId: p.phoneNumberId };
    expect((await onboardWhatsAppNumber(deps, request)).failure?.code).toBe(133005);
    const resumed = await onboardWhatsAppNumber(deps, { ...request, code: undefined, pin: '112233' });
    expect(resumed.status).toBe('active');
    expect(JSON.parse(storedSecret(p.wabaId).secretString ?? '{}').twoStepPin).toBe('112233');
  });

  it('does not register a coexistence number and records it as such', async () => {
    const p = await whatsappProspect({ coexistence: true });
    const report = await onboardWhatsAppNumber(deps, {
      businessId: 'biz-4',
      code: p.code,
      wabaId: p.wabaId,
      phoneNumberId: p.phoneNumberId,
      event: COEXISTENCE_FINISH_EVENT,
    });
    expect(report.status).toBe('active');
    expect(report.steps.register_number?.status).toBe('skipped');
    expect(callsTo(`/${p.phoneNumberId}/register`)).toEqual([]);
    const account = await getChannelAccount(world.table.db, world.tableName, p.phoneNumberId, { consistentRead: true });
    expect(account).toMatchObject({ coexistence: true, throughputPerSecond: 20, status: 'active' });
    expect(JSON.parse(storedSecret(p.wabaId).secretString ?? '{}').twoStepPin).toBeUndefined();
  });

  it('waits for the display name review, then activates on resume', async () => {
    const p = await whatsappProspect({ nameStatus: 'PENDING_REVIEW' });
    const request = { businessId: 'biz-5', code: p.code, wabaId: p.wabaId, phoneNumberId: p.phoneNumberId };
    const first = await onboardWhatsAppNumber(deps, request);
    expect(first.failure).toMatchObject({ step: 'health_check', message: expect.stringContaining('PENDING_REVIEW') });
    expect(first.failure?.advice).toMatch(/review/);
    expect(first.health).toMatchObject({ status: 'CONNECTED', nameStatus: 'PENDING_REVIEW', appSubscribed: true });

    await control('POST', `numbers/${p.phoneNumberId}`, { nameStatus: 'APPROVED' });
    const resumed = await onboardWhatsAppNumber(deps, { ...request, code: undefined });
    expect(resumed.status).toBe('active');
    expect(callsTo(`/${p.phoneNumberId}/register`)).toHaveLength(1);
  });

  it('reports a code Meta already took, and asks for a new one; without a code it says the code is needed', async () => {
    const p = await whatsappProspect();
    const request = { businessId: 'biz-6', code: p.code, wabaId: p.wabaId, phoneNumberId: p.phoneNumberId };
    await onboardWhatsAppNumber(deps, request);

    // Elsewhere (another deployment, no stored token), the same code is refused by Meta.
    const elsewhere = { ...deps, ...dynamoOnboardingStores(table.db, await table.newTable()), secretNamePrefix: 'Omnichannel-other' };
    const reused = await onboardWhatsAppNumber(elsewhere, request);
    expect(reused.failure).toMatchObject({ step: 'exchange_token', code: 100, subcode: 36009 });
    expect(reused.failure?.advice).toMatch(/new code/);

    // Here, after a lost progress write, the token our own exchange stored is used instead (the
    // WABA item says this business claimed it, so the stored secret is its own).
    await world.table.db.send(new DeleteCommand({ TableName: world.tableName, Key: whatsappProgressKey(p.wabaId, p.phoneNumberId) }));
    const recovered = await onboardWhatsAppNumber(deps, request);
    expect(recovered.status).toBe('active');
    expect(recovered.steps.exchange_token?.note).toMatch(/already exchanged/);

    const q = await whatsappProspect();
    const noCode = await onboardWhatsAppNumber(deps, { businessId: 'biz-6', wabaId: q.wabaId, phoneNumberId: q.phoneNumberId });
    expect(noCode.failure).toMatchObject({ step: 'exchange_token', message: 'no token code was given' });
  });

  it('starts over from the code exchange when the business brings a new code, keeping the number serving and its PIN', async () => {
    const p = await whatsappProspect();
    const request = { businessId: 'biz-8', code: p.code, wabaId: p.wabaId, phoneNumberId: p.phoneNumberId };
    expect((await onboardWhatsAppNumber(deps, request)).status).toBe('active');
    const firstToken = JSON.parse(storedSecret(p.wabaId).secretString ?? '{}').accessToken as string;
    const before = await exchanges();

    // The same code again resumes (nothing to do); a new code renews the token.
    expect((await onboardWhatsAppNumber(deps, request)).steps.exchange_token?.status).toBe('done');
    expect(await exchanges()).toBe(before);
    const { code } = await control<{ code: string }>('POST', 'codes', { ownerId: p.wabaId });
    const renewed = await onboardWhatsAppNumber({ ...deps, newPin: () => '000000' }, { ...request, code });
    expect(renewed.failure).toBeUndefined();
    expect(renewed.status).toBe('active');
    expect(await exchanges()).toBe(before + 1);
    const secret = JSON.parse(storedSecret(p.wabaId).secretString ?? '{}') as { accessToken: string; twoStepPin: string };
    expect(secret.accessToken).not.toBe(firstToken);
    expect(secret.twoStepPin).toBe('135790');
    expect(callsTo(`/${p.phoneNumberId}/register`).map((c) => c.status)).toEqual([200, 200]);
  });

  it('refuses to onboard a number another business is onboarding', async () => {
    const p = await whatsappProspect({ twoStepPin: '999999' });
    await onboardWhatsAppNumber(deps, { businessId: 'biz-7', code: p.code, wabaId: p.wabaId, phoneNumberId: p.phoneNumberId });
    await expect(onboardWhatsAppNumber(deps, { businessId: 'intruder', wabaId: p.wabaId, phoneNumberId: p.phoneNumberId })).rejects.toThrow(/another business/);
  });
});

describe('Instagram onboarding through the linked Page', () => {
  it('stores the Page token, subscribes the messaging fields, checks and activates the Instagram account', async () => {
    const p = await control<{ code: string; pageId: string; instagramAccountId: string }>('POST', 'instagram', { username: 'padaria.local' });
    const report = await onboardInstagramAccount(deps, { businessId: 'biz-ig', pageId: p.pageId, code: p.code, redirectUri: 'https://example.com/callback' });
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ status: 'active', accountId: p.instagramAccountId, ownerId: p.pageId });
    expect(report.health).toMatchObject({ appSubscribed: true, username: 'padaria.local' });

    const subscribe = callsTo(`/${p.pageId}/subscribed_apps`).find((c) => c.method === 'POST');
    expect(subscribe?.body).toEqual({ subscribed_fields: 'messages,messaging_postbacks,messaging_seen,message_reactions,messaging_referral' });
    const secret = JSON.parse(storedSecret(p.instagramAccountId).secretString ?? '{}') as { accessToken?: string };
    expect(secret.accessToken).toMatch(/^EAAsim/);
    expect(await getChannelAccount(world.table.db, world.tableName, p.instagramAccountId, { consistentRead: true })).toMatchObject({
      channel: 'instagram',
      businessId: 'biz-ig',
      status: 'active',
      displayName: 'padaria.local',
      tokenSecretId: accountTokenSecretName(PREFIX, p.instagramAccountId),
    });
  });

  it('refuses an Instagram id the Page is not linked to', async () => {
    const p = await control<{ code: string; pageId: string }>('POST', 'instagram', {});
    const report = await onboardInstagramAccount(deps, { businessId: 'biz-ig', pageId: p.pageId, instagramAccountId: '17841999999999999', code: p.code });
    expect(report.failure).toMatchObject({ step: 'exchange_token', message: expect.stringContaining('not 17841999999999999') });
  });
});
