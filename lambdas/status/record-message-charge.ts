import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { conversationPk } from '#lambdas/conversation/table-keys';
import { SpendNotCountedError, type MessageSpendCounter } from '#lambdas/pricing/count-message-spend';
import type { MessageCharge } from '#lambdas/pricing/whatsapp-message-charge';

/** The price attributes written together; an un-priced message has none of them. */
const PRICE_ATTRIBUTES = [
  'metaPricingModel',
  'metaCategory',
  'metaPricingType',
  'metaBillable',
  'rateCardDate',
  'metaPricedAt',
  'recipientCountry',
  'rateMarket',
  'metaChargeUsd',
] as const;

/**
 * Stores a WhatsApp message's price on its Message item, once. Meta repeats the pricing on `sent`
 * and `delivered`, may send either twice and in any order: the first to arrive writes every price
 * attribute together under `attribute_not_exists(metaPricedAt)`, so a repeat changes nothing and
 * the figures of one receipt are never mixed with another's. Returns whether this call priced it.
 *
 * The call that prices the message also adds it to its business's month (and its campaign) through
 * `spend` (pricing/count-message-spend.ts): the conditional write is what makes that add happen once.
 * If the month's add fails, the price is taken back (conditionally, on this call's `metaPricedAt`)
 * and the error thrown, so the receipt's retry prices and adds it again.
 */
export async function recordMessageCharge(
  ref: { conversationKey: string; messageSk: string },
  charge: MessageCharge,
  at: string,
  deps: { db: DynamoDBDocumentClient; tableName: string; spend?: MessageSpendCounter },
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
  const key = { pk: conversationPk(ref.conversationKey), sk: ref.messageSk };
  let item: Record<string, unknown>;
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(providerMessageId) AND attribute_not_exists(#metaPricedAt)',
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, values[n]])),
        // The account and campaign the spend is counted for come back with the write (no read).
        ...(deps.spend ? { ReturnValues: 'ALL_NEW' as const } : {}),
      }),
    );
    item = out.Attributes ?? {};
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
  if (!deps.spend) return true;
  try {
    await deps.spend.count(item, charge, at);
  } catch (err) {
    if (err instanceof SpendNotCountedError) await unprice(key, at, deps);
    throw err;
  }
  return true;
}

/** Takes this call's price off the message, so that a retry of the receipt prices (and counts) it again. */
async function unprice(key: { pk: string; sk: string }, at: string, deps: { db: DynamoDBDocumentClient; tableName: string }): Promise<void> {
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: `REMOVE ${PRICE_ATTRIBUTES.join(', ')}`,
        ConditionExpression: 'metaPricedAt = :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  } catch {
    // Another receipt's price is on it already, or the table refuses this too: the original error
    // is what the caller sees (in the second case this one message stays priced but uncounted).
  }
}
