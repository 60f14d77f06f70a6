import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, type DocumentClient } from '#lambdas/adapters/dynamodb';
import type { OnboardingProgress, ProgressStore } from '#lambdas/onboarding/onboarding-progress';
import { ConcurrentOnboardingError } from '#lambdas/onboarding/errors';

/**
 * Onboarding progress in the table (keys in onboarding-progress.ts): read consistently, written
 * whole under an optimistic lock on `version` (absent item for the first write), so two runs of
 * the same onboarding cannot interleave their writes.
 */
export function dynamoProgressStore(db: DocumentClient, tableName: string): ProgressStore {
  return {
    async read(key) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, entity: _entity, ...rest } = out.Item;
      return rest as OnboardingProgress;
    },
    async write(key, progress) {
      const next = { ...progress, version: progress.version + 1 };
      const written = await conditionalWrite(
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key, entity: 'OnboardingProgress', ...stripUndefined(next) },
            ConditionExpression: progress.version === 0 ? 'attribute_not_exists(pk)' : '#v = :v',
            ...(progress.version === 0 ? {} : { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': progress.version } }),
          }),
        ),
      );
      if (!written) throw new ConcurrentOnboardingError('another onboarding run of this account is in progress; wait for it and re-run');
      return next;
    },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
