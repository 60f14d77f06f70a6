import { createHash } from 'node:crypto';

/**
 * Fields whose whole value is personal data in Meta's payloads or our own events: message text,
 * names, phone numbers and customer ids, contact cards, locations, e-mails. Everything under such a
 * key is masked, whatever its shape.
 */
const PERSONAL_KEYS: ReadonlySet<string> = new Set(
  [
    'text',
    'body',
    'caption',
    'name',
    'first_name',
    'last_name',
    'formatted_name',
    'username',
    'profile',
    'wa_id',
    'user_id',
    'from',
    'to',
    'recipient_id',
    'recipientId',
    'customerId',
    'customer',
    'sender',
    'phone',
    'phone_number',
    'phones',
    'email',
    'emails',
    'address',
    'addresses',
    'location',
    'latitude',
    'longitude',
    'contacts',
    'emoji',
    'title',
    'description',
    'rawPayload',
  ].map((k) => k.toLowerCase()),
);

/** `wa:<number id>:<wa_id>`, `ig:<account>:<igsid>`, `fb:<page>:<psid>`: the last part is the customer. */
const CONVERSATION_KEY = /^(wa|ig|fb):([^:]+):(.+)$/;

/**
 * A stand-in that says how long the value was and lets two masked values be compared (same value,
 * same tag) without showing either.
 */
export function maskValue(value: string | number | boolean): string {
  const text = String(value);
  return `«masked ${text.length} #${createHash('sha256').update(text).digest('hex').slice(0, 8)}»`;
}

/** Masks personal fields anywhere in a JSON value; conversation keys keep their business part. */
export function maskPersonalData(value: unknown, underPersonalKey = false): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, underPersonalKey));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskPersonalData(v, underPersonalKey || PERSONAL_KEYS.has(k.toLowerCase()))]),
    );
  }
  if (typeof value === 'string') {
    // Quarantined items and claim checks carry payloads as JSON text: look inside.
    const nested = parseJsonObject(value);
    if (nested !== undefined) return JSON.stringify(maskPersonalData(nested, underPersonalKey));
    if (underPersonalKey) return maskValue(value);
    const key = CONVERSATION_KEY.exec(value);
    return key ? `${key[1]}:${key[2]}:${maskValue(key[3] as string)}` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return underPersonalKey ? maskValue(value) : value;
  return value;
}

/**
 * A message body fit to print: JSON with personal fields masked, cut to `maxChars`. A body that is
 * not JSON could hold anything, so only its length is shown.
 */
export function printableBody(body: string, maxChars = 600): string {
  const parsed = parseJsonObject(body) ?? parseJsonArray(body);
  if (parsed === undefined) return `«${Buffer.byteLength(body)} bytes, not JSON: not shown»`;
  const text = JSON.stringify(maskPersonalData(parsed));
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)`;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseJsonArray(text: string): unknown[] | undefined {
  if (!text.trimStart().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
