import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';

/**
 * The pacing items shared by every concurrent sender (outbound/send-pacing.ts):
 *
 *   pk                          sk            what
 *   PACE#<accountId>            NUMBER#<n>    next free send time (ms) of shard n of the number
 *   PACE#<accountId>            PAIR#<to>     per-recipient "theoretical arrival time" (ms)
 *
 * Each move is one conditional write, so concurrent senders never take the same slot. Times are
 * epoch milliseconds; `expiresAt` is the item's TTL in epoch seconds.
 */
export interface PacingStore {
  /** Starts the recipient's arrival time at `nextMs` when it is absent or behind `nowMs`. False when it is not. */
  startPair(accountId: string, recipientId: string, at: { nowMs: number; nextMs: number; expiresAt: number }): Promise<boolean>;
  /**
   * Adds `intervalMs` to the recipient's arrival time when it lies between `nowMs` and `latestMs`,
   * and answers the new arrival time; undefined when it does not.
   */
  pushPair(accountId: string, recipientId: string, at: { intervalMs: number; nowMs: number; latestMs: number; expiresAt: number }): Promise<number | undefined>;
  /** The recipient's arrival time, read consistently (NaN when there is none). */
  readPair(accountId: string, recipientId: string): Promise<number>;
  /** Holds the recipient until the arrival time `tatMs`, unless it is held as long already. */
  holdPair(accountId: string, recipientId: string, at: { tatMs: number; expiresAt: number }): Promise<void>;
  /**
   * Adds `intervalMs` to a shard's next free time when it lies between `nowMs` and `horizonMs`, and
   * answers the new next free time; undefined when it does not.
   */
  takeNumberSlot(
    accountId: string,
    shard: number,
    at: { intervalMs: number; nowMs: number; horizonMs: number; expiresAt: number },
  ): Promise<number | undefined>;
  /** Starts a shard's schedule again at `nextMs` when it is absent or behind `nowMs`. False when it is not. */
  restartNumber(accountId: string, shard: number, at: { nowMs: number; nextMs: number; expiresAt: number }): Promise<boolean>;
  /** A shard's next free time, read consistently (NaN when there is none). */
  readNumber(accountId: string, shard: number): Promise<number>;
}

const pacePk = (accountId: string) => `PACE#${accountId}`;
const pairKey = (accountId: string, recipientId: string) => ({ pk: pacePk(accountId), sk: `PAIR#${recipientId}` });
const numberKey = (accountId: string, shard: number) => ({ pk: pacePk(accountId), sk: `NUMBER#${shard}` });

export function createPacingStore(db: DynamoDBDocumentClient, tableName: string): PacingStore {
  const TableName = tableName;
  /** An `ADD` answering the attribute's new value, or undefined when its condition refused it. */
  const addAndRead = async (command: UpdateCommand, attribute: string): Promise<number | undefined> => {
    try {
      const out = await db.send(command);
      return Number(out.Attributes?.[attribute]);
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      return undefined;
    }
  };
  const read = async (key: { pk: string; sk: string }, attribute: string): Promise<number> => {
    const out = await db.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }));
    return Number(out.Item?.[attribute]);
  };

  return {
    startPair(accountId, recipientId, at) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: pairKey(accountId, recipientId),
            UpdateExpression: 'SET tat = :next, entity = :entity, expiresAt = :ttl',
            ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
            ExpressionAttributeValues: { ':next': at.nextMs, ':now': at.nowMs, ':entity': 'Pacing', ':ttl': at.expiresAt },
          }),
        ),
      );
    },

    pushPair(accountId, recipientId, at) {
      return addAndRead(
        new UpdateCommand({
          TableName,
          Key: pairKey(accountId, recipientId),
          UpdateExpression: 'ADD tat :interval SET expiresAt = :ttl',
          ConditionExpression: 'tat BETWEEN :now AND :latest',
          ExpressionAttributeValues: { ':interval': at.intervalMs, ':now': at.nowMs, ':latest': at.latestMs, ':ttl': at.expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }),
        'tat',
      );
    },

    readPair(accountId, recipientId) {
      return read(pairKey(accountId, recipientId), 'tat');
    },

    async holdPair(accountId, recipientId, at) {
      await conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: pairKey(accountId, recipientId),
            UpdateExpression: 'SET tat = :until, entity = :entity, expiresAt = :ttl',
            ConditionExpression: 'attribute_not_exists(tat) OR tat < :until',
            ExpressionAttributeValues: { ':until': at.tatMs, ':entity': 'Pacing', ':ttl': at.expiresAt },
          }),
        ),
      );
    },

    takeNumberSlot(accountId, shard, at) {
      return addAndRead(
        new UpdateCommand({
          TableName,
          Key: numberKey(accountId, shard),
          UpdateExpression: 'ADD nextAt :interval SET expiresAt = :ttl',
          ConditionExpression: 'nextAt BETWEEN :now AND :horizon',
          ExpressionAttributeValues: { ':interval': at.intervalMs, ':now': at.nowMs, ':horizon': at.horizonMs, ':ttl': at.expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }),
        'nextAt',
      );
    },

    restartNumber(accountId, shard, at) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: numberKey(accountId, shard),
            UpdateExpression: 'SET nextAt = :next, entity = :entity, expiresAt = :ttl',
            ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt < :now',
            ExpressionAttributeValues: { ':next': at.nextMs, ':now': at.nowMs, ':entity': 'Pacing', ':ttl': at.expiresAt },
          }),
        ),
      );
    },

    readNumber(accountId, shard) {
      return read(numberKey(accountId, shard), 'nextAt');
    },
  };
}
