/**
 * Presigned S3 requests (query-string SigV4: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
 * `X-Amz-Expires`, `X-Amz-Signature`) as a browser follows them, without an Authorization header.
 * Like the rest of the emulator, the signature is not checked; its presence and its expiry are.
 */
export type PresignedVerdict = { presigned: false } | { presigned: true; valid: true } | { presigned: true; valid: false; reason: 'expired' | 'malformed' };

/** S3 refuses expiries over seven days. */
const MAX_EXPIRES_SECONDS = 604_800;

export function presignedVerdict(query: URLSearchParams, nowMs: number): PresignedVerdict {
  if (!query.has('X-Amz-Signature') && !query.has('X-Amz-Algorithm')) return { presigned: false };
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
  const expires = Number(query.get('X-Amz-Expires'));
  const complete =
    query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' &&
    (query.get('X-Amz-Credential') ?? '').length > 0 &&
    /^[0-9a-f]{64}$/.test(query.get('X-Amz-Signature') ?? '') &&
    date !== null &&
    Number.isInteger(expires) &&
    expires >= 1 &&
    expires <= MAX_EXPIRES_SECONDS;
  if (!complete) return { presigned: true, valid: false, reason: 'malformed' };
  const [, y, mo, d, h, mi, s] = date.map(Number) as number[];
  const signedAt = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  if (nowMs > signedAt + expires * 1000) return { presigned: true, valid: false, reason: 'expired' };
  return { presigned: true, valid: true };
}
