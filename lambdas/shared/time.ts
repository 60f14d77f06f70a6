/**
 * Meta timestamps arrive as epoch seconds in strings (WhatsApp), epoch milliseconds as numbers
 * (Instagram/Messenger), and in some published fixtures as ISO-8601 strings. All become ISO-8601.
 * Returns undefined for anything that is not a plausible time.
 */
export function toIsoTime(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()))) {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) return undefined;
    // Below 1e11 it can only be seconds (1e11 s is the year 5138; 1e11 ms is 1973).
    const ms = n < 1e11 ? n * 1000 : n;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (typeof value === 'string') {
    // Accept offsets written without a colon (`+0000`), as some captures do.
    const fixed = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const d = new Date(fixed);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}
