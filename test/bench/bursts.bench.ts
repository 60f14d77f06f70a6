/**
 * npm run bench:bursts — N WhatsApp customers of the local business each write a burst of three
 * messages, 300–600 ms apart, all at the same time, through the whole local cloud. Prints how many
 * conversations were answered more than once (the target is 0: the agent waits for each
 * customer's quiet period, lambdas/agent/quiet-period.ts), how far apart the lines of a split burst
 * reached the webhook, and the delay from each customer's last message to the reply.
 *
 * BENCH_CONVERSATIONS (default 100) sets N. The simulator's number is given the upgraded
 * 1,000 msg/s throughput so the figure measures the pipeline, not Meta's limit.
 */
import { LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import { DEFAULT_REPLY_QUIET_MS, MAX_QUIET_MS } from '#lambdas/agent/quiet-period';
import { burstConversationKey, percentile, runCustomerBursts } from '#test/e2e/customer-bursts';

const N = Number(process.env.BENCH_CONVERSATIONS ?? 100);

async function main(): Promise<number> {
  const harness = new LocalCloudHarness();
  console.log('Starting the local cloud (synthesizing and bundling the CDK app)…');
  await harness.start({ graph: { limits: { messagesPerSecondPerNumber: 1000, pairLimit: false } } });
  try {
    // Warm the functions once so cold starts do not shape the bursts.
    await runCustomerBursts(harness, { conversations: 1, firstCustomer: 999_000, timeoutMs: 120_000, watchAfterIdleMs: 500 });
    const started = Date.now();
    const r = await runCustomerBursts(harness, { conversations: N, timeoutMs: 600_000 });
    const l = r.latenciesMs;
    console.log(`\n${N} WhatsApp conversations at once, a burst of 3 messages 300–600 ms apart each (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    console.log(
      `conversations answered more than once: ${r.answeredMoreThanOnce.length} of ${N}${r.answeredMoreThanOnce.length ? ` (${r.answeredMoreThanOnce.map((c) => `${c.customerId}×${c.sends}`).join(', ')})` : ''}`,
    );
    console.log(`conversations not answered: ${r.unanswered.length}`);
    // Why a burst was split: how far apart its lines reached the webhook (our clock starts there).
    const gaps: number[] = [];
    for (const c of r.answeredMoreThanOnce) {
      const items = await harness.conversationItems(burstConversationKey(c.customerId));
      const received = items
        .filter((i) => i.entity === 'Message' && i.direction === 'inbound')
        .map((i) => Date.parse(String(i.receivedAt)))
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      for (let k = 1; k < received.length; k++) gaps.push(received[k]! - received[k - 1]!);
    }
    gaps.sort((a, b) => a - b);
    if (gaps.length) {
      console.log(
        `in the bursts answered more than once, lines sent 300–600 ms apart reached the webhook p50 ${percentile(gaps, 50)} ms, max ${gaps.at(-1)} ms apart ` +
          `(the reply waits for ${DEFAULT_REPLY_QUIET_MS} ms of quiet after the newest stored line, longer while the pipeline is behind, at most ${MAX_QUIET_MS} ms)`,
      );
    }
    console.log(`last customer message → reply at the Graph API: p50 ${percentile(l, 50)} ms, p95 ${percentile(l, 95)} ms, max ${l.at(-1)} ms`);
    const problems = harness.problemCounts();
    if (problems.length) console.log(`warnings and errors logged:\n${problems.map((p) => `  ${p.count}× ${p.what}`).join('\n')}`);
    console.log(`dead-lettered: ${JSON.stringify(harness.deadLettered())}`);
    return r.answeredMoreThanOnce.length === 0 && r.unanswered.length === 0 ? 0 : 1;
  } finally {
    await harness.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
