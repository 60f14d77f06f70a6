import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenSecretName, channelAccountKey, registerChannelAccountIfAbsent, wabaPk } from '#lambdas/accounts/channel-account';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { instagramProgressKey, whatsappProgressKey } from '#lambdas/onboarding/onboarding-progress';
import { onboardInstagramAccount } from '#lambdas/onboarding/onboard-instagram-account';
import { onboardWhatsAppNumber } from '#lambdas/onboarding/onboard-whatsapp-number';
import { type OnboardingWorld, useOnboardingWorld } from '#test/helpers/onboarding-world';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

/**
 * One business must not take over another's WABA, number, Page or Instagram account by naming its
 * ids at onboarding: the new token has to read them, and the registry claim is conditional.
 */
const PREFIX = 'Omnichannel-ownership';

const world = useOnboardingWorld(PREFIX);
let aws: OnboardingWorld['aws'];
let sim: OnboardingWorld['sim'];
let deps: OnboardingDeps;
beforeAll(() => {
  ({ aws, sim } = world);
});
beforeEach(() => {
  deps = world.deps;
});
const control = world.control;

interface WhatsAppProspect {
  code: string;
  wabaId: string;
  phoneNumberId: string;
}
const whatsappProspect = (options: Record<string, unknown> = {}) => control<WhatsAppProspect>('POST', 'whatsapp', options);
const secretValue = (ownerId: string) => aws.secrets.getSecretValue(accountTokenSecretName(PREFIX, ownerId)).secretString;
const item = async (key: { pk: string; sk: string }) =>
  (await world.table.db.send(new GetCommand({ TableName: world.tableName, Key: key, ConsistentRead: true }))).Item;
const wabaItem = (wabaId: string) => item({ pk: wabaPk(wabaId), sk: 'WABA' });
const accountItem = (accountId: string) => item(channelAccountKey(accountId));
const hasSecret = (ownerId: string) => {
  try {
    return aws.secrets.getSecretValue(accountTokenSecretName(PREFIX, ownerId)).secretString !== undefined;
  } catch {
    return false;
  }
};

/** Business A has onboarded its number; its WABA item, number item and token secret exist. */
async function victim() {
  const a = await whatsappProspect();
  const report = await onboardWhatsAppNumber(deps, { businessId: 'biz-a', code: a.code, wabaId: a.wabaId, phoneNumberId: a.phoneNumberId });
  expect(report.status).toBe('active');
  return { ...a, secret: secretValue(a.wabaId), wabaItem: await wabaItem(a.wabaId) };
}

async function expectVictimUntouched(a: Awaited<ReturnType<typeof victim>>) {
  expect(secretValue(a.wabaId)).toBe(a.secret);
  expect(await wabaItem(a.wabaId)).toEqual(a.wabaItem);
  expect(await accountItem(a.phoneNumberId)).toMatchObject({ businessId: 'biz-a', status: 'active' });
}

