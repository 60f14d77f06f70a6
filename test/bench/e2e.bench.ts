/**
 * npm run bench:e2e — N customer conversations at once through the whole local cloud.
 *
 * Each conversation: the simulator posts a signed customer message to the webhook (as Meta would);
 * the pipeline normalizes it, the agent answers, the outbound Lambda calls the Graph simulator.
 * Latency is webhook POST → reply received by the simulator. Prints p50/p95/p99, throughput, and
 * the AWS calls per inbound message that the local emulation counted.
 *
 * BENCH_CONVERSATIONS (default 100) sets N. The simulator's number is given the upgraded
 * 1,000 msg/s throughput so the figure measures the pipeline, not Meta's limit.
 */
import { LocalCloudHarness } from '#test/e2e/local-cloud-harness';

const N = Number(process.env.BENCH_CONVERSATIONS ?? 100);
const CHANNELS = ['whatsapp', 'instagram', 'messenger'] as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const harness = new LocalCloudHarness();
  console.log('Starting the local cloud (synthesizing and bundling the CDK app)…');
  await harness.start({
    graph: { limits: { messagesPerSecondPerNumber: 1000, pairLimit: false }, statusDelaysMs: { sent: 50, delivered: 100, read: 200 } },
  });
  try {
    // Warm every function once so cold starts do not dominate a short run.
    for (const channel of CHANNELS) await harness.customerSays({ channel, customerId: `9${CHANNELS.indexOf(channel)}00000000000001`, text: 'hola' });
    await waitForReplies(
      harness,
      CHANNELS.map((_, i) => `9${i}00000000000001`),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const before = harness.cloud.aws.calls.snapshot();

    const customers = Array.from({ length: N }, (_, i) => ({
      channel: CHANNELS[i % CHANNELS.length]!,
      id: `${5 + (i % CHANNELS.length)}${String(1_000_000_000_000 + i)}`,
    }));
    const sentAt = new Map<string, number>();
    const started = Date.now();
    await Promise.all(
      customers.map(async (c, i) => {
        sentAt.set(c.id, Date.now());
        await harness.customerSays({ channel: c.channel, customerId: c.id, name: `Bench ${i}`, text: 'Hola, ¿cuál es el horario?' });
      }),
    );
    const replies = await waitForReplies(
      harness,
      customers.map((c) => c.id),
      300_000,
    );
    const finished = Math.max(...replies.values());
    // Let receipts finish so their cost is counted with the round trip.
    await harness.cloud.graph.whenIdle();
    await new Promise((r) => setTimeout(r, 3000));
    const after = harness.cloud.aws.calls.snapshot();

    const latencies = customers.map((c) => replies.get(c.id)! - sentAt.get(c.id)!).sort((a, b) => a - b);
    console.log(`\n${N} conversations in parallel (${CHANNELS.join(', ')}), one customer message and one reply each`);
    console.log(
      `latency webhook POST → reply at the Graph API: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
    );
    console.log(
      `throughput: ${(N / ((finished - started) / 1000)).toFixed(1)} round trips/s (all ${N} answered in ${((finished - started) / 1000).toFixed(1)} s)`,
    );
    console.log('\nAWS calls per inbound message (inbound, reply and its sent/delivered/read receipts), counted by the emulation:');
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const delta = (after[key] ?? 0) - (before[key] ?? 0);
      if (delta > 0) console.log(`  ${key.padEnd(34)} ${(delta / N).toFixed(2)}`);
    }
    console.log("  (sqs-esm.* are the Lambda pollers' own receives and deletes; idle long-polls are counted too)");
    console.log('\nper function: invocations, mean and max duration, time spent waiting for a free instance');
    for (const [name, pool] of harness.cloud.functions) {
      const st = pool.stats();
      if (st.invocations === 0) continue;
      console.log(
        `  ${name.padEnd(24)} ${String(st.invocations).padStart(5)}  mean ${(st.busyMs / st.invocations).toFixed(0).padStart(5)} ms  max ${st.maxDurationMs.toFixed(0).padStart(5)} ms  waited ${(st.waitMs / 1000).toFixed(1)} s  (concurrency ${pool.spec.concurrency})`,
      );
    }
    const dead = harness.deadLettered();
    console.log(`\ndead-lettered: ${JSON.stringify(dead)}`);
  } finally {
    await harness.stop();
  }
}

async function waitForReplies(harness: LocalCloudHarness, customerIds: string[], timeoutMs: number): Promise<Map<string, number>> {
  const wanted = new Set(customerIds);
  const replies = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (replies.size < wanted.size) {
    if (Date.now() > deadline) throw new Error(`only ${replies.size} of ${wanted.size} conversations answered in ${timeoutMs} ms`);
    for (const entry of await harness.outbox()) {
      const to: string | undefined = entry.body?.to ?? entry.body?.recipient?.id;
      if (!to || !wanted.has(to) || replies.has(to) || entry.body?.status === 'read') continue;
      replies.set(to, Date.parse(entry.receivedAt));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return replies;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
