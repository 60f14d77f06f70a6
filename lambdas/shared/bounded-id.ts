import { sha256Hex } from '#lambdas/shared/hash';

/**
 * Ids that come from a webhook payload (message ids, customer ids, account ids, event ids) end up
 * in DynamoDB keys (partition key ≤ 2,048 bytes, sort and index keys ≤ 1,024 bytes), SQS message
 * group and deduplication ids (128 characters, hashed on their own in ingress/sqs-fifo-ids.ts) and
 * EventBridge entries (256 KB). An id longer than its bound is not Meta's, so it is replaced by a
 * stable hash form, `h:<sha256 hex>` (66 characters), everywhere it is used as an id; the raw
 * value is kept beside it on the item, cut to MAX_RAW_ID_BYTES.
 *
 * Why these bounds: Meta's ids are short (phone numbers, IGSIDs and PSIDs under 20 digits, wamids
 * under 100 characters, the longest Instagram mids 164), and our provider ids built from them (an
 * Instagram reaction: mid, emoji, IGSID and time) stay under 260 bytes. A single id is bounded at
 * 320 bytes; keys composed of ids (conversation keys `<2>:<account>:<customer>`, event ids) at
 * 700 bytes. The longest keys built from them stay under DynamoDB's limits with room to spare:
 * `<time>#<conversation key>` (GSI sort key) ≤ 765 bytes, `STATUS#<message id>#<status>` ≤ 648,
 * `QUARANTINE#<event id>` ≤ 711, all ≤ 1,024.
 *
 * The bound is in UTF-8 bytes, not characters: DynamoDB counts bytes, and one character can take
 * four. The form is idempotent (a bounded id is returned as is), so key builders may bound again
 * what the normalizer already bounded.
 */
export const MAX_ID_BYTES = 320;

/** Bound of ids composed of other ids: conversation keys (two bounded ids and a prefix) and event ids. */
export const MAX_COMPOSITE_KEY_BYTES = 700;

/**
 * The raw value of a bounded id is kept on the item for people to look at, cut to this many
 * bytes: any id Meta could send fits whole, and a hostile 300 KB "id" cannot push an item (400 KB
 * at most, with a handful of ids on it) over DynamoDB's item size limit.
 */
export const MAX_RAW_ID_BYTES = 4_096;

const HASHED = /^h:[0-9a-f]{64}$/;

/** The id itself when it is at most `maxBytes` long in UTF-8, otherwise `h:<sha256 hex>` of it. */
export function boundedId(id: string, maxBytes: number = MAX_ID_BYTES): string {
  if (HASHED.test(id)) return id;
  return utf8Bytes(id) <= maxBytes ? id : hashedId(id);
}

/** A composite id (a conversation key, an event id) bounded as a whole. */
export function boundedKey(key: string): string {
  return boundedId(key, MAX_COMPOSITE_KEY_BYTES);
}

/** Whether `boundedId` would replace this id by its hash. */
export function exceedsIdBound(id: string, maxBytes: number = MAX_ID_BYTES): boolean {
  return boundedId(id, maxBytes) !== id;
}

export function hashedId(id: string): string {
  return `h:${sha256Hex(id)}`;
}

export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/**
 * The first `maxBytes` bytes of a string's UTF-8 form, never cutting a character in two (a lone
 * surrogate half would be stored as a replacement character and could grow the value).
 */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (utf8Bytes(value) <= maxBytes) return value;
  // Each UTF-16 code unit takes at most 3 bytes (a surrogate pair takes 4 for two units).
  let end = Math.min(value.length, maxBytes);
  while (end > 0 && utf8Bytes(value.slice(0, end)) > maxBytes) {
    const over = utf8Bytes(value.slice(0, end)) - maxBytes;
    end -= Math.max(1, Math.floor(over / 3));
  }
  // Do not end on the first half of a surrogate pair.
  const last = value.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}

/** A raw id as kept beside its bounded form. */
export function rawIdAttribute(raw: string): string {
  return truncateUtf8(raw, MAX_RAW_ID_BYTES);
}
