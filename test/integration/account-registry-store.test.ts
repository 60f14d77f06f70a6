import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  claimInstagramAccount,
  claimInstagramLoginAccount,
  claimWhatsAppNumber,
  createAccountHealthStore,
  getBusinessAccount,
  getChannelAccount,
  registerChannelAccountIfAbsent,
  upsertBusinessAccount,
  upsertChannelAccount,
} from '#lambdas/accounts/account-registry-store';
import { createBusinessAppContactStore } from '#lambdas/accounts/business-app-contacts-store';
import { businessAccountKey, channelAccountKey } from '#lambdas/accounts/channel-account';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { OnboardingConflictError } from '#lambdas/onboarding/errors';

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;

const WABA = '2100';
const NUMBER = '1100';
const AT = new Date('2026-11-21T12:00:00.000Z');

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
});

const item = async (key: { pk: string; sk: string }) => (await table.db.send(new GetCommand({ TableName: tableName, Key: key }))).Item;

describe('account registry store: accounts and WABAs', () => {
  it('registers an account once, with its WABA, and keeps what is there on a second registration', async () => {
    const account = { accountId: NUMBER, channel: 'whatsapp' as const, businessId: 'acme', wabaId: WABA, status: 'active' as const };
    expect(await registerChannelAccountIfAbsent(table.db, tableName, account, AT)).toBe(true);
    expect(await registerChannelAccountIfAbsent(table.db, tableName, { ...account, status: 'disabled' }, new Date('2026-11-22T00:00:00.000Z'))).toBe(false);
    expect(await item(channelAccountKey(NUMBER))).toMatchObject({
      pk: `ACCT#${NUMBER}`,
      sk: 'ACCOUNT',
      entity: 'ChannelAccount',
      gsi1pk: 'BUSINESS#acme',
      gsi1sk: `ACCOUNT#whatsapp#${NUMBER}`,
      status: 'active',
      createdAt: AT.toISOString(),
    });
    expect(await getBusinessAccount(table.db, tableName, WABA)).toMatchObject({ wabaId: WABA, businessId: 'acme', status: 'active' });
    expect(await item(businessAccountKey(WABA))).toMatchObject({ entity: 'BusinessAccount', gsi1sk: `WABA#${WABA}` });
  });

  it('updates the registry fields without touching what other writers keep, createdAt set once', async () => {
    const account = { accountId: NUMBER, channel: 'whatsapp' as const, businessId: 'acme', wabaId: WABA, status: 'active' as const };
    await upsertChannelAccount(table.db, tableName, account, AT);
    await table.db.send(new PutCommand({ TableName: tableName, Item: { ...(await item(channelAccountKey(NUMBER))), qualityRating: 'GREEN' } }));
    await upsertChannelAccount(table.db, tableName, { ...account, displayName: 'Acme' }, new Date('2026-11-22T00:00:00.000Z'));
    expect(await getChannelAccount(table.db, tableName, NUMBER, { consistentRead: true })).toMatchObject({
      displayName: 'Acme',
      qualityRating: 'GREEN',
      createdAt: AT.toISOString(),
      updatedAt: '2026-11-22T00:00:00.000Z',
    });
    expect(await getChannelAccount(table.db, tableName, 'nobody')).toBeUndefined();
  });
});

describe('account registry store: onboarding claims', () => {
  it('claims a number and its WABA for one business, refuses another business and names what it holds', async () => {
    await claimWhatsAppNumber(table.db, tableName, { businessId: 'acme', wabaId: WABA, phoneNumberId: NUMBER, coexistence: false }, AT);
    expect(await item(channelAccountKey(NUMBER))).toMatchObject({ businessId: 'acme', status: 'onboarding', wabaId: WABA, coexistence: false });
    expect(await item(businessAccountKey(WABA))).toMatchObject({ businessId: 'acme', status: 'onboarding' });
    await expect(
      claimWhatsAppNumber(table.db, tableName, { businessId: 'other', wabaId: WABA, phoneNumberId: NUMBER, coexistence: false }, AT),
    ).rejects.toThrow(
      new OnboardingConflictError(`WhatsApp Business Account ${WABA} belongs to another business; number ${NUMBER} belongs to another business`),
    );
    await expect(upsertBusinessAccount(table.db, tableName, { wabaId: WABA, businessId: 'other', subscribed: true }, AT)).rejects.toBeInstanceOf(
      OnboardingConflictError,
    );
    await upsertBusinessAccount(table.db, tableName, { wabaId: WABA, businessId: 'acme', subscribed: true }, AT);
    expect(await item(businessAccountKey(WABA))).toMatchObject({ subscribed: true, businessId: 'acme' });
  });

  it('puts an account the business had that is not serving back to onboarding, and leaves an active one serving', async () => {
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '17841', channel: 'instagram', businessId: 'acme', status: 'offboarded' }, AT);
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '17842', channel: 'instagram', businessId: 'acme', status: 'active' }, AT);
    await claimInstagramLoginAccount(table.db, tableName, { businessId: 'acme', instagramAccountId: '17841' }, AT);
    await claimInstagramAccount(table.db, tableName, { businessId: 'acme', pageId: '1300', instagramAccountId: '17842' }, AT);
    expect(await item(channelAccountKey('17841'))).toMatchObject({ status: 'onboarding' });
    expect(await item(channelAccountKey('17842'))).toMatchObject({ status: 'active' });
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '1301', channel: 'messenger', businessId: 'other', status: 'active' }, AT);
    await expect(claimInstagramAccount(table.db, tableName, { businessId: 'acme', pageId: '1301', instagramAccountId: '17843' }, AT)).rejects.toThrow(
      'Page 1301 belongs to another business',
    );
    expect(await item(channelAccountKey('17843'))).toBeUndefined();
  });
});

