import { createHash } from 'node:crypto';

export function sha256Hex(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('hex');
}

/**
 * A stable JSON rendering (object keys sorted) so that the same event hashes the same way
 * however Meta ordered its keys on a redelivery.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** Identity for an event that has no provider id of its own: a hash of its content. */
export function contentId(prefix: string, value: unknown): string {
  return `${prefix}:${sha256Hex(stableStringify(value)).slice(0, 32)}`;
}
