#!/usr/bin/env node
// `npm run seed`: plays a few hundred realistic conversations through the running local cloud
// (`npm start`), then spreads them over the past weeks so `npm run export && npm run analytics`
// has something worth looking at. Options: --conversations N (200), --concurrency N (24),
// --seed N (a number; default from the clock), --days N (28).
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { localTableName } from '#lib/analytics/local-table';
import { LocalCloudClient } from '#lib/analytics/seed/local-cloud-client';
import { playConversation, type PlayedConversation } from '#lib/analytics/seed/play-conversation';
import { planConversations, randomSource, type ConversationPlan } from '#lib/analytics/seed/seed-plan';
import { shiftConversation, shiftMs, type ConversationShift } from '#lib/analytics/seed/time-spread';
import { putSeedRoutingConfig, stampRouting } from '#lib/analytics/seed/routing-story';
import { planAttribution, stampAttribution, stampBotEnd, stampSale } from '#lib/analytics/seed/outcome-story';
import { LOCAL_BUSINESS_ID } from '#lib/operations/operator-token';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : undefined;
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive whole number`);
  return value;
}

async function inPool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  const results: Array<PromiseSettledResult<R>> = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        try {
          results[i] = { status: 'fulfilled', value: await work(items[i]!) };
        } catch (reason) {
          results[i] = { status: 'rejected', reason };
        }
      }
    }),
  );
  return results;
}

/** Where the played conversation goes in time: its start, then the people's minutes on top. */
async function shiftFor(client: LocalCloudClient, played: PlayedConversation, runStartMs: number, nowMs: number): Promise<ConversationShift> {
  const { plan } = played;
  const out = await client.db.send(
    new GetCommand({ TableName: client.tableName, Key: { pk: `CONV#${played.conversationKey}`, sk: 'CONV' }, ConsistentRead: true }),
  );
  const conversation = out.Item ?? {};
  const steps: ConversationShift['steps'] = [];
  const handoffAt = typeof conversation.handoffRequestedAt === 'string' ? Date.parse(conversation.handoffRequestedAt) : undefined;
  const closedAt = typeof conversation.closedAt === 'string' ? Date.parse(conversation.closedAt) : undefined;
  // A handoff the bot acknowledged waits after the acknowledgement; a person who took over on their
  // own answered at the handoff time, so that reply itself comes later.
  const tookOver = conversation.handoffReason === 'agent_takeover';
  if (handoffAt) steps.push({ atMs: handoffAt, extraMs: plan.personWaitMs, inclusive: tookOver });
  if (closedAt) steps.push({ atMs: closedAt, extraMs: plan.handlingMs, inclusive: true });
  if (played.csatAtMs) steps.push({ atMs: played.csatAtMs, extraMs: plan.csatDelayMs, inclusive: true });
  const shift: ConversationShift = { liveFromMs: runStartMs, baseMs: plan.startMs - played.liveStartMs, steps };
  if (played.comeBackAtMs) {
    // Back within days, but never later than an hour ago.
    const latest = nowMs - 3_600_000 - shiftMs(played.comeBackAtMs, shift);
    steps.push({ atMs: played.comeBackAtMs, extraMs: Math.max(0, Math.min(plan.comeBackAfterMs, latest)), inclusive: true });
  }
  return shift;
}

