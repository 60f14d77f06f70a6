import type { Channel } from '#lambdas/conversation/model';
import { boundedId } from '#lambdas/shared/bounded-id';

const PREFIX: Record<Channel, string> = { whatsapp: 'wa', instagram: 'ig', messenger: 'fb' };

/**
 * The conversation key is per business account and customer: `wa:<phone_number_id>:<wa_id>`,
 * `ig:<ig_account_id>:<igsid>`, `fb:<page_id>:<psid>`. WhatsApp groups use `g.<group_id>` as
 * the customer part. Account-level changes (templates, quality, account updates) use `_account`
 * so they are ordered among themselves and never block a customer's conversation.
 *
 * Both parts come from the payload: each is bounded (shared/bounded-id.ts), so the key fits every
 * DynamoDB key, SQS group id (after its own hashing) and event it is written into. The webhook's
 * splitter and the normalizer build keys here, so they agree on the bounded form.
 */
export function conversationKey(channel: Channel, accountId: string, customerId: string): string {
  return `${PREFIX[channel]}:${boundedId(accountId)}:${boundedId(customerId)}`;
}

export function accountKey(channel: Channel, accountId: string): string {
  return conversationKey(channel, accountId, '_account');
}

/** Channel that a conversation key belongs to. */
export function channelOfKey(key: string): Channel | undefined {
  const prefix = key.split(':', 1)[0];
  return (Object.keys(PREFIX) as Channel[]).find((c) => PREFIX[c] === prefix);
}

/** Key used for events that cannot be attributed to any conversation. */
export const QUARANTINE_KEY = 'quarantine';
