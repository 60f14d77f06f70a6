import { hashedId } from '#lambdas/shared/bounded-id';
import { sha256Hex } from '#lambdas/shared/hash';

// SQS allows up to 128 characters from this set in MessageGroupId and MessageDeduplicationId.
const SQS_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/** The conversation key itself when SQS accepts it (readable in the console), otherwise its hash. */
export function messageGroupIdFor(conversationKey: string): string {
  return SQS_ID.test(conversationKey) ? conversationKey : hashedId(conversationKey);
}

/** Always a hash: provider ids (wamids, mids) are long and their alphabet is not ours to trust. */
export function deduplicationIdFor(eventId: string): string {
  return sha256Hex(eventId);
}
