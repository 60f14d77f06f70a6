import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestMatches } from '#lambdas/media/media-digest';

const bytes = Buffer.from('a small picture');
const digest = createHash('sha256').update(bytes).digest();

describe('digestMatches', () => {
  it('accepts the hex digest of the media URL answer, in either case', () => {
    expect(digestMatches(digest.toString('hex'), digest)).toBe('match');
    expect(digestMatches(digest.toString('hex').toUpperCase(), digest)).toBe('match');
  });

  it('accepts the base64 digest of the webhook', () => {
    expect(digestMatches(digest.toString('base64'), digest)).toBe('match');
    expect(digestMatches(digest.toString('base64url'), digest)).toBe('match');
  });

  it('reports a different file as a mismatch in both forms', () => {
    const other = createHash('sha256').update('another picture').digest();
    expect(digestMatches(other.toString('hex'), digest)).toBe('mismatch');
    expect(digestMatches(other.toString('base64'), digest)).toBe('mismatch');
  });

  it('does not judge a digest it cannot read', () => {
    expect(digestMatches('<HASH>', digest)).toBe('unreadable');
    expect(digestMatches('abc', digest)).toBe('unreadable');
  });
});
