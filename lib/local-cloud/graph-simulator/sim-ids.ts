import { randomBytes } from 'node:crypto';

/**
 * Ids with the shapes Meta uses, unique within a process. Consumers must treat them as opaque,
 * so only the prefix and alphabet matter; a counter guarantees uniqueness, random bytes make
 * accidental reliance on order unlikely.
 */
let counter = 0;

function nextSerial(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter.toString(36)}`;
}

/** `wamid.` followed by base64, like the WhatsApp Cloud API's message ids. */
export function newWamid(recipient: string): string {
  const raw = Buffer.concat([Buffer.from(`${recipient}:${nextSerial()}:`), randomBytes(9)]);
  return `wamid.${raw.toString('base64')}`;
}

/** Messenger message ids: `m_` followed by URL-safe base64. */
export function newMessengerMid(): string {
  return `m_${Buffer.concat([Buffer.from(nextSerial()), randomBytes(24)]).toString('base64url')}`;
}

/** Instagram message ids are base64 of an item reference naming the account. */
export function newInstagramMid(accountId: string): string {
  const raw = `ig_message_item:1:IGMessageID:${accountId}:${nextSerial()}${randomBytes(8).toString('hex')}`;
  return Buffer.from(raw).toString('base64').replace(/=+$/, '');
}

/** Graph API trace ids: 23 characters, starting with `A`. */
export function newFbtraceId(): string {
  return `A${randomBytes(17).toString('base64url').slice(0, 22)}`;
}

/** WhatsApp conversation ids are 32 hex characters. */
export function newConversationId(): string {
  return randomBytes(16).toString('hex');
}

/** Media ids are 15-16 digit numbers. */
export function newMediaId(): string {
  return `${Date.now()}${String(counter++ % 1000).padStart(3, '0')}`;
}
