/**
 * Drops keys whose value is undefined (shallow), so that canonical events carry only what
 * Meta sent: stored items stay small and tests can compare whole objects.
 */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
