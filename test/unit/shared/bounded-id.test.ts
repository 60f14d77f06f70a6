import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundedId,
  boundedKey,
  exceedsIdBound,
  MAX_COMPOSITE_KEY_BYTES,
  MAX_ID_BYTES,
  MAX_RAW_ID_BYTES,
  rawIdAttribute,
  truncateUtf8,
  utf8Bytes,
} from '#lambdas/shared/bounded-id';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('boundedId', () => {
  it('keeps ids up to the bound and hashes longer ones to h:<sha256 hex>', () => {
    const atBound = 'a'.repeat(MAX_ID_BYTES);
    expect(boundedId(atBound)).toBe(atBound);
    expect(boundedId('wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQTQ2')).toBe('wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQTQ2');
    const over = `${atBound}b`;
    expect(boundedId(over)).toBe(`h:${sha(over)}`);
    expect(exceedsIdBound(over)).toBe(true);
    expect(exceedsIdBound(atBound)).toBe(false);
  });

  it('keeps a real Instagram mid and an Instagram reaction id readable', () => {
    const mid = `aWdf${'Z'.repeat(160)}`;
    expect(boundedId(mid)).toBe(mid);
    const reaction = `ig:reaction:${mid}:react:👨‍👩‍👧‍👦:6234380736598057:1774131815375`;
    expect(boundedId(reaction)).toBe(reaction);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const emoji = '😀'.repeat(MAX_ID_BYTES / 4); // 4 bytes each: exactly at the bound
    expect(boundedId(emoji)).toBe(emoji);
    const accented = 'é'.repeat(MAX_ID_BYTES); // 2 bytes each: twice the bound in as many characters
    expect(boundedId(accented)).toBe(`h:${sha(accented)}`);
  });

  it('is idempotent, so key builders may bound an already bounded id', () => {
    const once = boundedId('x'.repeat(5000));
    expect(boundedId(once)).toBe(once);
    expect(boundedKey(once)).toBe(once);
  });

  it('bounds composite keys at their own, larger bound', () => {
    const key = `wa:${'1'.repeat(MAX_ID_BYTES)}:${'2'.repeat(MAX_ID_BYTES)}`;
    expect(boundedKey(key)).toBe(key);
    const long = 'k'.repeat(MAX_COMPOSITE_KEY_BYTES + 1);
    expect(boundedKey(long)).toBe(`h:${sha(long)}`);
  });

  it('keeps raw ids whole up to their bound and cuts longer ones', () => {
    expect(rawIdAttribute('9'.repeat(1100))).toBe('9'.repeat(1100));
    expect(rawIdAttribute('9'.repeat(300_000))).toBe('9'.repeat(MAX_RAW_ID_BYTES));
  });
});

describe('truncateUtf8', () => {
  it('cuts to the byte bound without splitting a character', () => {
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('aé😀z', 3)).toBe('aé');
    expect(truncateUtf8('aé😀z', 6)).toBe('aé');
    expect(truncateUtf8('aé😀z', 7)).toBe('aé😀');
    expect(truncateUtf8('😀😀', 1)).toBe('');
  });

  it('always yields a prefix within the bound, as long as possible (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(400), (s, max) => {
        const out = truncateUtf8(s, max);
        expect(s.startsWith(out)).toBe(true);
        expect(utf8Bytes(out)).toBeLessThanOrEqual(max);
        // One more code point would not fit (or there is none left).
        const next = s.slice(out.length, out.length + (s.codePointAt(out.length)! > 0xffff ? 2 : 1));
        if (next) expect(utf8Bytes(out + next)).toBeGreaterThan(max);
      }),
    );
  });
});

describe('boundedId (property)', () => {
  it('is within the bound, stable, idempotent, and changes only ids over the bound', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ minLength: 300, maxLength: 3000 })),
        (id) => {
          const out = boundedId(id);
          expect(utf8Bytes(out)).toBeLessThanOrEqual(MAX_ID_BYTES);
          expect(boundedId(id)).toBe(out);
          expect(boundedId(out)).toBe(out);
          if (utf8Bytes(id) <= MAX_ID_BYTES) expect(out).toBe(id);
          else expect(out).toMatch(/^h:[0-9a-f]{64}$/);
        },
      ),
    );
  });
});