describe('account registry store: health', () => {
  it('applies a change only when newer, moves healthUpdatedAt forward only, and never creates an account', async () => {
    const health = createAccountHealthStore(table.db, tableName);
    await registerChannelAccountIfAbsent(
      table.db,
      tableName,
      { accountId: NUMBER, channel: 'whatsapp', businessId: 'acme', wabaId: WABA, status: 'active' },
      AT,
    );
    const key = channelAccountKey(NUMBER);
    const quality = (event: string) => ({ versionAttribute: 'qualityVersion', set: { qualityEvent: event }, remove: ['gone'] });
    expect(await health.applyHealthChange(key, quality('FLAGGED'), '2026-11-21T12:05:00Z#b', '2026-11-21T12:05:00Z')).toBe(true);
    expect(await health.applyHealthChange(key, quality('UNFLAGGED'), '2026-11-21T12:01:00Z#a', '2026-11-21T12:01:00Z')).toBe(false);
    expect(await item(key)).toMatchObject({ qualityEvent: 'FLAGGED', qualityVersion: '2026-11-21T12:05:00Z#b', healthUpdatedAt: '2026-11-21T12:05:00Z' });
    const name = { versionAttribute: 'nameVersion', set: { displayNameStatus: 'APPROVED' } };
    expect(await health.applyHealthChange(key, name, '2026-11-21T12:02:00Z#c', '2026-11-21T12:02:00Z')).toBe(true);
    expect((await item(key))?.healthUpdatedAt).toBe('2026-11-21T12:05:00Z');
    expect(await health.applyHealthChange(channelAccountKey('nobody'), name, '2026-11-21T12:02:00Z#c', '2026-11-21T12:02:00Z')).toBe(false);
    expect(await item(channelAccountKey('nobody'))).toBeUndefined();
  });

  it('follows the standing only for its own version and between the statuses Meta decides', async () => {
    const health = createAccountHealthStore(table.db, tableName);
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '1', channel: 'whatsapp', businessId: 'acme', status: 'active' }, AT);
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '2', channel: 'whatsapp', businessId: 'acme', status: 'offboarded' }, AT);
    const standing = { versionAttribute: 'standingVersion', set: { accountStanding: 'restricted' } };
    for (const id of ['1', '2']) await health.applyHealthChange(channelAccountKey(id), standing, 'v2', AT.toISOString());
    await health.followStanding(channelAccountKey('1'), 'v1', 'restricted');
    expect((await item(channelAccountKey('1')))?.status).toBe('active');
    await health.followStanding(channelAccountKey('1'), 'v2', 'restricted');
    expect((await item(channelAccountKey('1')))?.status).toBe('restricted');
    await health.followStanding(channelAccountKey('2'), 'v2', 'restricted');
    expect((await item(channelAccountKey('2')))?.status).toBe('offboarded');
  });

  it('reads the notification and lists the WABA numbers of its business a page at a time', async () => {
    const health = createAccountHealthStore(table.db, tableName);
    await table.db.send(new PutCommand({ TableName: tableName, Item: { pk: `ACCT#${WABA}`, sk: 'NOTE#e1', occurredAt: AT.toISOString() } }));
    expect(await health.notification(WABA, 'e1')).toMatchObject({ occurredAt: AT.toISOString() });
    expect(await health.notification(WABA, 'e2')).toBeUndefined();
    for (const [id, waba] of [
      ['1', WABA],
      ['2', 'other-waba'],
      ['3', WABA],
    ] as const) {
      await registerChannelAccountIfAbsent(table.db, tableName, { accountId: id, channel: 'whatsapp', businessId: 'acme', wabaId: waba, status: 'active' }, AT);
    }
    const ids: string[] = [];
    for await (const page of health.wabaNumberPages('acme', WABA)) ids.push(...page.map((i) => String(i.accountId)));
    expect(ids.sort()).toEqual(['1', '3']);
  });
});

describe('business app contacts store', () => {
  const change = (version: string, action: string, name?: string) => ({
    accountId: NUMBER,
    customerId: '5511999',
    version,
    action,
    removed: action === 'remove',
    ...(name ? { addressBookName: name } : {}),
    occurredAt: AT.toISOString(),
    retentionDays: 30,
  });

  it('keeps the newest change: a remove leaves a tombstone an older add cannot undo', async () => {
    const contacts = createBusinessAppContactStore(table.db, tableName);
    expect(await contacts.recordChange(change('2026-11-21T12:00:00Z#a', 'add', 'Ana'))).toBe(true);
    expect(await item({ pk: `ACCT#${NUMBER}`, sk: 'CONTACT#5511999' })).toMatchObject({
      entity: 'Contact',
      source: 'business_app',
      addressBookName: 'Ana',
      removed: false,
      lastAction: 'add',
      contactUpdatedAt: AT.toISOString(),
      expiresAt: Math.floor(AT.getTime() / 1000) + 30 * 86_400,
    });
    expect(await contacts.recordChange(change('2026-11-21T12:02:00Z#c', 'remove'))).toBe(true);
    expect(await contacts.recordChange(change('2026-11-21T12:01:00Z#b', 'add', 'Ana B'))).toBe(false);
    const stored = await item({ pk: `ACCT#${NUMBER}`, sk: 'CONTACT#5511999' });
    expect(stored).toMatchObject({ removed: true, lastAction: 'remove' });
    expect(stored?.addressBookName).toBeUndefined();
  });
});
