import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { channelAccountKey, getChannelAccount, type ChannelAccount } from '#lambdas/accounts/channel-account';
import { TABLE_KEYS } from '#lambdas/conversation/table-keys';

/**
 * The Instagram Login tokens the refresh job watches, kept on the accounts' registry items:
 *
 *   pk                 sk        tokenExpiresAt  tokenIssuedAt  gsi2pk           gsi2sk
 *   ACCT#<ig user id>  ACCOUNT   <ISO time>      <ISO time>     IGLOGIN#TOKENS   <tokenExpiresAt>#<ig user id>
 *
 * The sparse GSI2 keys exist only while an account's token is watched, so the daily job reads the
 * tokens that expire soonest with one query, whatever else the table holds. They are set with the
 * expiry in the same write, removed when the account waits for a new login or stops being served.
 */
export const INSTAGRAM_TOKEN_INDEX_PK = 'IGLOGIN#TOKENS';
export const instagramTokenIndexSk = (expiresAt: string, accountId: string) => `${expiresAt}#${accountId}`;

export interface InstagramTokenStore {
  /** Account ids whose token expires before `before` (ISO), soonest first. */
  dueBefore(before: string): Promise<string[]>;
  read(accountId: string): Promise<(ChannelAccount & Record<string, unknown>) | undefined>;
  /**
   * Records a token (onboarding, or a refresh) and watches it. With `previousExpiresAt` the write
   * happens only if nobody recorded another token meanwhile; answers whether it was written.
   */
  recordToken(accountId: string, token: { expiresAt: string; issuedAt: string; previousExpiresAt?: string }, at: string): Promise<boolean>;
  /** A refresh that may work another day (Meta or the network failed): counted on the item. */
  recordRefreshFailure(accountId: string, failure: { code?: number }, at: string): Promise<void>;
  /** The token cannot be renewed without the business: the account waits for a new login, unwatched. */
  markNeedsReauthorisation(accountId: string, reason: { reason: string; code?: number }, at: string): Promise<boolean>;
  /** Stops watching an account that is no longer an Instagram Login account being served. */
  unwatch(accountId: string): Promise<void>;
}

export function dynamoInstagramTokenStore(db: DynamoDBDocumentClient, tableName: string): InstagramTokenStore {
  const update = async (input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> => {
    try {
      await db.send(new UpdateCommand(input));
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  };
  return {
    async dueBefore(before) {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: TABLE_KEYS.gsi2.name,
            KeyConditionExpression: '#pk = :pk AND #sk < :before',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi2.partitionKey, '#sk': TABLE_KEYS.gsi2.sortKey },
            ExpressionAttributeValues: { ':pk': INSTAGRAM_TOKEN_INDEX_PK, ':before': before },
            ProjectionExpression: 'accountId',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) if (typeof item.accountId === 'string') ids.push(item.accountId);
        start = out.LastEvaluatedKey;
      } while (start);
      return ids;
    },
    read: (accountId) => getChannelAccount(db, tableName, accountId, { consistentRead: true }),
    recordToken(accountId, token, at) {
      const guarded = token.previousExpiresAt !== undefined;
      return update({
        TableName: tableName,
        Key: channelAccountKey(accountId),
        UpdateExpression:
          'SET tokenExpiresAt = :expiresAt, tokenIssuedAt = :issuedAt, tokenRecordedAt = :at, #gpk = :gpk, #gsk = :gsk ' +
          'REMOVE tokenRefreshFailures, tokenRefreshFailedAt, lastTokenRefreshErrorCode, needsReauthorisation, reauthorisationRequiredAt, reauthorisationReason',
        ConditionExpression: guarded ? 'attribute_exists(pk) AND tokenExpiresAt = :previous' : 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#gpk': TABLE_KEYS.gsi2.partitionKey, '#gsk': TABLE_KEYS.gsi2.sortKey },
        ExpressionAttributeValues: {
          ':expiresAt': token.expiresAt,
          ':issuedAt': token.issuedAt,
          ':at': at,
          ':gpk': INSTAGRAM_TOKEN_INDEX_PK,
          ':gsk': instagramTokenIndexSk(token.expiresAt, accountId),
          ...(guarded ? { ':previous': token.previousExpiresAt } : {}),
        },
      });
    },
    async recordRefreshFailure(accountId, failure, at) {
      await update({
        TableName: tableName,
        Key: channelAccountKey(accountId),
        UpdateExpression: 'SET tokenRefreshFailedAt = :at, lastTokenRefreshErrorCode = :code ADD tokenRefreshFailures :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at, ':code': failure.code ?? null, ':one': 1 },
      });
    },
    markNeedsReauthorisation(accountId, reason, at) {
      return update({
        TableName: tableName,
        Key: channelAccountKey(accountId),
        UpdateExpression:
          'SET #status = :needs, needsReauthorisation = :yes, reauthorisationRequiredAt = :at, reauthorisationReason = :reason, ' +
          'tokenRefreshFailedAt = :at, lastTokenRefreshErrorCode = :code, updatedAt = :at REMOVE #gpk, #gsk',
        // Offboarded or re-onboarding accounts keep their status; their token no longer matters here.
        ConditionExpression: 'attribute_exists(pk) AND #status <> :offboarded AND #status <> :onboarding',
        ExpressionAttributeNames: { '#status': 'status', '#gpk': TABLE_KEYS.gsi2.partitionKey, '#gsk': TABLE_KEYS.gsi2.sortKey },
        ExpressionAttributeValues: {
          ':needs': 'needs_reauthorisation',
          ':yes': true,
          ':at': at,
          ':reason': reason.reason,
          ':code': reason.code ?? null,
          ':offboarded': 'offboarded',
          ':onboarding': 'onboarding',
        },
      });
    },
    async unwatch(accountId) {
      await update({
        TableName: tableName,
        Key: channelAccountKey(accountId),
        UpdateExpression: 'REMOVE #gpk, #gsk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#gpk': TABLE_KEYS.gsi2.partitionKey, '#gsk': TABLE_KEYS.gsi2.sortKey },
      });
    },
  };
}
