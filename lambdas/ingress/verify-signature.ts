import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Checks Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>`.
 * The HMAC is computed over the exact bytes received: re-serialising parsed JSON would change
 * escapes (Meta escapes non-ASCII as \uXXXX) and break valid signatures.
 */
export function isValidMetaSignature(rawBody: Uint8Array, header: string | undefined, appSecret: string): boolean {
  if (!header || !appSecret) return false;
  const value = header.trim();
  if (!value.toLowerCase().startsWith(PREFIX)) return false;
  const hex = value.slice(PREFIX.length);
  if (!HEX_SHA256.test(hex)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(hex, 'hex');
  // Lengths are equal here (both 32 bytes): timingSafeEqual keeps the comparison constant-time.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signMetaBody(rawBody: Uint8Array | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}
