import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { conversationPk } from '#lambdas/conversation/table-keys';
import type { MessageCharge } from '#lambdas/pricing/whatsapp-message-charge';

/**
 * Stores a WhatsApp message's price on its Message item, once. Meta repeats the pricing on `sent`
 * and `delivered`, may send either twice and in any order: the first to arrive writes every price
 * attribute together under `attribute_not_exists(metaPricedAt)`, so a repeat changes nothing and
 * the figures of one receipt are never mixed with another's. Returns whether this call priced it.
 */
export async function recordMessageCharge(
  ref: { conversationKey: string; messageSk: string },
  charge: MessageCharge,
  at: string,
  deps: { db: DynamoDBDocumentClient; tableName: string },
): Promise<boolean> {
  const values: Record<string, unknown> = {
    metaPricingModel: charge.metaPricingModel,
    metaCategory: charge.metaCategory,
    metaPricingType: charge.metaPricingType,
    metaBillable: charge.metaBillable,
    rateCardDate: charge.rateCardDate,
    metaPricedAt: at,
    ...(charge.recipientCountry !== undefined ? { recipientCountry: charge.recipientCountry } : {}),
    ...(charge.rateMarket !== undefined ? { rateMarket: charge.rateMarket } : {}),
    ...(charge.metaChargeUsd !== undefined ? { metaChargeUsd: charge.metaChargeUsd } : {}),
  };
  const names = Object.keys(values);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: conversationPk(ref.conversationKey), sk: ref.messageSk },
        UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(providerMessageId) AND attribute_not_exists(#metaPricedAt)',
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, values[n]])),
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}
