import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OnboardingProgress, whatsappProgressKey } from '#lambdas/onboarding/onboarding-progress';
import { dynamoProgressStore } from '#lambdas/onboarding/onboarding-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { ConcurrentOnboardingError } from '#lambdas/onboarding/errors';

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
});

const fresh: OnboardingProgress = {
  channel: 'whatsapp',
  businessId: 'acme',
  accountId: '1100',
  ownerId: '2100',
  steps: {},
  startedAt: '2026-11-21T12:00:00.000Z',
  updatedAt: '2026-11-21T12:00:00.000Z',
  version: 0,
};

describe('onboarding progress store', () => {
  it('writes under an optimistic lock: a run writing from a version someone else moved past is refused', async () => {
    const store = dynamoProgressStore(table.db, tableName);
    const key = whatsappProgressKey('2100', '1100');
    expect(await store.read(key)).toBeUndefined();
    const first = await store.write(key, { ...fresh, failure: undefined });
    expect(first.version).toBe(1);
    await expect(store.write(key, fresh)).rejects.toBeInstanceOf(ConcurrentOnboardingError);
    const second = await store.write(key, { ...first, tokenSecretId: 'P/account-tokens/2100' });
    expect(second.version).toBe(2);
    await expect(store.write(key, first)).rejects.toBeInstanceOf(ConcurrentOnboardingError);
    expect(await store.read(key)).toEqual({ ...fresh, tokenSecretId: 'P/account-tokens/2100', version: 2 });
    const raw = (await table.db.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    expect(raw).toMatchObject({ pk: 'WABA#2100', sk: 'ONBOARDING#1100', entity: 'OnboardingProgress' });
    expect(raw).not.toHaveProperty('failure');
  });
});
