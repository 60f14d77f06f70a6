/**
 * Form text ↔ the routing API's shapes for the admin screens: comma lists, opening hours per day
 * ("09:00-13:00, 14:00-18:00"), minutes ↔ seconds; and the bot settings API's problems (a path
 * per field, `faq.0.answer.es`) grouped by the field they belong next to.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** "a, b ,, c" → ["a", "b", "c"] (trimmed, no empties, no repeats, at most `max`). */
export function splitList(text: string, max = 200): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const value = part.trim();
    if (value && !out.includes(value) && out.length < max) out.push(value);
  }
  return out;
}

export function joinList(values: readonly string[] | undefined): string {
  return (values ?? []).join(', ');
}

export interface OpenRange {
  from: string;
  to: string;
}

/** "09:00-13:00, 14:00-18:00" → ranges; a malformed part is an error naming it. */
export function parseRanges(text: string): { ok: true; ranges: OpenRange[] } | { ok: false; bad: string } {
  const ranges: OpenRange[] = [];
  for (const part of splitList(text, 12)) {
    const m = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m) return { ok: false, bad: part };
    const pad = (t: string) => t.padStart(5, '0');
    ranges.push({ from: pad(m[1]!), to: pad(m[2]!) });
  }
  return { ok: true, ranges };
}

export function formatRanges(ranges: readonly OpenRange[] | undefined): string {
  return (ranges ?? []).map((r) => `${r.from}-${r.to}`).join(', ');
}

export function minutesToSeconds(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? Math.round(n * 60) : undefined;
}

export function secondsToMinutes(seconds: number | undefined): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? String(Math.round((seconds / 60) * 100) / 100) : '';
}

export interface SettingsProblem {
  path: string;
  message: string;
}

/** The problems of a 400 answer (`{ problems: [{ path, message }] }`), each checked. */
export function problemsOf(body: unknown): SettingsProblem[] {
  const list = body && typeof body === 'object' ? (body as { problems?: unknown }).problems : undefined;
  if (!Array.isArray(list)) return [];
  return list
    .filter(
      (p): p is SettingsProblem =>
        !!p && typeof p === 'object' && typeof (p as SettingsProblem).path === 'string' && typeof (p as SettingsProblem).message === 'string',
    )
    .slice(0, 200)
    .map((p) => ({ path: p.path.slice(0, 200), message: p.message.slice(0, 500) }));
}

/**
 * Problems by the field shown: exact paths for the fields the form has, and every other problem
 * under `(other)` so none is lost (shown above the form with its path).
 */
export function problemsByField(problems: readonly SettingsProblem[], fields: ReadonlySet<string>): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const p of problems) {
    // A problem inside a field's value (`greeting.es.0`) belongs to the nearest field shown.
    let path = p.path;
    while (!fields.has(path) && path.includes('.')) path = path.slice(0, path.lastIndexOf('.'));
    const key = fields.has(path) ? path : '(other)';
    by.set(key, [...(by.get(key) ?? []), key === '(other)' ? `${p.path}: ${p.message}` : p.message]);
  }
  return by;
}
