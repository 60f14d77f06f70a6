import { describe, expect, it } from 'vitest';
import { shiftItem, shiftMs, shiftText, type ConversationShift } from '#lib/analytics/seed/time-spread';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const shift: ConversationShift = {
  liveFromMs: at('2026-11-22T00:00:00.000Z'),
  baseMs: -3 * 86_400_000,
  steps: [
    { atMs: at('2026-11-22T00:00:10.000Z'), extraMs: 12 * MIN, inclusive: false },
    { atMs: at('2026-11-22T00:00:30.000Z'), extraMs: 25 * MIN, inclusive: true },
  ],
};

describe('moving a conversation in time', () => {
  it('moves live times by the base offset and the steps they passed, history not at all', () => {
    expect(new Date(shiftMs(at('2026-11-22T00:00:05.000Z'), shift)).toISOString()).toBe('2026-11-19T00:00:05.000Z');
    // A time equal to a non-inclusive step stays before it; one equal to an inclusive step takes it.
    expect(new Date(shiftMs(at('2026-11-22T00:00:10.000Z'), shift)).toISOString()).toBe('2026-11-19T00:00:10.000Z');
    expect(new Date(shiftMs(at('2026-11-22T00:00:11.000Z'), shift)).toISOString()).toBe('2026-11-19T00:12:11.000Z');
    expect(new Date(shiftMs(at('2026-11-22T00:00:30.000Z'), shift)).toISOString()).toBe('2026-11-19T00:37:30.000Z');
    expect(shiftMs(at('2026-08-01T10:00:00.000Z'), shift)).toBe(at('2026-08-01T10:00:00.000Z'));
  });

  it('rewrites times inside keys and keeps second resolution where it was', () => {
    expect(shiftText('MSG#2026-11-22T00:00:11.000Z#wamid.1', shift)).toBe('MSG#2026-11-19T00:12:11.000Z#wamid.1');
    expect(shiftText('2026-11-22T00:00:11Z', shift)).toBe('2026-11-19T00:12:11Z');
    expect(shiftText('no time here', shift)).toBe('no time here');
  });

  it('never changes the table keys, and walks maps and lists', () => {
    const item = {
      pk: 'CONV#wa:1:2',
      sk: 'STATUS#watermark:2026-11-22T00:00:11.000Z#read',
      occurredAt: '2026-11-22T00:00:11.000Z',
      count: 3,
      nested: { at: '2026-11-22T00:00:05.000Z', list: ['2026-11-22T00:00:31.000Z'] },
    };
    expect(shiftItem(item, shift)).toEqual({
      pk: 'CONV#wa:1:2',
      sk: 'STATUS#watermark:2026-11-22T00:00:11.000Z#read',
      occurredAt: '2026-11-19T00:12:11.000Z',
      count: 3,
      nested: { at: '2026-11-19T00:00:05.000Z', list: ['2026-11-19T00:37:31.000Z'] },
    });
  });
});
