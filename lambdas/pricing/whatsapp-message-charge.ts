import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { e164FromWaId } from '#lambdas/contacts/phone-number';
import { marketOf, RATED_CATEGORIES, type RateCard, type RatedCategory } from '#lambdas/pricing/rate-card';

/**
 * What a WhatsApp status webhook says about the price of the message it describes, in either form
 * Meta sends (Cloud API status webhook, `statuses[].pricing`):
 * - per-message pricing (since 2025-07-01): `{ billable, pricing_model: 'PMP', type: 'regular' |
 *   'free_customer_service' | 'free_entry_point', category }`;
 * - conversation-based pricing (before): `{ billable, pricing_model: 'CBP', category }` with the
 *   category also in `conversation.origin.type`.
 */
export interface StatusPricing {
  category?: string;
  billable?: boolean;
  pricingModel?: string;
  type?: string;
  /** `conversation.origin.type` (CBP): the category when `pricing.category` is missing. */
  conversationOrigin?: string;
}

/** The price facts stored on the Message item, flat for analysts. */
export interface MessageCharge {
  metaPricingModel: 'PMP' | 'CBP' | 'unknown';
  /** Meta's category in lower case (`marketing`, `utility`, `authentication`, `service`, …), `unknown` if none. */
  metaCategory: string;
  /**
   * `regular` (charged), `free_customer_service`, `free_entry_point`, `not_billable` (Meta's
   * `billable: false`), or `conversation` for a CBP message (charged per conversation, not per message).
   */
  metaPricingType: string;
  metaBillable: boolean;
  /** ISO country of the recipient's calling code, when the number (or BSUID prefix) tells it. */
  recipientCountry?: string;
  /** The rate card market the charge used (`BR`, `OTHER`, …). */
  rateMarket?: string;
  /** USD; 0 for a free message; absent when the card has no rate for it (shown as unpriced). */
  metaChargeUsd?: number;
  rateCardDate: string;
}

const FREE_TYPES = new Set(['free_customer_service', 'free_entry_point']);
/** Meta bills `marketing_lite` (Marketing Messages API) at the marketing rate. */
const CATEGORY_ALIASES: Record<string, RatedCategory> = { marketing_lite: 'marketing' };
const MAX_LABEL = 40;

/** A Meta enum value as a short lower-case label, or undefined: the webhook is hostile input. */
function label(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return /^[a-z][a-z0-9_]{0,39}$/.test(v) && v.length <= MAX_LABEL ? v : undefined;
}

/**
 * The recipient's country from the status's recipient: a wa_id's calling code through
 * libphonenumber, else the ISO prefix of a business-scoped user id (`US.1349…`). Meta bills by the
 * calling code of the recipient's number.
 */
export function recipientCountryOf(recipient: string | undefined): string | undefined {
  if (!recipient || recipient.length > 64) return undefined;
  const e164 = e164FromWaId(recipient);
  if (e164) return parsePhoneNumberFromString(e164)?.country ?? undefined;
  const scoped = /^([A-Z]{2})\.[A-Za-z0-9.]+$/.exec(recipient);
  return scoped?.[1];
}

/**
 * Prices one message from the pricing its status reported. Free types and `billable: false` cost 0;
 * a per-message `regular` message costs its market's rate for its category. A CBP message is not
 * priced here: Meta charged the conversation, once, not each message in it.
 */
export function priceWhatsAppMessage(pricing: StatusPricing, recipientCountry: string | undefined, card: RateCard): MessageCharge {
  const model = label(pricing.pricingModel)?.toUpperCase();
  const metaPricingModel = model === 'PMP' || model === 'CBP' ? model : 'unknown';
  const metaCategory = label(pricing.category) ?? label(pricing.conversationOrigin) ?? 'unknown';
  const type = label(pricing.type);
  const base = {
    metaPricingModel,
    metaCategory,
    ...(recipientCountry ? { recipientCountry } : {}),
    rateCardDate: card.effectiveDate,
  } as const;
  if (pricing.billable === false)
    return { ...base, metaPricingType: type && FREE_TYPES.has(type) ? type : 'not_billable', metaBillable: false, metaChargeUsd: 0 };
  if (type && FREE_TYPES.has(type)) return { ...base, metaPricingType: type, metaBillable: false, metaChargeUsd: 0 };
  // CBP's free entry point conversations were reported as the `referral_conversion` category.
  if (metaCategory === 'referral_conversion') return { ...base, metaPricingType: 'free_entry_point', metaBillable: false, metaChargeUsd: 0 };
  if (metaPricingModel === 'CBP') return { ...base, metaPricingType: 'conversation', metaBillable: pricing.billable ?? true };
  const { key, market } = marketOf(card, recipientCountry);
  const rated = CATEGORY_ALIASES[metaCategory] ?? (RATED_CATEGORIES as readonly string[]).find((c) => c === metaCategory);
  const rate = rated ? market.rates[rated as RatedCategory] : undefined;
  return {
    ...base,
    metaPricingType: type ?? 'regular',
    metaBillable: true,
    rateMarket: key,
    ...(rate !== undefined ? { metaChargeUsd: rate } : {}),
  };
}
