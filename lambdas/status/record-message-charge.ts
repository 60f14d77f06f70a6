import type { MessageSpendCounter } from '#lambdas/pricing/count-message-spend';
import type { MessageCharge } from '#lambdas/pricing/whatsapp-message-charge';
import type { MessageRef, MessageStatusStore } from '#lambdas/status/message-status-store';
import { SpendNotCountedError } from '#lambdas/pricing/errors';

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
  ref: MessageRef,
  charge: MessageCharge,
  at: string,
  deps: { statuses: Pick<MessageStatusStore, 'priceMessage' | 'unpriceMessage'>; spend?: MessageSpendCounter },
): Promise<boolean> {
  const price = {
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
  // The account and campaign the spend is counted for come back with the write (no read).
  const item = await deps.statuses.priceMessage(ref, price, deps.spend !== undefined);
  if (!item) return false;
  if (!deps.spend) return true;
  try {
    await deps.spend.count(item, charge, at);
  } catch (err) {
    // Takes this call's price off the message, so that a retry of the receipt prices (and counts) it again.
    if (err instanceof SpendNotCountedError) await deps.statuses.unpriceMessage(ref, at);
    throw err;
  }
  return true;
}
