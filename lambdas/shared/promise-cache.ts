/**
 * Per-instance memory of slow reads (secrets, settings): a value is kept `ttlMs` after it settled,
 * concurrent reads of one key share one promise, a failed read is forgotten at once (the next call
 * reads again), and beyond `maxEntries` the oldest key goes first.
 */
export interface PromiseCache<T> {
  get(key: string, read: () => Promise<T>): Promise<T>;
}

export function promiseCache<T>(options: { ttlMs: number; maxEntries: number; nowMs?: () => number }): PromiseCache<T> {
  const nowMs = options.nowMs ?? Date.now;
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  return {
    get(key, read) {
      const hit = entries.get(key);
      if (hit && hit.until > nowMs()) return hit.value;
      const entry = { value: read(), until: Number.POSITIVE_INFINITY };
      entries.delete(key);
      entries.set(key, entry);
      if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
      entry.value.then(
        () => {
          if (entries.get(key) === entry) entry.until = nowMs() + options.ttlMs;
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      return entry.value;
    },
  };
}
