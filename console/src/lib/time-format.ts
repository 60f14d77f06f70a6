/**
 * Times are shown in the business's time zone (its bot settings' or its queues'), in the person's
 * language. A zone the browser does not know falls back to the browser's own.
 */
const LOCALES: Record<string, string> = { es: 'es', pt: 'pt-BR', en: 'en-GB' };

export function isTimeZone(tz: string | undefined): tz is string {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function formatter(language: string, timeZone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(LOCALES[language] ?? 'en-GB', { ...options, ...(isTimeZone(timeZone) ? { timeZone } : {}) });
}

function toDate(iso: string | undefined): Date | undefined {
  if (typeof iso !== 'string') return undefined;
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d : undefined;
}

/** "14:05" today, "3 mar 14:05" otherwise (both in the business's zone). */
export function formatMessageTime(iso: string | undefined, language: string, timeZone: string | undefined, now = new Date()): string {
  const d = toDate(iso);
  if (!d) return '';
  const sameDay = dateKey(d, timeZone) === dateKey(now, timeZone);
  return formatter(
    language,
    timeZone,
    sameDay ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
  ).format(d);
}

export function formatDateTime(iso: string | undefined, language: string, timeZone: string | undefined): string {
  const d = toDate(iso);
  return d ? formatter(language, timeZone, { dateStyle: 'medium', timeStyle: 'short' }).format(d) : '';
}

/** YYYY-MM-DD of an instant in a zone (the stats' "today"). */
export function dateKey(d: Date, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(isTimeZone(timeZone) ? { timeZone } : {}),
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A wait or a handling time: "45 s", "12 min", "3 h 05 min". */
export function formatSeconds(seconds: number | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function sinceSeconds(iso: string | undefined, now: Date): number | undefined {
  const d = toDate(iso);
  return d ? Math.max(0, (now.getTime() - d.getTime()) / 1000) : undefined;
}
