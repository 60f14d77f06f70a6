import type { AudienceRecipient } from '#lambdas/campaigns/audience/audience-types';
import type { StagedChunk } from '#lambdas/campaigns/campaign-ports';

/**
 * Recipients one build message writes at most. DynamoDB Local on a loaded 2-core machine writes
 * about 150 a second (about 7 s a chunk); real DynamoDB far more: either way well inside the
 * release function's minute.
 */
export const CHUNK_RECIPIENTS = 1_000;
/** A staged chunk's recipients as JSON, in UTF-8 bytes, at most (the item must stay under DynamoDB's 400 KB). */
export const CHUNK_BYTES = 300_000;

/** A recipient's size in a staged chunk: its JSON in UTF-8 bytes, with its separator. */
export const stagedBytes = (recipient: AudienceRecipient): number => Buffer.byteLength(JSON.stringify(recipient)) + 1;

/**
 * Cuts decided recipients into the chunks their build writes, in list order: at most
 * `maxRecipients` and `maxBytes` of JSON each (a recipient's variables can be long). The first
 * chunk starts at list position `firstSeq` (0 unless a deciding step goes on from earlier ones),
 * each next one where the one before ended, so writing a chunk again puts the same recipients at
 * the same places (the store's guards make the repeat add nothing).
 */
export function planListChunks(
  recipients: readonly AudienceRecipient[],
  limits: { maxRecipients?: number; maxBytes?: number; firstSeq?: number } = {},
): StagedChunk[] {
  const maxRecipients = Math.max(1, limits.maxRecipients ?? CHUNK_RECIPIENTS);
  const maxBytes = Math.max(1, limits.maxBytes ?? CHUNK_BYTES);
  const firstSeq = limits.firstSeq ?? 0;
  const chunks: StagedChunk[] = [];
  let current: StagedChunk = { firstSeq, recipients: [] };
  let bytes = 2;
  recipients.forEach((r, i) => {
    const size = stagedBytes(r);
    if (current.recipients.length > 0 && (current.recipients.length >= maxRecipients || bytes + size > maxBytes)) {
      chunks.push(current);
      current = { firstSeq: firstSeq + i, recipients: [] };
      bytes = 2;
    }
    current.recipients.push(r);
    bytes += size;
  });
  if (current.recipients.length > 0) chunks.push(current);
  return chunks;
}
