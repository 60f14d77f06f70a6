import type { QueueHours } from '#lambdas/routing/routing-model';

/**
 * A queue's open hours in its time zone. Ranges include their start and exclude their end; a
 * holiday (local date) is closed all day; a queue without hours is always open. Local wall times
 * are turned into instants through Intl, so daylight-saving changes are followed.
 */

const DAY_MS = 86_400_000;
/** How far ahead a queue's next opening is looked for; a queue closed longer than this never opens. */
const HORIZON_DAYS = 400;
const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall clock of an instant in a time zone, as if it were UTC (milliseconds). */
function wallClockMs(at: number, timeZone: string): number {
  const parts = formatFor(timeZone).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour') % 24, n('minute'), n('second'));
}

function offsetMs(at: number, timeZone: string): number {
  return wallClockMs(Math.floor(at / 1000) * 1000, timeZone) - Math.floor(at / 1000) * 1000;
}

/** The instant of a local wall time (a day as UTC midnight milliseconds, plus minutes). */
function zonedToInstant(localDayMs: number, minutes: number, timeZone: string): number {
  const wall = localDayMs + minutes * 60_000;
  const first = offsetMs(wall, timeZone);
  const guess = wall - first;
  const second = offsetMs(guess, timeZone);
  return second === first ? guess : wall - second;
}

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

function localDate(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
}

/** The open intervals [start, end) of one local day, merged and in order. */
function dayIntervals(hours: QueueHours, dayMs: number): Array<[number, number]> {
  if ((hours.holidays ?? []).includes(localDate(dayMs))) return [];
  const weekday = WEEKDAY_KEYS[new Date(dayMs).getUTCDay()]!;
  const ranges = [...(hours.weekly[weekday] ?? [])]
    .map((r) => [minutesOf(r.from), minutesOf(r.to)] as [number, number])
    .filter(([from, to]) => from < to)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged
    .map(([from, to]) => [zonedToInstant(dayMs, from, hours.timezone), zonedToInstant(dayMs, to, hours.timezone)] as [number, number])
    .filter(([start, end]) => start < end);
}

/** Open intervals that end after `from`, in order (clipped to start no earlier than `from`). */
function* openIntervals(hours: QueueHours, from: number): Generator<[number, number]> {
  const wall = wallClockMs(from, hours.timezone);
  const today = Math.floor(wall / DAY_MS) * DAY_MS;
  for (let day = -1; day <= HORIZON_DAYS; day++) {
    for (const [start, end] of dayIntervals(hours, today + day * DAY_MS)) {
      if (end <= from) continue;
      yield [Math.max(start, from), end];
    }
  }
}

export function isOpen(hours: QueueHours | undefined, at: Date): boolean {
  if (!hours) return true;
  const t = at.getTime();
  for (const [start] of openIntervals(hours, t)) return start <= t;
  return false;
}

/** `at` itself when open; otherwise the next opening, or undefined when the queue never opens (within a year). */
export function nextOpening(hours: QueueHours | undefined, at: Date): Date | undefined {
  if (!hours) return at;
  for (const [start] of openIntervals(hours, at.getTime())) return new Date(start);
  return undefined;
}

/**
 * The instant when `seconds` of the queue's open time have passed since `start` (closed time does
 * not count); undefined when the queue does not open for that long within a year.
 */
export function addOpenSeconds(hours: QueueHours | undefined, start: Date, seconds: number): Date | undefined {
  if (!hours) return new Date(start.getTime() + seconds * 1000);
  let left = seconds * 1000;
  for (const [from, to] of openIntervals(hours, start.getTime())) {
    if (to - from >= left) return new Date(from + left);
    left -= to - from;
  }
  return undefined;
}