function count<T>(items: readonly T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

async function main(): Promise<void> {
  const conversations = option('conversations', 200);
  const concurrency = option('concurrency', 24);
  const seed = option('seed', Date.now() % 1_000_000);
  const days = option('days', 28);
  const started = Date.now();
  const runStartMs = started - 1000;

  const probe = new LocalCloudClient('');
  await probe.checkRunning();
  const tableName = await localTableName(probe.dynamo);
  probe.close();
  const client = new LocalCloudClient(tableName);
  const plans = planConversations({ count: conversations, seed, nowMs: started, days });
  console.log(`Playing ${plans.length} conversations (seed ${seed}, ${concurrency} at a time) through ${client.apiUrl} and ${client.graphUrl}…`);

  let done = 0;
  const results = await inPool(plans, concurrency, async (plan: ConversationPlan) => {
    const played = await playConversation(client, plan, randomSource(seed * 1000 + plan.index));
    if (++done % 20 === 0) console.log(`  ${done}/${plans.length} played (${Math.round((Date.now() - started) / 1000)} s)`);
    return played;
  });
  const played = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`#${i}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
  if (failed.length > 0) console.log(`  ${failed.length} conversations did not finish:\n    ${failed.slice(0, 5).join('\n    ')}`);

  // Receipts and late sends finish before anything is moved in time.
  await client.untilIdle();
  await new Promise((r) => setTimeout(r, 3000));
  await client.untilIdle();

  console.log('Spreading the conversations over the past weeks…');
  const nowMs = Date.now();
  let items = 0;
  await inPool(played, 8, async (p) => {
    const moved = await shiftConversation(client.db, tableName, p.conversationKey, await shiftFor(client, p, runStartMs, nowMs));
    items += moved;
  });

  // The contact-centre story: the seed business's queues and agents, and each handoff's routing facts.
  const routingItems = await putSeedRoutingConfig(client.db, tableName, LOCAL_BUSINESS_ID, new Date(nowMs));
  let routed = 0;
  await inPool(
    played.filter((p) => p.plan.routing),
    8,
    async (p) => {
      if (await stampRouting(client.db, tableName, p.conversationKey, p.plan.routing!, LOCAL_BUSINESS_ID)) routed++;
    },
  );

  // Where customers came from, the sales, and the bot's ends (lib/analytics/seed/outcome-story.ts).
  const touches = played.flatMap((p) => {
    const touch = planAttribution(seed, p.plan.index);
    return touch ? [{ p, touch }] : [];
  });
  let sales = 0;
  await inPool(touches, 8, async ({ p, touch }) => {
    await stampAttribution(client.db, tableName, p.conversationKey, touch);
    if (touch.buys && p.plan.routing && (await stampSale(client.db, tableName, p.conversationKey))) sales++;
  });
  const botEnds: string[] = [];
  await inPool(played, 8, async (p) => {
    const outcome = await stampBotEnd(client.db, tableName, p.conversationKey, nowMs);
    if (outcome) botEnds.push(outcome);
  });
  client.close();

  const handoffs = played.filter((p) => p.plan.story.endsWith('handoff'));
  const whatsapp = played.filter((p) => p.plan.channel === 'whatsapp');
  console.log(`
Seeded ${played.length} conversations into table ${tableName} in ${Math.round((Date.now() - started) / 1000)} s (${items} items moved in time)
  channels:      ${count(played, (p) => p.plan.channel)}
  languages:     ${count(played, (p) => p.plan.language)}
  stories:       ${count(played, (p) => p.plan.story)}
  handoffs:      ${handoffs.length}, CSAT answered ${handoffs.filter((p) => p.plan.csatScore !== undefined).length} (${count(
    handoffs.filter((p) => p.plan.csatScore !== undefined),
    (p) => `${p.plan.csatScore}★`,
  )}), came back later ${handoffs.filter((p) => p.plan.comesBack).length}
  routing:       ${routed} handoffs routed (${count(
    handoffs.filter((p) => p.plan.routing),
    (p) => p.plan.routing!.queueId,
  )}; ${handoffs.filter((p) => p.plan.routing?.vip).length} VIP, ${handoffs.filter((p) => (p.plan.routing?.transfers ?? 0) > 0).length} transferred; ${count(
    handoffs.filter((p) => p.plan.routing),
    (p) => p.plan.routing!.outcome,
  )}), ${routingItems} queue and agent items added
  outcomes:      ${botEnds.length} ended by the bot (${count(botEnds, (o) => o)}), ${sales} sales closed as converted
  first touches: ${count(touches, (t) => t.touch.headline ?? t.touch.utm?.campaign ?? t.touch.source)} (the rest came on their own)
  history:       ${whatsapp.filter((p) => p.plan.importedHistory).length} WhatsApp threads with imported coexistence history (3 messages each)
  templates:     ${count(
    whatsapp.filter((p) => p.plan.template),
    (p) => p.plan.template!.category,
  )}
  Meta failures: ${played.reduce((n, p) => n + p.failures, 0)} failed-status webhooks (131026 undeliverable, 131049 marketing engagement)
  business msgs: ${played.reduce((n, p) => n + p.businessMessages, 0)} sent through the Graph simulator
Times: played live, then each conversation moved to a start in the last ${days} days (weekday and hour weighted),
with a person's pickup, handling, the CSAT answer and any return added as minutes or days.
Next: npm run export && npm run analytics`);
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
