import { describe, expect, it } from 'vitest';
import { FULL_CHAOS, formatChaosReport, runChaos } from '#test/chaos/chaos-run';

/**
 * The chaos run, reduced for every change (`npm run chaos` is the full one): redelivered and
 * shuffled webhooks, receipts out of order, crashing invocations and a failing Graph API, and
 * still nothing lost, nothing stored or sent twice, every conversation answered.
 */
describe('chaos run on the local cloud (reduced)', () => {
  it('loses nothing, doubles nothing and answers everyone', async () => {
    // Visibility timeouts compressed tenfold (the default): a crashed invocation's records return in seconds.
    const report = await runChaos({ ...FULL_CHAOS, events: 300, conversations: 30, settleTimeoutMs: 8 * 60_000 });
    console.log(formatChaosReport(report));
    // The faults really happened, or the run proves nothing.
    expect(report.injected.duplicateDeliveries).toBeGreaterThan(30);
    expect(report.injected.crashes).toBeGreaterThan(10);
    expect(report.injected.graphServerErrors + report.injected.graphThrottled).toBeGreaterThan(0);
    expect({
      inboundLost: report.inboundLost,
      inboundStoredTwice: report.inboundStoredTwice,
      repliesSentTwice: report.repliesSentTwice,
      conversationsUnanswered: report.conversationsUnanswered,
      repliesNotSent: report.repliesNotSent,
      receiptsNotApplied: report.receiptsNotApplied,
      deadLetteredAfterRedrive: Object.values(report.deadLetteredAfterRedrive).reduce((a, b) => a + b, 0),
    }).toEqual({
      inboundLost: 0,
      inboundStoredTwice: 0,
      repliesSentTwice: 0,
      conversationsUnanswered: 0,
      repliesNotSent: 0,
      receiptsNotApplied: 0,
      deadLetteredAfterRedrive: 0,
    });
  }, 15 * 60_000);
});
