import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import { replyRequestedDetailSchema, replyRequestedEvent } from '#lambdas/outbound/reply-requested';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * The reply watch: every `reply.requested` also reaches a queue that holds it for
 * REPLY_WATCH_DELAY_SECONDS (SQS's longest delivery delay), and then this looks at the reply.
 *
 * - Sent, delivered, read, played or failed: done, nothing to do.
 * - Still `pending`: either its retries are waiting out a long backoff, or nothing is sending it
 *   any more (its request lost, or consumed without a claim), so `reply.requested` is published
 *   again and watched again; the sender honours the reply's backoff and claims it only once, so a
 *   second live request is harmless. After MAX_WATCH_ROUNDS (45 minutes) the watch stops asking
 *   and reports it (metric and alarm): a reply that old needs a person.
 * - Still `sending`: a send was claimed and its outcome never recorded (the invocation died
 *   between the Graph call and the record). Meta may have the message, so it is never sent again
 *   knowingly; it is reported for a person to look at.
 *
 * A quarter of an hour is long enough for every retry of a healthy send (the outbound queue's
 * backoff schedule reaches minutes) and short enough for a customer still to be waiting.
 */
export const REPLY_WATCH_DELAY_SECONDS = 900;
export const MAX_WATCH_ROUNDS = 3;

export interface WatchDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
}

export type WatchOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'missing' }
  | { outcome: 'finished' }
  | { outcome: 'requested_again'; round: number }
  | { outcome: 'given_up'; rounds: number }
  | { outcome: 'outcome_unknown' };

const FINISHED = new Set(['sent', 'delivered', 'read', 'played', 'failed']);

export async function watchReply(detail: unknown, deps: WatchDeps): Promise<WatchOutcome> {
  const parsed = replyRequestedDetailSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const request = parsed.data;
  const round = typeof request.watchRound === 'number' && Number.isInteger(request.watchRound) ? request.watchRound : 0;

  const out = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { pk: conversationPk(request.conversationKey), sk: messageSk(request.outboundId) },
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  const item = out.Item as { status?: string } | undefined;
  if (!item) return { outcome: 'missing' };
  if (item.status !== undefined && FINISHED.has(item.status)) return { outcome: 'finished' };
  if (item.status === 'sending') return { outcome: 'outcome_unknown' };

  // Pending, perhaps waiting out a backoff of its own: asking again is harmless either way, as the
  // sender honours the backoff and claims a reply only once.
  if (round + 1 > MAX_WATCH_ROUNDS) return { outcome: 'given_up', rounds: round };

  const again = replyRequestedEvent(EVENT_SOURCE.replyWatch, {
    conversationKey: request.conversationKey,
    outboundId: request.outboundId,
    channel: request.channel,
    accountId: request.accountId,
  });
  await deps.publisher.publish([{ ...again, detail: { ...again.detail, watchRound: round + 1 } }]);
  return { outcome: 'requested_again', round: round + 1 };
}
