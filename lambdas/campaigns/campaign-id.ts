import { randomBytes } from 'node:crypto';

/** Crockford's base 32 (no I, L, O, U), as contact ids use. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const CAMPAIGN_ID_PATTERN = /^cmp_[0-9A-HJKMNP-TV-Z]{26}$/;

export const isCampaignId = (value: unknown): value is string => typeof value === 'string' && CAMPAIGN_ID_PATTERN.test(value);

/**
 * `cmp_` + 10 characters of milliseconds and 16 random ones: ids sort by creation time, so the
 * business's campaigns read newest first straight from the key.
 */
export function newCampaignId(now: Date = new Date(), random: (n: number) => Uint8Array = randomBytes): string {
  let time = Math.max(0, Math.floor(now.getTime()));
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const bytes = random(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[(bytes[i] ?? 0) % 32];
  return `cmp_${head}${tail}`;
}