describe('WhatsApp onboarding proves the new token sees the WABA and number before writing', () => {
  it("refuses business B naming A's WABA with a code that does not grant it, and writes nothing", async () => {
    const a = await victim();
    // A second number of A's WABA that A has not onboarded yet.
    const aSecond = await whatsappProspect({ wabaId: a.wabaId });
    const b = await whatsappProspect();

    for (const phoneNumberId of [a.phoneNumberId, aSecond.phoneNumberId, b.phoneNumberId]) {
      const { code } = phoneNumberId === b.phoneNumberId ? b : await control<{ code: string }>('POST', 'codes', { ownerId: b.wabaId });
      const report = await onboardWhatsAppNumber(deps, { businessId: 'biz-b', code, wabaId: a.wabaId, phoneNumberId }).catch((err: Error) => err);
      if (phoneNumberId === a.phoneNumberId) {
        // A's own number: A's onboarding record already refuses B.
        expect(report).toBeInstanceOf(Error);
        expect((report as Error).message).toMatch(/another business/);
        continue;
      }
      expect(report).toMatchObject({ status: 'onboarding', failure: { step: 'exchange_token', code: 100, subcode: 33 } });
      if (report instanceof Error) throw report;
      expect(report.failure?.message).toMatch(
        new RegExp(`cannot read WhatsApp Business Account ${a.wabaId}.*does not exist, cannot be loaded due to missing permissions`),
      );
      expect(report.failure?.advice).toMatch(/ids the signup returned/);
      expect(await item(whatsappProgressKey(a.wabaId, phoneNumberId))).toBeUndefined();
    }

    await expectVictimUntouched(a);
    expect(await accountItem(aSecond.phoneNumberId)).toBeUndefined();
    expect(await accountItem(b.phoneNumberId)).toBeUndefined();
    expect(await wabaItem(b.wabaId)).toBeUndefined();
    expect(hasSecret(b.wabaId)).toBe(false);

    // B's refused runs left nothing behind: A still onboards its second number.
    const second = await onboardWhatsAppNumber(deps, { businessId: 'biz-a', code: aSecond.code, wabaId: a.wabaId, phoneNumberId: aSecond.phoneNumberId });
    expect(second.status).toBe('active');
    expect(await accountItem(aSecond.phoneNumberId)).toMatchObject({ businessId: 'biz-a', wabaId: a.wabaId });
  });

  it("refuses a number that is not one of the WABA's numbers, with B's own WABA", async () => {
    const a = await victim();
    const b = await whatsappProspect();
    const report = await onboardWhatsAppNumber(deps, { businessId: 'biz-b', code: b.code, wabaId: b.wabaId, phoneNumberId: a.phoneNumberId });
    expect(report.failure).toMatchObject({
      step: 'exchange_token',
      message: `phone number ${a.phoneNumberId} is not one of the numbers of WhatsApp Business Account ${b.wabaId}`,
    });
    expect(await wabaItem(b.wabaId)).toBeUndefined();
    expect(hasSecret(b.wabaId)).toBe(false);
    expect(await item(whatsappProgressKey(b.wabaId, a.phoneNumberId))).toBeUndefined();
    await expectVictimUntouched(a);
  });

  it("never uses A's stored token for B's spent code", async () => {
    const a = await victim();
    const b = await whatsappProspect();
    const exchanged = await onboardWhatsAppNumber(deps, { businessId: 'biz-b', code: b.code, wabaId: b.wabaId, phoneNumberId: b.phoneNumberId });
    expect(exchanged.steps.exchange_token?.status).toBe('done');
    // B's code is spent; naming A's WABA with it must not fall back on A's secret.
    const aSecond = await whatsappProspect({ wabaId: a.wabaId });
    const report = await onboardWhatsAppNumber(deps, { businessId: 'biz-b', code: b.code, wabaId: a.wabaId, phoneNumberId: aSecond.phoneNumberId });
    expect(report.failure).toMatchObject({ step: 'exchange_token', code: 100, subcode: 36009 });
    await expectVictimUntouched(a);
    expect(await accountItem(aSecond.phoneNumberId)).toBeUndefined();
  });

  it("refuses B when its token can see A's WABA (shared) but A owns it: the claim is conditional", async () => {
    const a = await victim();
    const aSecond = await whatsappProspect({ wabaId: a.wabaId });
    // B went through the signup for A's WABA too: its token reads the WABA and its numbers.
    const { code } = await control<{ code: string }>('POST', 'codes', { ownerId: a.wabaId });
    const before = sim.outbox().length;
    await expect(onboardWhatsAppNumber(deps, { businessId: 'biz-b', code, wabaId: a.wabaId, phoneNumberId: aSecond.phoneNumberId })).rejects.toThrow(
      `WhatsApp Business Account ${a.wabaId} belongs to another business`,
    );
    // The proof passed (Meta answered the reads); the claim refused.
    const reads = sim
      .outbox()
      .slice(before)
      .map((e) => `${e.method} ${e.path.replace(/^\/v[\d.]+/, '')} ${e.status}`);
    expect(reads).toEqual(['GET /oauth/access_token 200', `GET /${a.wabaId} 200`, `GET /${a.wabaId}/phone_numbers 200`]);
    await expectVictimUntouched(a);
    expect(await accountItem(aSecond.phoneNumberId)).toBeUndefined();
    expect(await item(whatsappProgressKey(a.wabaId, aSecond.phoneNumberId))).toBeUndefined();
  });

  it('refuses a number registered to another business even when nobody owns its WABA, writing neither item', async () => {
    const p = await whatsappProspect();
    // A's number was registered before (without its WABA); B's token now sees the WABA.
    await registerChannelAccountIfAbsent(world.table.db, world.tableName, {
      accountId: p.phoneNumberId,
      channel: 'whatsapp',
      businessId: 'biz-a',
      status: 'active',
    });
    const before = await accountItem(p.phoneNumberId);
    await expect(onboardWhatsAppNumber(deps, { businessId: 'biz-b', code: p.code, wabaId: p.wabaId, phoneNumberId: p.phoneNumberId })).rejects.toThrow(
      `number ${p.phoneNumberId} belongs to another business`,
    );
    expect(await accountItem(p.phoneNumberId)).toEqual(before);
    expect(await wabaItem(p.wabaId)).toBeUndefined();
    expect(hasSecret(p.wabaId)).toBe(false);
  });

  it("reads every page of the WABA's numbers to find the one named", async () => {
    const p = await whatsappProspect();
    for (let i = 0; i < 3; i += 1) await whatsappProspect({ wabaId: p.wabaId });
    const last = await whatsappProspect({ wabaId: p.wabaId });
    const before = sim.outbox().length;
    const graph = createOnboardingGraph({ baseUrl: sim.url, version: GRAPH_API_VERSION });
    // Pages of two: the number named is on the third page.
    const paged = {
      ...graph,
      get: (path: string, query: Record<string, string>, token?: string) =>
        graph.get(path, path.endsWith('/phone_numbers') ? { ...query, limit: '2' } : query, token),
    };
    const report = await onboardWhatsAppNumber(
      { ...deps, graph: paged },
      { businessId: 'biz-c', code: last.code, wabaId: p.wabaId, phoneNumberId: last.phoneNumberId },
    );
    expect(report.steps.exchange_token?.status).toBe('done');
    expect(
      sim
        .outbox()
        .slice(before)
        .filter((e) => e.path.endsWith('/phone_numbers'))
        .map((e) => e.status),
    ).toEqual([200, 200, 200]);
    expect(await wabaItem(p.wabaId)).toMatchObject({ businessId: 'biz-c' });
  });
});

