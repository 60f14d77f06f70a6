/**
 * npm run bench:fairness — 20 businesses on one local cloud: one runs a marketing campaign at its
 * number's pace, the other 19 are chatting with their customers (each customer writes once; the
 * business's bot answers). Prints the chatting businesses' reply latency (customer's message →
 * reply at the Graph API) p50/p99 without the campaign and with it running (target: p99 within
 * 1.2×), and the campaign's achieved rate during the chats against its number's limit.
 *
 * Campaign traffic has its own queue and sender (lib/constructs/campaigns.ts), released at each
 * number's pace; the conversational outbound queue only carries replies. The two share the number's
 * DynamoDB pacer, so only the campaign's own business shares its number with it.
 *
 * The campaign runs at its number's full limit (rate share 1) with 100,000 recipients. Everything
 * is the deployed code on the local cloud; only the number's limit is scaled down (default 4 msg/s
 * instead of Meta's 80) to what one 2-core machine can carry together with the other 19
 * businesses: in AWS every invocation has its own CPU, here all of them share the machine's, so a
 * campaign the machine cannot carry slows everything for want of CPU, which says nothing about the
 * queues. The bench prints how busy the machine's CPUs were in each phase and says when a figure
 * is CPU-bound.
 *
 * Knobs: BENCH_CHATS_PER_BUSINESS (4), BENCH_CHAT_SECONDS (30: the chats of a phase are spread over
 * this), BENCH_NUMBER_MPS (4), BENCH_RATE_SHARE (1: the number's full limit), BENCH_CAMPAIGN_SIZE
 * (100000; it need not finish: the chats run while it sends).
 */
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalTenant } from '#lib/local-cloud/local-tenants';
import { LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import { achievedRate, campaignSends, functionLoad, kick, percentile, seedCampaign, setNumber } from '#test/bench/campaign-bench-world';

const BUSINESSES = 20;
const CHATS = Number(process.env.BENCH_CHATS_PER_BUSINESS ?? 4);
const CHAT_SECONDS = Number(process.env.BENCH_CHAT_SECONDS ?? 30);
const NUMBER_MPS = Number(process.env.BENCH_NUMBER_MPS ?? 4);
const RATE_SHARE = Number(process.env.BENCH_RATE_SHARE ?? 1);
const PACE = NUMBER_MPS * RATE_SHARE;
const CAMPAIGN_SIZE = Number(process.env.BENCH_CAMPAIGN_SIZE ?? 100_000);
/** Above this share of the machine's CPU time busy, a phase's latencies measure the machine, not the queues. */
const CPU_BOUND = 0.85;

const nn = (i: number) => String(i + 1).padStart(2, '0');
const business = (i: number) => ({
  businessId: `biz${nn(i)}`,
  wabaId: `2000000001000${nn(i)}`,
  phoneNumberId: `1000000001000${nn(i)}`,
  displayPhoneNumber: `1555000${nn(i)}00`,
});

function tenants(): LocalTenant[] {
  return Array.from({ length: BUSINESSES }, (_, i) => {
    const b = business(i);
    return {
      businessId: b.businessId,
      accessToken: `token-${b.businessId}`,
      whatsapp: [{ wabaId: b.wabaId, numbers: [{ phoneNumberId: b.phoneNumberId, displayPhoneNumber: b.displayPhoneNumber }] }],
      botSettings: 'demo',
    };
  });
}

const PHASE_PREFIX = { warm: '51', without: '41', with: '31' } as const;

const QUESTIONS = ['Hola, ¿cuál es el horario?', 'Oi, qual o prazo de entrega?', 'Hi, where is my order?', '¿Tienen envío gratis?'];

/** All CPUs' busy and total time so far (ms), to tell how busy the machine was between two readings. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

function busyShare(from: { busy: number; total: number }, to: { busy: number; total: number }): number {
  return to.total > from.total ? (to.busy - from.busy) / (to.total - from.total) : 0;
}

/** One chat phase: every chatting business's customers write once, spread over CHAT_SECONDS; the latency of each reply. */
async function chatPhase(
  harness: LocalCloudHarness,
  phase: keyof typeof PHASE_PREFIX,
): Promise<{ latencies: number[]; unanswered: number; window: { from: number; to: number }; cpuBusy: number }> {
  const said = new Map<string, { at: number; accountId: string }>();
  const from = Date.now();
  const cpuFrom = cpuTimes();
  await Promise.all(
    Array.from({ length: BUSINESSES - 1 }, (_, k) => k + 1).flatMap((i) =>
      Array.from({ length: CHATS }, async (_, c) => {
        await sleep(Math.random() * CHAT_SECONDS * 1000);
        // Each phase's customers are new ones: a reply from an earlier phase is never taken for theirs.
        const customerId = `55${PHASE_PREFIX[phase]}${nn(i)}${String(c).padStart(7, '0')}`;
        const accountId = business(i).phoneNumberId;
        const at = Date.now();
        const res = await fetch(`${harness.cloud.graphUrl}/_sim/customer/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'whatsapp', accountId, customerId, name: `Cliente ${c}`, text: QUESTIONS[c % QUESTIONS.length] }),
        });
        if (!res.ok) throw new Error(`the simulator refused a customer message: ${res.status} ${await res.text()}`);
        said.set(customerId, { at, accountId });
      }),
    ),
  );
  const to = Date.now();
  const replyAt = new Map<string, number>();
  const deadline = Date.now() + 180_000;
  while (replyAt.size < said.size && Date.now() < deadline) {
    for (const e of harness.cloud.graph.outbox()) {
      const recipient = e.recipientId;
      if (!recipient || replyAt.has(recipient) || !said.has(recipient) || e.status >= 300) continue;
      const body = e.body as { type?: string; status?: string } | undefined;
      if (body?.status === 'read' || body?.type === 'template') continue;
      replyAt.set(recipient, Date.parse(e.receivedAt));
    }
    if (replyAt.size < said.size) await sleep(500);
  }
  const cpuBusy = busyShare(cpuFrom, cpuTimes());
  const latencies = [...said].flatMap(([id, s]) => (replyAt.has(id) ? [replyAt.get(id)! - s.at] : [])).sort((a, b) => a - b);
  return { latencies, unanswered: said.size - replyAt.size, window: { from, to }, cpuBusy };
}

async function main(): Promise<number> {
  const harness = new LocalCloudHarness();
  console.log(`Starting the local cloud with ${BUSINESSES} businesses (synthesizing and bundling the CDK app)…`);
  await harness.start({
    tenants: tenants(),
    graph: { limits: { messagesPerSecondPerNumber: NUMBER_MPS, pairLimit: false }, statusDelaysMs: { sent: 50, delivered: 200, read: false } },
    scheduleIntervalScale: 5 / 60,
  });
  try {
    for (let i = 0; i < BUSINESSES; i++) await setNumber(harness, business(i).phoneNumberId, NUMBER_MPS);
    // Warm every function once (cold starts are not what is compared).
    const warm = await chatPhase(harness, 'warm');
    console.log(`warm-up: ${warm.latencies.length} replies, p50 ${percentile(warm.latencies, 50)} ms`);

    const without = await chatPhase(harness, 'without');
    console.log(
      `without the campaign: ${without.latencies.length} replies, p50 ${percentile(without.latencies, 50)} ms, p99 ${percentile(without.latencies, 99)} ms`,
    );

    const owner = business(0);
    console.log(`Seeding ${owner.businessId}'s campaign of ${CAMPAIGN_SIZE.toLocaleString('en')} (pace ${PACE} msg/s of its number's ${NUMBER_MPS})…`);
    const campaign = await seedCampaign(harness, {
      businessId: owner.businessId,
      accountId: owner.phoneNumberId,
      wabaId: owner.wabaId,
      size: CAMPAIGN_SIZE,
      rateShare: RATE_SHARE,
      customer: (i) => `5521${String(i).padStart(9, '0')}`,
    });
    kick(harness, campaign);
    // Chats start once the campaign is sending (its first tick's sends reaching Meta).
    const flowing = Date.now() + 120_000;
    while (campaignSends(harness, campaign).accepted < Math.min(50, PACE * 2) && Date.now() < flowing) await sleep(1_000);

    const withCampaign = await chatPhase(harness, 'with');
    const sends = campaignSends(harness, campaign);
    const during = achievedRate(sends.times, { from: withCampaign.window.from, to: withCampaign.window.to + 10_000 });
    const ratio = percentile(withCampaign.latencies, 99) / percentile(without.latencies, 99);

    console.log(
      `\n${BUSINESSES - 1} businesses chatting (${CHATS} customers each over ${CHAT_SECONDS} s), one running a campaign at ${PACE} msg/s on its ${NUMBER_MPS} msg/s number`,
    );
    const pct = (x: number) => `${Math.round(100 * x)}%`;
    console.log('| | replies | p50 | p99 | unanswered | machine CPU busy |');
    console.log('|---|---|---|---|---|---|');
    console.log(
      `| without the campaign | ${without.latencies.length} | ${percentile(without.latencies, 50)} ms | ${percentile(without.latencies, 99)} ms | ${without.unanswered} | ${pct(without.cpuBusy)} |`,
    );
    console.log(
      `| with the campaign | ${withCampaign.latencies.length} | ${percentile(withCampaign.latencies, 50)} ms | ${percentile(withCampaign.latencies, 99)} ms | ${withCampaign.unanswered} | ${pct(withCampaign.cpuBusy)} |`,
    );
    console.log(`p99 with / without: ${ratio.toFixed(2)}× (target ≤ 1.2×)`);
    const cpuBound = Math.max(without.cpuBusy, withCampaign.cpuBusy) > CPU_BOUND;
    if (cpuBound)
      console.log(
        `CPU-bound: the machine's CPUs were more than ${pct(CPU_BOUND)} busy, so the latencies above measure the machine, not the queues; lower BENCH_NUMBER_MPS or use more cores.`,
      );
    console.log(
      `campaign during the chats: ${during.toFixed(1)} msg/s = ${((100 * during) / PACE).toFixed(1)}% of its pace, ${((100 * during) / NUMBER_MPS).toFixed(1)}% of its number's limit; 130429 provoked: ${sends.throughputErrors}; sent twice: ${sends.sentTwice.length}`,
    );
    console.log(`where the time went (worker threads of the local cloud):\n${functionLoad(harness)}`);
    const problems = harness.problemCounts();
    if (problems.length)
      console.log(
        `warnings and errors logged:\n${problems
          .slice(0, 15)
          .map((p) => `  ${p.count}× ${p.what}`)
          .join('\n')}`,
      );
    return ratio > 0 && ratio <= 1.2 && !cpuBound && withCampaign.unanswered === 0 && without.unanswered === 0 ? 0 : 1;
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
