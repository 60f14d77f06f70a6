import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The DynamoDB client a store is built with. Wiring code passes it from the handler to the stores
 * without importing the AWS SDK's DynamoDB packages itself: only stores and adapters do.
 */
export type DocumentClient = DynamoDBDocumentClient;

export function documentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

/** True when a conditional write was refused because the item is already there. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * Awaits a conditional write: true when it was made, false when its condition refused it. Any
 * other error is thrown.
 */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** True when a transaction was cancelled only by failed conditions (not throttling or conflicts). */
export function cancelledOnlyByConditions(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> } | null;
  if (e?.name !== 'TransactionCanceledException' || !e.CancellationReasons) return false;
  const codes = e.CancellationReasons.map((r) => r.Code ?? 'None');
  return codes.includes('ConditionalCheckFailed') && codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed');
}

export function cancellationCodes(err: unknown): string[] {
  const e = err as { CancellationReasons?: Array<{ Code?: string }> } | null;
  return (e?.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

/**
 * True when DynamoDB refused a write for what it contains (item over 400 KB, key over its size
 * limit, invalid value), alone or inside a transaction: retrying the same write cannot succeed.
 */
export function rejectedAsInvalid(err: unknown): boolean {
  const e = err as { name?: string } | null;
  if (e?.name === 'ValidationException') return true;
  return e?.name === 'TransactionCanceledException' && cancellationCodes(err).includes('ValidationError');
}
