import { describe, expect, it } from 'vitest';
import { MAX_BURST_WAIT_MS, quietPeriodDecision } from '#lambdas/agent/quiet-period';

const NOW = new Date('2026-12-07T12:00:10.000Z');
const msg = (id: string, secondsBeforeNow: number, receivedAt = true) => {
  const t = new Date(NOW.getTime() - secondsBeforeNow * 1000).toISOString();
  return { providerMessageId: id, occurredAt: t.slice(0, 19) + '.000Z', ...(receivedAt ? { receivedAt: t } : {}) };
};

describe('quiet period before answering a burst', () => {
  it('answers once the newest unanswered message is older than the quiet period', () => {
    expect(quietPeriodDecision([msg('a', 6), msg('b', 3)], 'b', NOW, 2_500)).toEqual({ kind: 'answer' });
  });

  it('waits for the rest of the quiet period after the newest message', () => {
    expect(quietPeriodDecision([msg('a', 2), msg('b', 1)], 'b', NOW, 2_500)).toEqual({ kind: 'wait', waitMs: 1_500 });
  });

  it('leaves an older message of the burst to the newest one’s wake-up', () => {
    expect(quietPeriodDecision([msg('a', 2), msg('b', 1)], 'a', NOW, 2_500)).toEqual({ kind: 'newer_message_pending' });
    // …even when the quiet period has already passed, so the burst is answered exactly once.
    expect(quietPeriodDecision([msg('a', 9), msg('b', 8)], 'a', NOW, 2_500)).toEqual({ kind: 'newer_message_pending' });
  });

  it('orders by our receive time, not Meta’s whole-second timestamps', () => {
    // Both stamped in the same second by Meta; "b" reached the webhook last.
    const a = { providerMessageId: 'a', occurredAt: '2026-12-07T12:00:09.000Z', receivedAt: '2026-12-07T12:00:09.900Z' };
    const b = { providerMessageId: 'b', occurredAt: '2026-12-07T12:00:09.000Z', receivedAt: '2026-12-07T12:00:09.950Z' };
    expect(quietPeriodDecision([b, a], 'a', NOW, 2_500)).toEqual({ kind: 'newer_message_pending' });
    expect(quietPeriodDecision([b, a], 'b', NOW, 2_500)).toEqual({ kind: 'wait', waitMs: 2_450 });
  });

  it('falls back to Meta’s time for messages stored without a receive time', () => {
    expect(quietPeriodDecision([msg('a', 1, false)], 'a', NOW, 2_500).kind).toBe('wait');
  });

  it('a wake-up for an already-answered message still waits for the newest one', () => {
    expect(quietPeriodDecision([msg('b', 1)], 'old', NOW, 2_500)).toEqual({ kind: 'wait', waitMs: 1_500 });
  });

  it('answers a burst that has gone on for long enough without waiting for silence', () => {
    const start = MAX_BURST_WAIT_MS / 1000 + 1;
    expect(quietPeriodDecision([msg('a', start), msg('b', 0.5)], 'b', NOW, 2_500)).toEqual({ kind: 'answer' });
  });

  it('answers at once with no quiet period', () => {
    expect(quietPeriodDecision([msg('a', 0)], 'a', NOW, 0)).toEqual({ kind: 'answer' });
  });
});

describe('quiet period when ingress runs behind', () => {
  it('counts from when the message was stored, so a lagging pipeline does not look like a quiet customer', () => {
    // Received 9 s ago but stored only 1 s ago (the normalizer was behind): wait, the rest of the burst may follow.
    const late = {
      providerMessageId: 'a',
      occurredAt: '2026-12-07T12:00:01.000Z',
      receivedAt: '2026-12-07T12:00:01.000Z',
      storedAt: '2026-12-07T12:00:09.000Z',
    };
    // It also waits as long as the pipeline is behind (8 s), since the next line may be as late.
    expect(quietPeriodDecision([late], 'a', NOW, 2_000)).toEqual({ kind: 'wait', waitMs: 7_000 });
    expect(quietPeriodDecision([late], 'a', new Date('2026-12-07T12:00:17.000Z'), 2_000)).toEqual({ kind: 'answer' });
  });

  it('caps the longer wait', () => {
    const late = {
      providerMessageId: 'a',
      occurredAt: '2026-12-07T11:59:00.000Z',
      receivedAt: '2026-12-07T11:59:00.000Z',
      storedAt: '2026-12-07T12:00:09.000Z',
    };
    expect(quietPeriodDecision([late], 'a', NOW, 2_000)).toEqual({ kind: 'wait', waitMs: 9_000 });
  });
});

describe('quiet period when the webhook itself runs behind', () => {
  it('counts the lag from when the customer sent the line (Meta’s time), not only from the webhook', () => {
    // Sent at 12:00:05, reached the webhook 4 s later, stored at 12:00:09.200: the next line may be 4 s late too.
    const line = {
      providerMessageId: 'a',
      occurredAt: '2026-12-07T12:00:05.000Z',
      receivedAt: '2026-12-07T12:00:09.000Z',
      storedAt: '2026-12-07T12:00:09.200Z',
    };
    expect(quietPeriodDecision([line], 'a', NOW, 2_000)).toEqual({ kind: 'wait', waitMs: 3_400 });
  });
});
