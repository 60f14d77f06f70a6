import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { businessAccountGsiSk, businessAccountKey, businessGsiPk } from '#lambdas/accounts/channel-account';
import { OnboardingConflictError } from '#lambdas/onboarding/onboarding-failure';

export interface BusinessAccountFields {
  wabaId: string;
  businessId: string;
  tokenSecretId?: string;
  /** Our app is subscribed to the WABA's webhooks. */
  subscribed?: boolean;
}

/**
 * Updates the WABA item of the registry (`WABA#<waba id>` / `WABA`) with the fields onboarding
 * knows, leaving what other writers keep there (templates) untouched. Only the business that owns
 * the item (or nobody yet) may write it: the write is conditional, never a read then a write.
 */
export async function upsertBusinessAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  fields: BusinessAccountFields,
  now: Date = new Date(),
): Promise<void> {
  const at = now.toISOString();
  const set = Object.entries({
    entity: 'BusinessAccount',
    gsi1pk: businessGsiPk(fields.businessId),
    gsi1sk: businessAccountGsiSk(fields.wabaId),
    wabaId: fields.wabaId,
    tokenSecretId: fields.tokenSecretId,
    subscribed: fields.subscribed,
    updatedAt: at,
  }).filter(([, v]) => v !== undefined);
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: businessAccountKey(fields.wabaId),
        UpdateExpression: `SET businessId = :mine, ${set.map((_, i) => `#f${i} = :f${i}`).join(', ')}, createdAt = if_not_exists(createdAt, :at)`,
        ConditionExpression: 'attribute_not_exists(pk) OR businessId = :mine',
        ExpressionAttributeNames: Object.fromEntries(set.map(([k], i) => [`#f${i}`, k])),
        ExpressionAttributeValues: { ':mine': fields.businessId, ':at': at, ...Object.fromEntries(set.map(([, v], i) => [`:f${i}`, v])) },
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new OnboardingConflictError(`WhatsApp Business Account ${fields.wabaId} belongs to another business`);
    }
    throw err;
  }
}
