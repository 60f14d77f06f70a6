import { FULL_CHAOS, formatChaosReport, routingFailures, runChaos } from '#test/chaos/chaos-run';

/**
 * `npm run chaos`: the full chaos run (10,000 customer messages over 1,000 conversations) on the
 * local cloud, then its figures. CHAOS_EVENTS and CHAOS_CONVERSATIONS make it smaller;
 * CHAOS_HANDOFF_SHARE sets the share of conversations that ask for a person (0 for none);
 * CHAOS_VISIBILITY_SCALE (e.g. 0.1) compresses the queues' visibility timeouts, after which a
 * crashed invocation's records return (minutes in the template).
 */
const events = Number(process.env.CHAOS_EVENTS ?? FULL_CHAOS.events);
const conversations = Number(process.env.CHAOS_CONVERSATIONS ?? Math.max(1, Math.round(events / 10)));
const handoffShare = Number(process.env.CHAOS_HANDOFF_SHARE ?? FULL_CHAOS.handoffShare);
const visibilityTimeoutScale = Number(process.env.CHAOS_VISIBILITY_SCALE ?? FULL_CHAOS.visibilityTimeoutScale);
const report = await runChaos({ ...FULL_CHAOS, events, conversations, handoffShare, visibilityTimeoutScale, log: (line) => console.log(line) });
console.log(`\n${formatChaosReport(report)}`);
const failed =
  report.inboundLost +
  report.inboundStoredTwice +
  report.repliesSentTwice +
  report.conversationsUnanswered +
  report.repliesNotSent +
  report.receiptsNotApplied +
  Object.values(report.deadLetteredAfterRedrive).reduce((a, b) => a + b, 0) +
  routingFailures(report);
process.exit(failed === 0 ? 0 : 1);
