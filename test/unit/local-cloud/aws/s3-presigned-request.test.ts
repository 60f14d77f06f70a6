import { describe, expect, it } from 'vitest';
import { presignedVerdict } from '#lib/local-cloud/aws/s3/presigned-request';

const signedAt = Date.UTC(2026, 10, 21, 12, 0, 0);
const query = (over: Record<string, string> = {}) =>
  new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': 'AKID/20261121/us-east-1/s3/aws4_request',
    'X-Amz-Date': '20261121T120000Z',
    'X-Amz-Expires': '300',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': 'a'.repeat(64),
    ...over,
  });

describe('presignedVerdict', () => {
  it('no query signature: not presigned', () => {
    expect(presignedVerdict(new URLSearchParams('list-type=2'), signedAt)).toEqual({ presigned: false });
  });
  it('valid until the expiry, expired after', () => {
    expect(presignedVerdict(query(), signedAt + 300_000)).toEqual({ presigned: true, valid: true });
    expect(presignedVerdict(query(), signedAt + 300_001)).toEqual({ presigned: true, valid: false, reason: 'expired' });
  });
  it.each<Record<string, string>>([
    { 'X-Amz-Signature': 'zz' },
    { 'X-Amz-Expires': '0' },
    { 'X-Amz-Expires': '604801' },
    { 'X-Amz-Date': '2026-11-21' },
    { 'X-Amz-Algorithm': 'MD5' },
    { 'X-Amz-Credential': '' },
  ])('malformed: %o', (over) => {
    expect(presignedVerdict(query(over), signedAt)).toEqual({ presigned: true, valid: false, reason: 'malformed' });
  });
});