describe('Instagram onboarding proves the new token reads the Page before writing', () => {
  interface InstagramProspect {
    code: string;
    pageId: string;
    instagramAccountId: string;
  }
  const instagramProspect = () => control<InstagramProspect>('POST', 'instagram', {});

  it("refuses B naming A's Page with its own login, and writes nothing", async () => {
    const a = await instagramProspect();
    expect((await onboardInstagramAccount(deps, { businessId: 'biz-a', pageId: a.pageId, code: a.code })).status).toBe('active');
    const aSecret = secretValue(a.instagramAccountId);
    const b = await instagramProspect();
    // A new Page prospect of A, not yet onboarded, so no onboarding record stands in B's way.
    const aOther = await instagramProspect();

    const report = await onboardInstagramAccount(deps, { businessId: 'biz-b', pageId: aOther.pageId, code: b.code });
    expect(report.failure).toMatchObject({
      step: 'exchange_token',
      code: 100,
      subcode: 33,
      message: expect.stringContaining(`cannot read Page ${aOther.pageId}`),
    });
    expect(await item(instagramProgressKey(aOther.pageId))).toBeUndefined();
    expect(await accountItem(aOther.instagramAccountId)).toBeUndefined();
    expect(await accountItem(b.instagramAccountId)).toBeUndefined();
    expect(hasSecret(aOther.instagramAccountId)).toBe(false);
    expect(secretValue(a.instagramAccountId)).toBe(aSecret);
  });

  it('refuses B when its login sees the Page but A owns the Instagram account or the Page', async () => {
    const ig = await instagramProspect();
    await registerChannelAccountIfAbsent(world.table.db, world.tableName, {
      accountId: ig.instagramAccountId,
      channel: 'instagram',
      businessId: 'biz-a',
      status: 'active',
    });
    await expect(onboardInstagramAccount(deps, { businessId: 'biz-b', pageId: ig.pageId, code: ig.code })).rejects.toThrow(
      `Instagram account ${ig.instagramAccountId} belongs to another business`,
    );
    expect(await accountItem(ig.instagramAccountId)).toMatchObject({ businessId: 'biz-a' });
    expect(hasSecret(ig.instagramAccountId)).toBe(false);
    expect(await item(instagramProgressKey(ig.pageId))).toBeUndefined();

    const page = await instagramProspect();
    await registerChannelAccountIfAbsent(world.table.db, world.tableName, {
      accountId: page.pageId,
      channel: 'messenger',
      businessId: 'biz-a',
      status: 'active',
    });
    await expect(onboardInstagramAccount(deps, { businessId: 'biz-b', pageId: page.pageId, code: page.code })).rejects.toThrow(
      `Page ${page.pageId} belongs to another business`,
    );
    expect(await accountItem(page.instagramAccountId)).toBeUndefined();
    expect(hasSecret(page.instagramAccountId)).toBe(false);
  });
});
