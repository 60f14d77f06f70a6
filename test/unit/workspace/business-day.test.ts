import { describe, expect, it } from 'vitest';
import { localDate, localDayBounds } from '#lambdas/workspace/business-day';

describe('localDayBounds', () => {
  it('a day in Mexico City (UTC−6)', () => {
    expect(localDayBounds('2026-11-21', 'America/Mexico_City')).toEqual({ from: '2026-11-21T06:00:00.000Z', to: '2026-11-22T06:00:00.000Z' });
  });
  it('UTC', () => {
    expect(localDayBounds('2026-02-28', 'UTC')).toEqual({ from: '2026-02-28T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
  });
  it('a day with a DST change is 23 hours long', () => {
    const { from, to } = localDayBounds('2026-03-29', 'Europe/Madrid');
    expect(from).toBe('2026-03-28T23:00:00.000Z');
    expect(to).toBe('2026-03-29T22:00:00.000Z');
  });
  it('today in a time zone', () => {
    expect(localDate(new Date('2026-11-22T03:00:00.000Z'), 'America/Sao_Paulo')).toBe('2026-11-22');
    expect(localDate(new Date('2026-11-22T02:59:00.000Z'), 'America/Sao_Paulo')).toBe('2026-11-21');
  });
});
