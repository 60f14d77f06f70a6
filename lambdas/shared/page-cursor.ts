import { FinalError } from '#lambdas/shared/domain-error';
/**
 * Paging cursors handed to callers: the base64url of the DynamoDB key where a page stopped. A cursor
 * comes back from the caller, so it is checked before it becomes an ExclusiveStartKey: plain
 * base64url of bounded size, a JSON object holding exactly the expected key attributes as strings,
 * in the partition the query reads. Anything else is an InvalidCursorError (a 400 for the caller),
 * never a read of someone else's partition.
 */
export class InvalidCursorError extends FinalError {
  override name = 'InvalidCursorError';
  constructor(message = 'cursor: not one this API handed out') {
    super(message);
  }
}

const MAX_CURSOR_CHARS = 4_000;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/**
 * The key a cursor names. `expected` gives every attribute the key must have and, for some, the
 * value it must equal (the partition) or the prefix (one of the prefixes) it must start with.
 */
export function decodeCursor(
  cursor: string,
  expected: Record<string, { equals?: string; startsWith?: string; startsWithAny?: readonly string[] }>,
): Record<string, string> {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw new InvalidCursorError();
  const entries = Object.entries(key as Record<string, unknown>);
  const names = Object.keys(expected);
  if (entries.length !== names.length) throw new InvalidCursorError();
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const rule = expected[name];
    if (!rule || typeof value !== 'string' || value.length === 0 || value.length > 1_024) throw new InvalidCursorError();
    if (rule.equals !== undefined && value !== rule.equals) throw new InvalidCursorError();
    if (rule.startsWith !== undefined && !value.startsWith(rule.startsWith)) throw new InvalidCursorError();
    if (rule.startsWithAny !== undefined && !rule.startsWithAny.some((p) => value.startsWith(p))) throw new InvalidCursorError();
    out[name] = value;
  }
  return out;
}
