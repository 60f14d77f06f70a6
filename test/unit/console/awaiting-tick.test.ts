import { describe, expect, it } from 'vitest';
import { awaitingTick, TICK_POLL_WINDOW_MS } from '../../../console/src/lib/ticks.ts';

const now = Date.parse('2030-05-01T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('whether the console keeps asking for a reply’s receipts', () => {
  it('asks while a recent reply is sent or delivered but not read', () => {
    expect(awaitingTick([{ direction: 'outbound', origin: 'agent', status: 'sent', occurredAt: ago(5_000) }], now)).toBe(true);
    expect(awaitingTick([{ direction: 'outbound', origin: 'agent', status: 'delivered', occurredAt: ago(60_000) }], now)).toBe(true);
    expect(awaitingTick([{ direction: 'outbound', origin: 'agent', occurredAt: ago(1_000) }], now)).toBe(true);
  });

  it('stops once the reply is read or failed, for old replies, customer messages and notes', () => {
    expect(awaitingTick([{ direction: 'outbound', status: 'read', occurredAt: ago(5_000) }], now)).toBe(false);
    expect(awaitingTick([{ direction: 'outbound', status: 'failed', occurredAt: ago(5_000) }], now)).toBe(false);
    expect(awaitingTick([{ direction: 'outbound', status: 'sent', occurredAt: ago(TICK_POLL_WINDOW_MS + 1) }], now)).toBe(false);
    expect(awaitingTick([{ direction: 'inbound', occurredAt: ago(1_000) }], now)).toBe(false);
    expect(awaitingTick([{ direction: 'outbound', type: 'note', occurredAt: ago(1_000) }], now)).toBe(false);
    expect(awaitingTick([{ direction: 'outbound', status: 'sent', occurredAt: 'not a time' }], now)).toBe(false);
    expect(awaitingTick([], now)).toBe(false);
  });
});
