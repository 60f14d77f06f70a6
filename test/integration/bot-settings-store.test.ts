import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoBotSettings, rawDemoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { getBotSettings, putBotSettings, botSettingsHistory } from '#lambdas/bot-settings/bot-settings-admin';
import {
  BotSettingsConflictError,
  getBotSettingsVersion,
  getCurrentBotSettings,
  listBotSettingsVersions,
  saveBotSettings,
  StoredBotSettingsInvalidError,
} from '#lambdas/bot-settings/bot-settings-store';
import { LOCAL_SEED_ACTOR, seedLocalTenants } from '#lib/local-cloud/local-tenants';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let deps: { db: TestTable['db']; tableName: string; now: () => Date };
let clock: Date;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  clock = new Date('2026-11-21T12:00:00.000Z');
  deps = { db: table.db, tableName: await table.newTable(), now: () => clock };
});

const withGreeting = (en: string) => {
  const settings = demoBotSettings();
  settings.greeting.en = en;
  return settings;
};

describe('bot settings store on DynamoDB Local', () => {
  it('has nothing for a business that never saved settings', async () => {
    expect(await getCurrentBotSettings(deps, 'shop')).toBeUndefined();
    expect(await getBotSettingsVersion(deps, 'shop', 1)).toBeUndefined();
    expect(await listBotSettingsVersions(deps, 'shop')).toEqual({ versions: [] });
  });

  it('saves each change as the next version with who and when, and keeps every version', async () => {
    const v1 = await saveBotSettings(deps, 'shop', withGreeting('Hello v1'), { actor: 'ana', now: clock });
    clock = new Date('2026-11-21T13:00:00.000Z');
    const v2 = await saveBotSettings(deps, 'shop', withGreeting('Hello v2'), { actor: 'bruno', expectedVersion: 1, now: clock });

    expect(v1).toEqual({ businessId: 'shop', version: 1, changedBy: 'ana', changedAt: '2026-11-21T12:00:00.000Z' });
    expect(v2).toEqual({ businessId: 'shop', version: 2, changedBy: 'bruno', changedAt: '2026-11-21T13:00:00.000Z' });
    const current = await getCurrentBotSettings(deps, 'shop', { consistentRead: true });
    expect(current).toMatchObject({ version: 2, changedBy: 'bruno' });
    expect(current!.settings.greeting.en).toBe('Hello v2');
    expect((await getBotSettingsVersion(deps, 'shop', 1))!.settings.greeting.en).toBe('Hello v1');
    expect((await listBotSettingsVersions(deps, 'shop')).versions.map((v) => [v.version, v.changedBy])).toEqual([
      [2, 'bruno'],
      [1, 'ana'],
    ]);
    const items = await Promise.all(
      ['BOT#CURRENT', 'BOT#v0000000001', 'BOT#v0000000002'].map(
        async (sk) => (await table.db.send(new GetCommand({ TableName: deps.tableName, Key: { pk: 'BUSINESS#shop', sk } }))).Item,
      ),
    );
    expect(items.map((i) => i?.entity)).toEqual(['BotSettings', 'BotSettingsVersion', 'BotSettingsVersion']);
    expect(items.every((i) => i?.expiresAt === undefined)).toBe(true);
  });

  it('refuses a save made from a stale version, and a first save when settings exist', async () => {
    await saveBotSettings(deps, 'shop', withGreeting('one'), { actor: 'ana' });
    await saveBotSettings(deps, 'shop', withGreeting('two'), { actor: 'ana', expectedVersion: 1 });

    await expect(saveBotSettings(deps, 'shop', withGreeting('stale'), { actor: 'bruno', expectedVersion: 1 })).rejects.toBeInstanceOf(BotSettingsConflictError);
    await expect(saveBotSettings(deps, 'shop', withGreeting('first?'), { actor: 'bruno', expectedVersion: 0 })).rejects.toBeInstanceOf(
      BotSettingsConflictError,
    );
    await expect(saveBotSettings(deps, 'shop', withGreeting('ahead'), { actor: 'bruno', expectedVersion: 5 })).rejects.toBeInstanceOf(BotSettingsConflictError);
    const current = await getCurrentBotSettings(deps, 'shop', { consistentRead: true });
    expect(current).toMatchObject({ version: 2 });
    expect(current!.settings.greeting.en).toBe('two');
    expect(await getBotSettingsVersion(deps, 'shop', 3)).toBeUndefined();
  });

  it('lets exactly one of concurrent saves from the same version win', async () => {
    await saveBotSettings(deps, 'shop', withGreeting('base'), { actor: 'ana' });
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e'].map((who) => saveBotSettings(deps, 'shop', withGreeting(`by ${who}`), { actor: who, expectedVersion: 1 })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof BotSettingsConflictError)).toBe(true);
    const current = await getCurrentBotSettings(deps, 'shop', { consistentRead: true });
    expect(current!.version).toBe(2);
    expect(current!.settings.greeting.en).toBe(`by ${(won[0] as PromiseFulfilledResult<{ changedBy: string }>).value.changedBy}`);
  });

  it('gives concurrent saves without an expected version consecutive versions, none lost', async () => {
    await Promise.all(['a', 'b', 'c'].map((who) => saveBotSettings(deps, 'shop', withGreeting(who), { actor: who })));
    const { versions } = await listBotSettingsVersions(deps, 'shop');
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(new Set(versions.map((v) => v.changedBy))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('pages through versions newest first', async () => {
    for (let i = 1; i <= 5; i++) await saveBotSettings(deps, 'shop', withGreeting(`v${i}`), { actor: 'ana', expectedVersion: i - 1 });
    const first = await listBotSettingsVersions(deps, 'shop', { limit: 2 });
    expect(first.versions.map((v) => v.version)).toEqual([5, 4]);
    expect(first.nextBefore).toBe(4);
    const second = await listBotSettingsVersions(deps, 'shop', { limit: 2, before: first.nextBefore! });
    expect(second.versions.map((v) => v.version)).toEqual([3, 2]);
    const last = await listBotSettingsVersions(deps, 'shop', { limit: 2, before: second.nextBefore! });
    expect(last.versions.map((v) => v.version)).toEqual([1]);
    expect(await listBotSettingsVersions(deps, 'shop', { before: 1 })).toEqual({ versions: [] });
  });

  it('keeps businesses apart', async () => {
    await saveBotSettings(deps, 'shop', withGreeting('shop'), { actor: 'ana' });
    expect(await getCurrentBotSettings(deps, 'other')).toBeUndefined();
    expect(await getCurrentBotSettings(deps, 'sho')).toBeUndefined();
  });

  it('refuses ids that are not business ids before building a key', async () => {
    await expect(getCurrentBotSettings(deps, 'a#b')).rejects.toThrow(RangeError);
    await expect(saveBotSettings(deps, '', demoBotSettings(), { actor: 'x' })).rejects.toThrow(RangeError);
  });

  it('reports a stored item that no longer passes the schema by its paths', async () => {
    await table.db.send(new PutCommand({ TableName: deps.tableName, Item: { pk: 'BUSINESS#shop', sk: 'BOT#CURRENT', version: 1, settings: { name: 'x' } } }));
    const err = await getCurrentBotSettings(deps, 'shop').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoredBotSettingsInvalidError);
    expect((err as StoredBotSettingsInvalidError).problems.map((p) => p.path)).toContain('greeting');
  });
});

describe('bot settings use cases', () => {
  it('saves valid settings as the next version and reads them back, current or by version', async () => {
    expect(await putBotSettings('shop', rawDemoBotSettings, { actor: 'ana', expectedVersion: 0 }, deps)).toEqual({
      outcome: 'saved',
      saved: { businessId: 'shop', version: 1, changedBy: 'ana', changedAt: clock.toISOString() },
    });
    const raw = structuredClone(rawDemoBotSettings) as Record<string, any>;
    raw.greeting.en = 'Welcome to the shop';
    expect(await putBotSettings('shop', raw, { actor: 'ana', expectedVersion: 1 }, deps)).toMatchObject({ outcome: 'saved', saved: { version: 2 } });

    expect((await getBotSettings('shop', deps))!.settings.greeting.en).toBe('Welcome to the shop');
    expect((await getBotSettings('shop', deps, { version: 1 }))!.settings.greeting.en).toBe(demoBotSettings().greeting.en);
    expect(await getBotSettings('shop', deps, { version: 3 })).toBeUndefined();
    expect((await botSettingsHistory('shop', deps)).versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it('names every problem by its path and saves nothing', async () => {
    const raw = structuredClone(rawDemoBotSettings) as Record<string, any>;
    raw.menu[0].title.en = 'A title far too long for a button';
    raw.timezone = 'Mars/Olympus';
    delete raw.csat;
    const result = await putBotSettings('shop', raw, { actor: 'ana' }, deps);
    expect(result.outcome).toBe('invalid');
    if (result.outcome === 'invalid') {
      expect(result.problems.map((p) => p.path).sort()).toEqual(['csat', 'menu.0.title.en', 'timezone']);
      expect(result.problems.find((p) => p.path === 'timezone')!.message).toMatch(/IANA time zone/);
    }
    expect(await getBotSettings('shop', deps)).toBeUndefined();
  });

  it('answers a stale expected version with a conflict naming the current version', async () => {
    await putBotSettings('shop', rawDemoBotSettings, { actor: 'ana' }, deps);
    await putBotSettings('shop', rawDemoBotSettings, { actor: 'ana' }, deps);
    expect(await putBotSettings('shop', rawDemoBotSettings, { actor: 'bruno', expectedVersion: 1 }, deps)).toEqual({
      outcome: 'conflict',
      expectedVersion: 1,
      currentVersion: 2,
    });
  });

  it('refuses settings too big to store, at the root', async () => {
    const raw = structuredClone(rawDemoBotSettings) as Record<string, any>;
    const entry = raw.faq[0];
    raw.faq = [
      ...raw.faq,
      ...Array.from({ length: 300 - raw.faq.length }, (_, i) => ({
        ...entry,
        id: `entry_${i}`,
        answer: { en: 'x'.repeat(1000), es: 'y'.repeat(1000), pt: 'z'.repeat(1000) },
      })),
    ];
    const result = await putBotSettings('shop', raw, { actor: 'ana' }, deps);
    expect(result).toMatchObject({ outcome: 'invalid', problems: [{ path: '(root)' }] });
  });
});

describe('local seeding', () => {
  it('writes the demo settings as version 1 for a tenant that asks, leaves existing settings alone, and none for the others', async () => {
    const tenants = [
      { businessId: 'local', accessToken: 't1', botSettings: 'demo' as const },
      { businessId: 'bare', accessToken: 't2' },
    ];
    const seed = () => seedLocalTenants({ db: table.db, tableName: deps.tableName, secretNamePrefix: 'S', putSecret: () => {}, tenants });
    await seed();
    expect(await getCurrentBotSettings(deps, 'local')).toMatchObject({ version: 1, changedBy: LOCAL_SEED_ACTOR, settings: demoBotSettings() });
    expect(await getCurrentBotSettings(deps, 'bare')).toBeUndefined();

    await saveBotSettings(deps, 'local', withGreeting('edited'), { actor: 'ana', expectedVersion: 1 });
    await seed();
    const current = await getCurrentBotSettings(deps, 'local', { consistentRead: true });
    expect(current).toMatchObject({ version: 2, changedBy: 'ana' });
  });
});
