import { WEEKDAYS, type BusinessFlows, type Weekday } from '#lambdas/agent/flows/business-flows-schema';

/** Weekday and HH:MM of an instant in a time zone (daylight saving included, via Intl). */
export function localClock(at: Date, timeZone: string): { weekday: Weekday; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = part('weekday').toLowerCase().slice(0, 3) as Weekday;
  if (!WEEKDAYS.includes(weekday)) throw new Error(`Unexpected weekday ${weekday} for ${timeZone}`);
  return { weekday, time: `${part('hour')}:${part('minute')}` };
}

/** Whether a person of the business is at work at `at`; ranges include their start and exclude their end. */
export function isWithinBusinessHours(business: Pick<BusinessFlows, 'hours' | 'timezone'>, at: Date): boolean {
  const { weekday, time } = localClock(at, business.timezone);
  return (business.hours[weekday] ?? []).some((range) => time >= range.from && time < range.to);
}
