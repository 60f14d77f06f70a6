/**
 * npm run bench:campaign-list — a contacts audience's list built step by step against DynamoDB
 * Local, as the release function builds it: the deciding steps (campaign-list-decide.ts: the
 * contacts index walked in bounded slices) and then the writing steps (a staged chunk each).
 *
 * Seeds BENCH_CONTACTS contacts (default 20,000; each has a name and a phone, so the contacts index
 * holds two entries per contact, as for customers who wrote on WhatsApp), schedules a utility
 * campaign to all of them, runs every build message in a loop as the ticks queue would deliver
 * them, and prints the steps taken, each phase's longest step and the figures the extrapolation to
 * 100,000 rests on (contacts a deciding step reads, its time, the walk digests read by the last step).
 * Checks that the list holds every contact once and exits non-zero otherwise.
 */
import { performance } from 'node:perf_hooks';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { upsertChannelAccount } from '#lambdas/accounts/channel-account';
import { buildListStep, nextBuildMessage, type ListBuildDeps, type ListBuildOutcome } from '#lambdas/campaigns/campaign-list-build';
import { DECIDING_LIMITS } from '#lambdas/campaigns/campaign-list-decide';
import { emptyCounts } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { dynamoReleaseSources } from '#lambdas/campaigns/campaign-lookups-store';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { templateKey } from '#lambdas/templates/template-item';
import { createTableFromCfn } from '#lib/local-cloud/create-table';
import { startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';
import { ACCOUNT, BUSINESS, recordingPublisher, shippingTemplate, WABA } from '#test/helpers/campaign-fixtures';
import { queuedListBuilds } from '#test/helpers/campaign-list-builds';
import { TABLE_PROPERTIES } from '#test/helpers/table-definition';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 20_000);
const SEED_PARALLELISM = 25;
const CAMPAIGN_ID = 'cmp_01J0000000BENCH00000000001';
const waId = (i: number) => `55219${String(i).padStart(8, '0')}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  console.log('Starting DynamoDB Local…');
  const local = await startDynamoDbLocal();
  try {
    const db = documentClient(local.client);
    const tableName = 'bench-campaign-list';
    await createTableFromCfn(local.client, tableName, TABLE_PROPERTIES);
    const contacts = dynamoContactStore({ db, tableName });

    console.log(`Seeding ${CONTACTS.toLocaleString('en')} contacts (a name and a phone each: ${(2 * CONTACTS).toLocaleString('en')} index entries)…`);
    const seeding = performance.now();
    for (let i = 0; i < CONTACTS; i += SEED_PARALLELISM) {
      await Promise.all(
        Array.from({ length: Math.min(SEED_PARALLELISM, CONTACTS - i) }, (_, j) =>
          contacts.resolve(
            BUSINESS,
            [
              { kind: 'whatsapp', value: waId(i + j), accountId: ACCOUNT },
              { kind: 'phone', value: `+${waId(i + j)}`, accountId: ACCOUNT },
            ],
            { name: `Cliente ${i + j}`, at: '2026-04-01T10:00:00.000Z' },
          ),
        ),
      );
      if ((i + SEED_PARALLELISM) % 5_000 === 0) console.log(`  ${(i + SEED_PARALLELISM).toLocaleString('en')} (${seconds(performance.now() - seeding)})`);
    }
    console.log(`seeded in ${seconds(performance.now() - seeding)}`);

    await upsertChannelAccount(db, tableName, { accountId: ACCOUNT, channel: 'whatsapp', businessId: BUSINESS, wabaId: WABA, status: 'active' });
    const t = shippingTemplate;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...templateKey(t.wabaId, t.name, t.language),
          entity: 'Template',
          wabaId: t.wabaId,
          name: t.name,
          language: t.language,
          status: t.status,
          category: t.category,
          parameterFormat: t.parameterFormat,
          componentsJson: JSON.stringify(t.components),
        },
      }),
    );
    const store = dynamoCampaignStore({ db, tableName });
    const at = new Date().toISOString();
    await store.create({
      businessId: BUSINESS,
      campaignId: CAMPAIGN_ID,
      name: 'Bench: shipping notice to everyone',
      accountId: ACCOUNT,
      template: { name: t.name, language: t.language, category: 'utility' },
      audience: { kind: 'contacts', variables: { 'header.first_name': { from: 'contact', field: 'first_name' }, order: { from: 'text', value: '#1' } } },
      rateShare: 0.8,
      state: 'scheduled',
      list: { status: 'building', built: 0, updatedAt: at },
      counts: emptyCounts(),
      createdBy: 'bench',
      createdAt: at,
      updatedAt: at,
      version: 1,
    });

    // The walk digests the last deciding step reads grow with the steps before it: timed apart.
    let lastWalkRead = { step: 0, ms: 0, bytes: 0 };
    const timedStore: CampaignStore = {
      ...store,
      async decidingWalk(businessId, campaignId, attempt, beforeStep) {
        const started = performance.now();
        const walk = await store.decidingWalk(businessId, campaignId, attempt, beforeStep);
        lastWalkRead = { step: beforeStep, ms: performance.now() - started, bytes: walk.met.reduce((n, m) => n + m.length, 0) };
        return walk;
      },
    };
    const builds = queuedListBuilds();
    const deps: ListBuildDeps = { store: timedStore, contacts, sources: dynamoReleaseSources({ db, tableName }), builds, publisher: recordingPublisher() };
    builds.messages.push({ kind: 'build', ...nextBuildMessage((await store.get(BUSINESS, CAMPAIGN_ID))!) });

    console.log(
      `Building the list (a deciding step reads at most ${DECIDING_LIMITS.contacts.toLocaleString('en')} contacts or ${seconds(DECIDING_LIMITS.ms)}; a writing step one chunk)…`,
    );
    const steps: Array<{ outcome: ListBuildOutcome; ms: number }> = [];
    const building = performance.now();
    let heapPeak = 0;
    while (builds.messages.length > 0 && steps.length < 10_000) {
      const started = performance.now();
      const outcome = await buildListStep(builds.messages.shift(), deps);
      const ms = performance.now() - started;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      steps.push({ outcome, ms });
      if (outcome.outcome === 'deciding')
        console.log(
          `  deciding step ${outcome.step}: ${outcome.read.toLocaleString('en')} contacts read, ${outcome.listed.toLocaleString('en')} listed, ${seconds(ms)}`,
        );
      else if (outcome.outcome === 'decided')
        console.log(`  decided: ${outcome.targeted.toLocaleString('en')} recipients in ${outcome.chunks} chunks, ${seconds(ms)}`);
      else if (outcome.outcome !== 'written') console.log(`  ${JSON.stringify(outcome)}, ${seconds(ms)}`);
    }
    const total = performance.now() - building;

    const deciding = steps.filter((s) => s.outcome.outcome === 'deciding' || s.outcome.outcome === 'decided');
    const writing = steps.filter((s) => s.outcome.outcome === 'written' || s.outcome.outcome === 'ready');
    const longest = (of: typeof steps) => Math.max(0, ...of.map((s) => s.ms));
    const sum = (of: typeof steps) => of.reduce((n, s) => n + s.ms, 0);
    const done = await store.get(BUSINESS, CAMPAIGN_ID);
    const listed = await store.listEnd(BUSINESS, CAMPAIGN_ID);

    console.log('');
    console.log(`contacts:         ${CONTACTS.toLocaleString('en')}`);
    console.log(`steps:            ${steps.length} (${deciding.length} deciding, ${writing.length} writing)`);
    console.log(`deciding:         ${seconds(sum(deciding))} in all, longest step ${seconds(longest(deciding))}`);
    console.log(`writing:          ${seconds(sum(writing))} in all, longest step ${seconds(longest(writing))}`);
    console.log(`longest step:     ${seconds(longest(steps))} (the release function has 60 s)`);
    console.log(`whole build:      ${seconds(total)}`);
    console.log(`last walk read:   step ${lastWalkRead.step} read ${(lastWalkRead.bytes / 1024).toFixed(0)} KB of digests in ${lastWalkRead.ms.toFixed(0)} ms`);
    console.log(`heap peak:        ${(heapPeak / 1024 / 1024).toFixed(0)} MB`);
    console.log(
      `list:             ${listed.toLocaleString('en')} recipients, status ${done?.list?.status}, targeted ${done?.counts.targeted.toLocaleString('en')}`,
    );
    const ok = listed === CONTACTS && done?.list?.status === 'ready' && done.counts.targeted === CONTACTS;
    if (!ok) console.error('FAILED: the list does not hold every contact once');
    return ok ? 0 : 1;
  } finally {
    await local.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
