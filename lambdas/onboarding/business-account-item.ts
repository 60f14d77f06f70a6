import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BUSINESS_ACCOUNT_SK, businessAccountGsiSk, businessGsiPk, wabaPk } from '#lambdas/accounts/channel-account';

export interface BusinessAccountFields {
  wabaId: string;
  businessId: string;
  tokenSecretId?: string;
  /** Our app is subscribed to the WABA's webhooks. */
  subscribed?: boolean;
}

/**
 * Creates or updates the WABA item of the registry (`WABA#<waba id>` / `WABA`) with the fields
 * onboarding knows, leaving what other writers keep there (templates) untouched.
 */
export async function upsertBusinessAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  fields: BusinessAccountFields,
  now: Date = new Date(),
): Promise<void> {
  const at = now.toISOString();
  const set: Record<string, unknown> = {
    entity: 'BusinessAccount',
    gsi1pk: businessGsiPk(fields.businessId),
    gsi1sk: businessAccountGsiSk(fields.wabaId),
    updatedAt: at,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
  const names: Record<string, string> = { '#createdAt': 'createdAt' };
  const values: Record<string, unknown> = { ':createdAt': at };
  const clauses = Object.entries(set).map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:f${i}`] = v;
    return `#f${i} = :f${i}`;
  });
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: wabaPk(fields.wabaId), sk: BUSINESS_ACCOUNT_SK },
      UpdateExpression: `SET ${clauses.join(', ')}, #createdAt = if_not_exists(#createdAt, :createdAt)`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}
