/**
 * npm run bench:campaign — a marketing campaign through the whole local cloud: the release loop,
 * the campaign sender (the outbound use case with the DynamoDB pacer), the Graph simulator
 * enforcing the number's throughput (130429), and every receipt back through the webhook.
 *
 * Prints the achieved send rate against the campaign's pace (its share of the number's limit) and
 * the number's limit, the throughput errors provoked (target 0), and, checked against the
 * simulator's outbox, the customers who got no message (lost, target 0) and more than one (sent
 * twice, target 0); then the campaign's counts once the receipts are in.
 *
 * Knobs: BENCH_CAMPAIGN_SIZE (500; 100000 is accepted: at least 21 minutes at 80 msg/s, about three hours at the 9 msg/s a 2-core machine reaches), BENCH_NUMBER_MPS
 * (80: the number's throughput, registry and simulator alike), BENCH_RATE_SHARE (1: the whole
 * number), BENCH_TIMEOUT_S (the longest wait for the sends, default size / 2 + 300 s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { dynamoCampaignCounts } from '#lambdas/campaigns/campaign-counts-store';
import { LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID, LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { CAMPAIGN_TUNING_ENV } from '#lambdas/campaigns/campaign-wiring';
import { LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import { achievedRate, campaignSends, functionLoad, kick, seedCampaign, setNumber } from '#test/bench/campaign-bench-world';

const SIZE = Number(process.env.BENCH_CAMPAIGN_SIZE ?? 500);
const NUMBER_MPS = Number(process.env.BENCH_NUMBER_MPS ?? 80);
const RATE_SHARE = Number(process.env.BENCH_RATE_SHARE ?? 1);
const pace = NUMBER_MPS * RATE_SHARE;
// Generous: on a loaded 2-core machine the local cloud sends far below Meta's limits.
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? Math.ceil(SIZE / 2) + 300);

async function main(): Promise<number> {
  const harness = new LocalCloudHarness();
  console.log('Starting the local cloud (synthesizing and bundling the CDK app)…');
  await harness.start({
    graph: { limits: { messagesPerSecondPerNumber: NUMBER_MPS, pairLimit: false }, statusDelaysMs: { sent: 50, delivered: 200, read: false } },
    // The watchdog's minute compressed to 5 s, so the counts roll up while we watch; the release
    // check's quarter of an hour to a minute, so a send whose sender died is asked for again within the run.
    scheduleIntervalScale: 5 / 60,
    extraEnvironment: { [CAMPAIGN_TUNING_ENV.checkSeconds]: '60', [CAMPAIGN_TUNING_ENV.staleClaimSeconds]: '45' },
  });
  try {
    await setNumber(harness, LOCAL_WHATSAPP_PHONE_NUMBER_ID, NUMBER_MPS);
    console.log(`Seeding a campaign of ${SIZE.toLocaleString('en')} opted-in customers…`);
    const seeded = Date.now();
    const campaign = await seedCampaign(harness, {
      businessId: 'local',
      accountId: LOCAL_WHATSAPP_PHONE_NUMBER_ID,
      wabaId: LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
      size: SIZE,
      rateShare: RATE_SHARE,
      customer: (i) => `5521${String(i).padStart(9, '0')}`,
    });
    console.log(`seeded in ${((Date.now() - seeded) / 1000).toFixed(0)} s; releasing at ${pace} msg/s (${RATE_SHARE} of the number's ${NUMBER_MPS} msg/s)`);
    const started = Date.now();
    kick(harness, campaign);

    let report = campaignSends(harness, campaign);
    let lastProgress = 0;
    const deadline = started + TIMEOUT_S * 1000;
    while (report.accepted < SIZE && Date.now() < deadline) {
      await sleep(2_000);
      report = campaignSends(harness, campaign);
      if (Date.now() - lastProgress > 15_000) {
        lastProgress = Date.now();
        console.log(`  ${report.accepted.toLocaleString('en')} sent after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    // Anything still in flight (a late duplicate would show here).
    await sleep(5_000);
    report = campaignSends(harness, campaign);

    const t = report.times;
    const total = t.length > 1 ? (t.at(-1)! - started) / 1000 : Number.NaN;
    // The steady rate leaves out the first and last tick (start-up, and the list running out).
    const steady = t.length > 20 ? achievedRate(t, { from: t[0]! + 10_000, to: t.at(-1)! - 10_000 }) : achievedRate(t);
    const overall = achievedRate(t);
    console.log(`\nCampaign of ${SIZE.toLocaleString('en')} through the local cloud, number limit ${NUMBER_MPS} msg/s, campaign pace ${pace} msg/s`);
    console.log(`first send ${t.length ? ((t[0]! - started) / 1000).toFixed(1) : '-'} s after the kick; all sent in ${total.toFixed(1)} s`);
    console.log(
      `achieved rate: ${overall.toFixed(1)} msg/s overall, ${steady.toFixed(1)} msg/s steady = ${((100 * steady) / pace).toFixed(1)}% of the campaign's pace, ${((100 * steady) / NUMBER_MPS).toFixed(1)}% of the number's limit`,
    );
    console.log(`throughput errors (130429) provoked: ${report.throughputErrors}; other refusals: ${report.refused - report.throughputErrors}`);
    console.log(`lost (no message accepted): ${report.lost.length}; sent twice: ${report.sentTwice.length}`);

    // Counts once the receipts are in and the watchdog has rolled them up.
    await harness.cloud.graph.whenIdle();
    const counts = dynamoCampaignCounts({ db: harness.db, tableName: harness.cloud.tableName });
    const store = dynamoCampaignStore({ db: harness.db, tableName: harness.cloud.tableName });
    for (let i = 0; i < 30; i++) {
      const totals = await counts.totals(campaign.businessId, campaign.campaignId);
      if (totals.delivered >= report.accepted) break;
      await sleep(2_000);
    }
    await counts.rollUp(campaign.businessId, campaign.campaignId, SIZE);
    const stored = await store.get(campaign.businessId, campaign.campaignId);
    console.log(
      `campaign ${stored?.state}; counts: released ${stored?.counts.released}, sent ${stored?.counts.sent}, delivered ${stored?.counts.delivered}, failed ${stored?.counts.failed}`,
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
    console.log(`dead-lettered: ${JSON.stringify(Object.fromEntries(Object.entries(harness.deadLettered()).filter(([, n]) => n > 0)))}`);
    return report.lost.length === 0 && report.sentTwice.length === 0 && report.throughputErrors === 0 ? 0 : 1;
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
