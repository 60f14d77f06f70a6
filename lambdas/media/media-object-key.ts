import { sha256Hex } from '#lambdas/shared/hash';

/**
 * Where a message's attachment is stored: `media/<account>/<yyyy>/<mm>/<dd>/<hash>-<n>`. The account
 * is the business side (phone number id, Instagram account, Page); the message id, which names
 * the customer on some channels, appears only as a hash. The key depends on the message alone,
 * so a redelivery writes the same object instead of a second copy.
 */
export function mediaObjectKey(input: { accountId: string; providerMessageId: string; occurredAt: string; index: number }): string {
  const day = new Date(input.occurredAt);
  if (Number.isNaN(day.getTime())) throw new RangeError('occurredAt is not a date');
  const yyyy = String(day.getUTCFullYear());
  const mm = String(day.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(day.getUTCDate()).padStart(2, '0');
  const account = input.accountId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `media/${account}/${yyyy}/${mm}/${dd}/${sha256Hex(input.providerMessageId).slice(0, 40)}-${input.index}`;
}
