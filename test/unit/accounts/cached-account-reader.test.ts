import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const ACCOUNT = {
  pk: 'ACCT#100',
  sk: 'ACCOUNT',
  accountId: '100',
  channel: 'whatsapp',
  businessId: 'b1',
  status: 'active',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

/** A table of items by `pk`, counting every GetItem. */
function fakeDb(items: Map<string, Record<string, unknown>>, fail = { next: 0 }) {
  const calls: string[] = [];
  const db = {
    send: async (command: { input: { Key: { pk: string } } }) => {
      calls.push(command.input.Key.pk);
      await new Promise((r) => setTimeout(r, 5));
      if (fail.next > 0) {
        fail.next -= 1;
        throw new Error('ProvisionedThroughputExceeded');
      }
      return { Item: items.get(command.input.Key.pk) };
    },
  } as unknown as DynamoDBDocumentClient;
  return { db, calls };
}

describe('cachedAccountReader', () => {
  it('reads a registered account once a minute and an unknown one once per 10 s', async () => {
    const items = new Map([['ACCT#100', ACCOUNT]]);
    const { db, calls } = fakeDb(items);
    let now = 0;
    const reader = cachedAccountReader({ registry: dynamoAccountRegistry(db, 't'), nowMs: () => now });
    expect(await reader.account('100')).toMatchObject({ accountId: '100', businessId: 'b1' });
    expect(await reader.account('999')).toBeUndefined();
    now = 9_999;
    await reader.account('100');
    await reader.account('999');
    expect(calls).toEqual(['ACCT#100', 'ACCT#999']);
    // The number is onboarded: within 10 s the miss expires and the account is served.
    items.set('ACCT#999', { ...ACCOUNT, pk: 'ACCT#999', accountId: '999' });
    now = 10_001;
    expect(await reader.account('999')).toMatchObject({ accountId: '999' });
    expect(await reader.account('100')).toBeDefined();
    now = 60_001;
    await reader.account('100');
    expect(calls).toEqual(['ACCT#100', 'ACCT#999', 'ACCT#999', 'ACCT#100']);
  });

  it('shares one read between concurrent look-ups and forgets a failed read', async () => {
    const fail = { next: 1 };
    const { db, calls } = fakeDb(new Map([['ACCT#100', ACCOUNT]]), fail);
    const reader = cachedAccountReader({ registry: dynamoAccountRegistry(db, 't') });
    const results = await Promise.allSettled([reader.account('100'), reader.account('100'), reader.account('100')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(calls).toHaveLength(1);
    // The failure is not cached as "unknown": the next look-up reads again and finds it.
    expect(await reader.account('100')).toMatchObject({ status: 'active' });
    expect(calls).toHaveLength(2);
  });

  it('keeps WABA and account entries apart and treats a non-registry item as absent', async () => {
    const items = new Map<string, Record<string, unknown>>([
      ['WABA#200', { pk: 'WABA#200', sk: 'WABA', wabaId: '200', businessId: 'b1', status: 'active', createdAt: 'x', updatedAt: 'x' }],
      ['ACCT#300', { pk: 'ACCT#300', sk: 'ACCOUNT', note: 'not a registry entry' }],
    ]);
    const { db } = fakeDb(items);
    const reader = cachedAccountReader({ registry: dynamoAccountRegistry(db, 't') });
    expect(await reader.waba('200')).toMatchObject({ businessId: 'b1' });
    expect(await reader.account('200')).toBeUndefined();
    expect(await reader.account('300')).toBeUndefined();
  });

  it('holds at most maxEntries ids', async () => {
    const { db, calls } = fakeDb(new Map());
    const reader = cachedAccountReader({ registry: dynamoAccountRegistry(db, 't'), maxEntries: 2 });
    for (const id of ['1', '2', '3']) await reader.account(id);
    await reader.account('3');
    await reader.account('1');
    expect(calls).toEqual(['ACCT#1', 'ACCT#2', 'ACCT#3', 'ACCT#1']);
  });
});
