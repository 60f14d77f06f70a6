import { createHash } from 'node:crypto';

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
 */
export const conversationPk = (conversationKey: string) => `CONV#${conversationKey}`;
export const CONVERSATION_SK = 'CONV';
export const messageSk = (messageId: string) => `MSG#${messageId}`;
export const messageTimeSk = (occurredAt: string, messageId: string) => `MSG#${occurredAt}#${messageId}`;
export const statusSk = (messageId: string, status: string) => `STATUS#${messageId}#${status}`;
export const providerIdPk = (providerMessageId: string) => `PMID#${providerMessageId}`;
export const PROVIDER_ID_SK = 'PMID';
export const accountPk = (accountId: string) => `ACCT#${accountId}`;
/**
 * Event ids come from the payload; a hostile or broken one can exceed DynamoDB's 2,048-byte
 * partition key limit, and a quarantine item must always be storable. Long ids are hashed.
 */
export const quarantinePk = (eventId: string) =>
  `QUARANTINE#${eventId.length > 512 ? `h:${createHash('sha256').update(eventId).digest('hex')}` : eventId}`;
export const QUARANTINE_SK = 'QUARANTINE';

/** GSI1 lists conversations of an account by state (bot, human, closed), newest first. */
export const conversationsByStatePk = (accountId: string, state: string) => `ACCT#${accountId}#STATE#${state}`;
export const quarantineByDayPk = (isoTime: string) => `QUARANTINE#${isoTime.slice(0, 10)}`;

export function expiresAt(fromIso: string, retentionDays: number): number {
  return Math.floor(Date.parse(fromIso) / 1000) + retentionDays * 86_400;
}
