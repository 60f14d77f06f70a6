import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BUSINESS_ACCOUNT_SK, businessAccountGsiSk, businessGsiPk, setKeepingCreatedAt, wabaPk } from '#lambdas/accounts/channel-account';

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
  await setKeepingCreatedAt(db, tableName, { pk: wabaPk(fields.wabaId), sk: BUSINESS_ACCOUNT_SK }, {
    entity: 'BusinessAccount',
    gsi1pk: businessGsiPk(fields.businessId),
    gsi1sk: businessAccountGsiSk(fields.wabaId),
    ...fields,
  }, now);
}
