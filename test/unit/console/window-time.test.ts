import { describe, expect, it } from 'vitest';
import { shortDuration, splitDuration, windowState } from '../../../console/src/lib/window-time.ts';

const now = new Date('2025-03-10T12:00:00.000Z');

describe('reply window', () => {
  it('counts the time left from the API closing time', () => {
    const w = windowState({ windowClosesAt: '2025-03-10T15:30:00.000Z' }, now);
    expect(w).toMatchObject({ open: true, urgency: 'open', msLeft: 3.5 * 3_600_000 });
    expect(splitDuration(w.msLeft)).toEqual({ hours: 3, minutes: 30 });
  });

  it('warns under two hours and closes at zero', () => {
    expect(windowState({ windowClosesAt: '2025-03-10T13:00:00.000Z' }, now).urgency).toBe('soon');
    expect(windowState({ windowClosesAt: '2025-03-10T11:59:59.000Z' }, now)).toMatchObject({ open: false, urgency: 'closed', msLeft: 0 });
  });

  it('falls back to 24 hours after the last customer message, 7 days on Instagram', () => {
    expect(windowState({ lastInboundAt: '2025-03-09T13:00:00.000Z', channel: 'whatsapp' }, now).msLeft).toBe(3_600_000);
    expect(windowState({ lastInboundAt: '2025-03-09T11:00:00.000Z', channel: 'whatsapp' }, now).urgency).toBe('closed');
    expect(windowState({ lastInboundAt: '2025-03-09T11:00:00.000Z', channel: 'instagram' }, now).open).toBe(true);
  });

  it('believes the API when it says the window is closed', () => {
    expect(windowState({ windowClosesAt: '2025-03-10T15:00:00.000Z', windowOpen: false }, now).open).toBe(false);
    expect(windowState({ windowOpen: false }, now).urgency).toBe('closed');
  });

  it('ignores times that are not times', () => {
    expect(windowState({ windowClosesAt: 'soon', lastInboundAt: 'x'.repeat(100) }, now).urgency).toBe('unknown');
  });

  it('formats short durations', () => {
    expect(shortDuration(65 * 60_000)).toBe('1:05');
    expect(shortDuration(-5)).toBe('0:00');
  });
});
