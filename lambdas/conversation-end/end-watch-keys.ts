import { boundedKey } from '#lambdas/shared/bounded-id';
import { sha256Hex } from '#lambdas/shared/hash';

/**
 * Where the end-of-conversation sweep finds the conversations to look at (single table, no index):
 *
 *   pk                                   sk                   entity    holds
 *   ENDWATCH#<bucket start>#<shard>      <conversation key>   EndWatch  conversationKey, dueAt, expiresAt
 *   ENDWATCH#CURSOR                      ENDWATCH             EndWatchCursor   sweptThrough: the last bucket fully looked at
 *
 * A bucket is a quarter of an hour (`2026-11-21T12:15`) of due times. The agent puts a conversation
 * in the bucket of its due time (customer message + the business's end hours) each time it takes a
 * customer message; the sweep reads each bucket once, after it is over, and moves the cursor past it.
 * Items of the same conversation and quarter overwrite each other; TTL removes the rest after
 * `END_WATCH_TTL_DAYS`, so the sweep never deletes.
 *
 * Shards spread one quarter's writes over several partitions (each takes 1,000 writes a second):
 * four shards carry 4,000 customer messages a second whose due times share a quarter.
 */
export const END_WATCH_BUCKET_MS = 15 * 60_000;
export const END_WATCH_SHARDS = 4;
/** Long enough for the sweep to catch up after a week without running. */
export const END_WATCH_TTL_DAYS = 8;
export const END_WATCH_CURSOR_KEY = { pk: 'ENDWATCH#CURSOR', sk: 'ENDWATCH' } as const;

/** The start of the quarter-hour `ms` falls in, as `YYYY-MM-DDTHH:MM` (UTC). */
export function endWatchBucketOf(ms: number): string {
  return new Date(Math.floor(ms / END_WATCH_BUCKET_MS) * END_WATCH_BUCKET_MS).toISOString().slice(0, 16);
}

/** Epoch ms of a bucket's start; NaN for anything that is not a bucket. */
export function endWatchBucketStart(bucket: string): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(bucket) ? Date.parse(`${bucket}:00.000Z`) : Number.NaN;
}

export function nextEndWatchBucket(bucket: string): string {
  return endWatchBucketOf(endWatchBucketStart(bucket) + END_WATCH_BUCKET_MS);
}

export function endWatchShardOf(conversationKey: string): number {
  return Number.parseInt(sha256Hex(conversationKey).slice(0, 8), 16) % END_WATCH_SHARDS;
}

export const endWatchPk = (bucket: string, shard: number) => `ENDWATCH#${bucket}#${shard}`;
export const endWatchSk = (conversationKey: string) => boundedKey(conversationKey);
