import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The seed plays every conversation live through the local cloud in a few minutes; this moves each
 * conversation, afterwards, to the time it stands for: a start somewhere in the past weeks, and the
 * minutes people take (a person picking up a handoff, working on it, a customer answering the
 * satisfaction question, coming back days later). Intervals the pipeline produced itself (the bot's
 * reply, receipts) keep their measured length.
 *
 * A conversation's shift is a step function of the live time: every time at or after a step moves
 * by the base offset plus the extra of every step it passed. Times before the run (imported
 * history) do not move.
 */
export interface TimeStep {
  /** Live time (epoch ms) from which the extra applies. */
  atMs: number;
  extraMs: number;
  /** Whether a time equal to `atMs` already takes the extra. */
  inclusive: boolean;
}

export interface ConversationShift {
  /** Times before this (epoch ms) are left alone. */
  liveFromMs: number;
  baseMs: number;
  steps: TimeStep[];
}

export function shiftMs(liveMs: number, shift: ConversationShift): number {
  if (liveMs < shift.liveFromMs) return liveMs;
  let moved = liveMs + shift.baseMs;
  for (const step of shift.steps) if (liveMs > step.atMs || (step.inclusive && liveMs === step.atMs)) moved += step.extraMs;
  return moved;
}

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z/g;

/** Every ISO-8601 UTC time inside a string (whole, or inside a sort key such as `MSG#<time>#<id>`), moved. */
export function shiftText(text: string, shift: ConversationShift): string {
  return text.replace(ISO, (iso) => {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return iso;
    const moved = new Date(shiftMs(ms, shift)).toISOString();
    // Keep second-resolution times (webhook timestamps) at second resolution.
    return iso.includes('.') ? moved : moved.replace(/\.\d{3}Z$/, 'Z');
  });
}

/** The item with every time moved; the table keys (`pk`, `sk`) never change. */
export function shiftItem(item: Record<string, unknown>, shift: ConversationShift): Record<string, unknown> {
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') return shiftText(value, shift);
    if (Array.isArray(value)) return value.map(visit);
    if (value instanceof Set) return new Set([...value].map(visit));
    if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
    }
    return value;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, k === 'pk' || k === 'sk' ? v : visit(v)]));
}

/** Rewrites every item of one conversation's partition with its times moved; returns how many. */
export async function shiftConversation(db: DynamoDBDocumentClient, tableName: string, conversationKey: string, shift: ConversationShift): Promise<number> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CONV#${conversationKey}` },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: shiftItem(item, shift) } }));
    while (requests.length > 0) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
  return items.length;
}
