import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook bodies are signed the way Meta signs its webhooks: `sha256=<hex>`, the HMAC-SHA256 of the
 * exact body bytes with the integration's signing secret. Deliveries carry it as the `signature`
 * query parameter (EventBridge cannot put a per-delivery value in a header: delivery-parameters.ts);
 * a receiver verifies it over the raw bytes it received, before parsing them.
 *
 * EventBridge builds the request body itself: the target's InputPath (`$.detail.request.body`)
 * selects the body object out of the event and EventBridge writes it as minified JSON. AWS does not
 * document how a *string* selected by InputPath is written (verbatim or as a quoted JSON string), so
 * the body stays a JSON object and is made *serialization-stable* before it is signed: a value whose
 * minified JSON is the same whoever writes it (key order kept, no whitespace, strings without
 * characters serializers escape differently, only integers as numbers). The signature is computed
 * over `JSON.stringify` of that value; EventBridge writing the same value minified gives the same
 * bytes. docs/integrations.md says how to check this on a deployment.
 */
export function stableBody<T>(value: T): T {
  return stabilize(value, 0) as T;
}

/** `JSON.stringify` of a stable body: the bytes that are signed and sent. */
export function bodyBytes(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body), 'utf8');
}

export function signatureOf(bytes: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;
}

/** Constant-time check of a received signature value (the `signature` query parameter, or `X-Hub-Signature-256` on a lookup). */
export function verifySignature(bytes: Buffer | string, secret: string, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(signatureOf(bytes, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const MAX_DEPTH = 20;
// C0 controls other than tab, line feed and carriage return: serializers disagree on their escapes (\b vs \u0008, \u001f vs \u001F).
// eslint-disable-next-line no-control-regex
const UNSTABLE_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
// A lone surrogate half is escaped by JSON.stringify and replaced or refused by others.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function stabilize(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD').replace(UNSTABLE_CONTROLS, ' ');
  if (typeof value === 'number') {
    // 1e21, 0.1 + 0.2 or -0 are written differently by different serializers: they travel as strings.
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return value;
    return Number.isFinite(value) ? String(value) : null;
  }
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => (v === undefined || typeof v === 'function' ? null : stabilize(v, depth + 1)));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || typeof v === 'function') continue;
      out[stabilize(k, depth) as string] = stabilize(v, depth + 1);
    }
    return out;
  }
  return null;
}
