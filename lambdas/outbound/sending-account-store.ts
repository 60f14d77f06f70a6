import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accountPk } from '#lambdas/conversation/table-keys';

/** The channel account item (`pk ACCT#<accountId>`, `sk ACCOUNT`), as far as the sender reads and marks it. */
export const CHANNEL_ACCOUNT_SK = 'ACCOUNT';

export interface SendingAccountStore {
  /** The channel account item (eventually consistent), for its pacing limits; undefined when there is none. */
  readAccount(accountId: string): Promise<Record<string, unknown> | undefined>;
  /** Meta refused the account's token: the account says it needs authorising again, and why. */
  markNeedsReauthorisation(accountId: string, auth: { at: string; code: number | null; subcode: number | null }): Promise<void>;
}

export function createSendingAccountStore(db: DynamoDBDocumentClient, tableName: string): SendingAccountStore {
  const key = (accountId: string) => ({ pk: accountPk(accountId), sk: CHANNEL_ACCOUNT_SK });
  return {
    async readAccount(accountId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: key(accountId) }));
      return out.Item;
    },
    async markNeedsReauthorisation(accountId, auth) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(accountId),
          UpdateExpression: 'SET needsReauthorisation = :yes, reauthorisationRequiredAt = :at, lastAuthErrorCode = :code, lastAuthErrorSubcode = :subcode',
          ExpressionAttributeValues: { ':yes': true, ':at': auth.at, ':code': auth.code, ':subcode': auth.subcode },
        }),
      );
    },
  };
}
