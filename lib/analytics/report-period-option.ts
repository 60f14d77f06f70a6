import type { ReportPeriod } from '#lib/analytics/flatten-views';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a YYYY-MM-DD date, or an error naming the option. */
function dayStartMs(option: string, text: string): number {
  const match = DAY.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  // Date.UTC rolls 2026-02-31 over to March; a date that does not round-trip is not a date.
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new Error(`${option} needs a date YYYY-MM-DD (UTC), not ${JSON.stringify(text.slice(0, 40))}`);
  }
  return ms;
}

/**
 * `--from YYYY-MM-DD` (inclusive) and `--to YYYY-MM-DD` (inclusive, the whole day) of
 * `npm run analytics`: the conversations queued within them count in the contact-centre tables.
 */
export function reportPeriodFromArgs(args: readonly string[]): ReportPeriod {
  const value = (name: string): string | undefined => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const raw = args[at + 1];
    if (raw === undefined || raw.startsWith('--')) throw new Error(`${name} needs a date YYYY-MM-DD (UTC)`);
    return raw;
  };
  const from = value('--from');
  const to = value('--to');
  const period: ReportPeriod = {
    ...(from !== undefined ? { fromMs: dayStartMs('--from', from) } : {}),
    ...(to !== undefined ? { toMs: dayStartMs('--to', to) + 86_400_000 } : {}),
  };
  if (period.fromMs !== undefined && period.toMs !== undefined && period.toMs <= period.fromMs) throw new Error('--to must not be before --from');
  return period;
}

/** "all time", "from 2026-11-01", "2026-11-01 to 2026-11-30". */
export function describePeriod(period: ReportPeriod): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const last = period.toMs !== undefined ? day(period.toMs - 86_400_000) : undefined;
  if (period.fromMs !== undefined && last) return `${day(period.fromMs)} to ${last}`;
  if (period.fromMs !== undefined) return `from ${day(period.fromMs)}`;
  if (last) return `until ${last}`;
  return 'all time';
}
