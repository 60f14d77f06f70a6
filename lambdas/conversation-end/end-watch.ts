import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { END_WATCH_TTL_DAYS, endWatchBucketOf, endWatchPk, endWatchShardOf, endWatchSk } from '#lambdas/conversation-end/end-watch-keys';
import { expiresAt } from '#lambdas/conversation/table-keys';

/** Asks the end-of-conversation sweep to look at a conversation once `dueAt` has passed. */
export interface EndWatch {
  watch(conversationKey: string, dueAt: Date): Promise<void>;
}

/** When a conversation the bot holds ends if the customer writes nothing more after `customerMessageAt`. */
export function endDueAt(customerMessageAt: string, endHours: number): Date {
  return new Date(Date.parse(customerMessageAt) + endHours * 3_600_000);
}

/** A bucket already swept would never be read again: a due time in the past goes to the next quarter's bucket. */
const SOONEST_MS = 60_000;

/**
 * One small item per conversation and quarter-hour of due time (end-watch-keys.ts): a put, so a
 * repeat is harmless and a later message of the same quarter simply replaces it. One write unit
 * per customer message is the whole cost on the message path.
 */
export function dynamoEndWatch(deps: { db: DynamoDBDocumentClient; tableName: string; now?: () => Date }): EndWatch {
  const now = deps.now ?? (() => new Date());
  return {
    async watch(conversationKey, dueAt) {
      const due = dueAt.getTime();
      if (!Number.isFinite(due)) return;
      const bucket = endWatchBucketOf(Math.max(due, now().getTime() + SOONEST_MS));
      const dueIso = new Date(due).toISOString();
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: {
            pk: endWatchPk(bucket, endWatchShardOf(conversationKey)),
            sk: endWatchSk(conversationKey),
            entity: 'EndWatch',
            conversationKey,
            dueAt: dueIso,
            expiresAt: expiresAt(dueIso, END_WATCH_TTL_DAYS),
          },
        }),
      );
    },
  };
}
