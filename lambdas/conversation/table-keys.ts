import { boundedId, boundedKey } from '#lambdas/shared/bounded-id';

/**
 * Single-table layout. Every item has `pk`, `sk` and `entity`; items analysts read carry flat,
 * typed attributes.
 *
 *   pk                      sk                          entity            lsi1sk (byTime)
 *   CONV#<key>              CONV                        Conversation
 *   CONV#<key>              MSG#<provider or our id>    Message           MSG#<occurredAt>#<id>
 *   CONV#<key>              STATUS#<msg id>#<status>    StatusChange      (none: not in the index)
 *   CONV#<key>              CHANGE#<event id>           MessageChange     CHANGE#<occurredAt>
 *   PMID#<provider msg id>  PMID                        ProviderMessageId (points at a business Message item)
 *   ACCT#<account id>       NOTE#<event id>             Notification      NOTE#<occurredAt>
 *   QUARANTINE#<event id>   QUARANTINE                  QuarantinedEvent  (gsi1: QUARANTINE#<day>)
 *
 * Message items are keyed by provider id, not time, so a redelivered event hits the same item
 * and the conditional put refuses it; the LSI gives the time order the agent reads history in.
 *
 * Ids in keys come from payloads. The normalizer already bounds them (conversation/bound-event-ids.ts);
 * the builders bound them again (the form is idempotent) so that no caller can build a key over
 * DynamoDB's limits (2,048-byte partition keys, 1,024-byte sort and index keys).
 */
/** Key attribute and index names, shared by the handlers and the CDK table (lib/constructs/storage.ts). */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /** Local secondary index: a conversation's messages in time order. */
  byTimeIndex: { name: 'byTime', sortKey: 'lsi1sk', projected: ['direction', 'origin'] },
  /** Global secondary index: conversations by business account and state. */
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Sparse global secondary index: conversations waiting in a routing queue, highest priority then oldest first. */
  gsi2: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** Sparse global secondary index: contacts of a business by name and phone prefix (contacts/contact-keys.ts). */
  gsi3: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;

export const conversationPk = (conversationKey: string) => `CONV#${boundedKey(conversationKey)}`;
export const CONVERSATION_SK = 'CONV';
export const messageSk = (messageId: string) => `MSG#${boundedId(messageId)}`;
export const messageTimeSk = (occurredAt: string, messageId: string) => `MSG#${boundedTime(occurredAt)}#${boundedId(messageId)}`;
export const statusSk = (messageId: string, status: string) => `STATUS#${boundedId(messageId)}#${boundedId(status)}`;
export const providerIdPk = (providerMessageId: string) => `PMID#${boundedId(providerMessageId)}`;
export const PROVIDER_ID_SK = 'PMID';
export const accountPk = (accountId: string) => `ACCT#${boundedId(accountId)}`;
export const changeSk = (eventId: string) => `CHANGE#${boundedKey(eventId)}`;
export const changeTimeSk = (occurredAt: string) => `CHANGE#${boundedTime(occurredAt)}`;
export const notificationSk = (eventId: string) => `NOTE#${boundedKey(eventId)}`;
export const notificationTimeSk = (occurredAt: string) => `NOTE#${boundedTime(occurredAt)}`;
/** Event ids come from the payload; a quarantine item must always be storable, so long ids are hashed. */
export const quarantinePk = (eventId: string) => `QUARANTINE#${boundedKey(eventId)}`;
export const QUARANTINE_SK = 'QUARANTINE';

/** GSI1 lists conversations of an account by state (bot, human, closed), newest first. */
export const conversationsByStatePk = (accountId: string, state: string) => `ACCT#${boundedId(accountId)}#STATE#${state}`;
export const conversationsByStateSk = (occurredAt: string, conversationKey: string) => `${boundedTime(occurredAt)}#${boundedKey(conversationKey)}`;
export const quarantineByDayPk = (isoTime: string) => `QUARANTINE#${isoTime.slice(0, 10)}`;
export const quarantineByDaySk = (isoTime: string, eventId: string) => `${boundedTime(isoTime)}#${boundedKey(eventId)}`;

/** Times in keys are ISO-8601 strings we wrote; one that is not is cut rather than let grow a key. */
function boundedTime(iso: string): string {
  return iso.length <= 64 ? iso : iso.slice(0, 64);
}

export function expiresAt(fromIso: string, retentionDays: number): number {
  return Math.floor(Date.parse(fromIso) / 1000) + retentionDays * 86_400;
}
