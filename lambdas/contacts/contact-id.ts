import { randomBytes } from 'node:crypto';

/** Crockford's base 32: no I, L, O, U, so an id read aloud or retyped is not misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `c_` + a 26-character ULID-like id: 10 characters of milliseconds (ids sort by creation time)
 * and 16 random characters (80 bits: two contacts created in the same millisecond never collide).
 */
export function newContactId(now: Date = new Date(), random: (n: number) => Uint8Array = randomBytes): string {
  return `c_${ulidLike(now, random)}`;
}

/** `m_` + the same form, for a merge record. */
export function newMergeId(now: Date = new Date(), random: (n: number) => Uint8Array = randomBytes): string {
  return `m_${ulidLike(now, random)}`;
}

export const CONTACT_ID_PATTERN = /^c_[0-9A-HJKMNP-TV-Z]{26}$/;
export const MERGE_ID_PATTERN = /^m_[0-9A-HJKMNP-TV-Z]{26}$/;

function ulidLike(now: Date, random: (n: number) => Uint8Array): string {
  let time = Math.max(0, Math.floor(now.getTime()));
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const bytes = random(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[(bytes[i] ?? 0) % 32];
  return head + tail;
}
