import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, CHUNK_RECIPIENTS, planListChunks } from '#lambdas/campaigns/campaign-list-build';
import { decideState } from '#lambdas/campaigns/campaign-release-decision';
import { kickOnChange, watchCampaigns } from '#lambdas/campaigns/campaign-watchdog';
import { inMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { BUSINESS, CAMPAIGN_ID, campaign, inMemoryCounter, recordingTicks } from '#test/helpers/campaign-release-fakes';
import { queuedListBuilds } from '#test/helpers/campaign-list-builds';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const recipient = (i: number, variable = 'x') => ({ waId: String(5511900000000 + i), contactId: `ct_${i}`, variables: { '1': variable } });

describe('cutting a decided audience into chunks', () => {
  it('cuts by count, each chunk starting where the one before ended', () => {
    const recipients = Array.from({ length: 2_500 }, (_, i) => recipient(i));
    const chunks = planListChunks(recipients);
    expect(chunks.map((c) => [c.firstSeq, c.recipients.length])).toEqual([
      [0, CHUNK_RECIPIENTS],
      [1_000, 1_000],
      [2_000, 500],
    ]);
    expect(chunks.flatMap((c) => c.recipients)).toEqual(recipients);
  });

  it('cuts by size when variables are long, never over the staged item size', () => {
    const long = 'v'.repeat(1_000);
    const recipients = Array.from({ length: 700 }, (_, i) => recipient(i, long));
    const chunks = planListChunks(recipients);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(JSON.stringify(c.recipients).length).toBeLessThanOrEqual(CHUNK_BYTES);
    chunks.forEach((c, i) => expect(c.firstSeq).toBe(i === 0 ? 0 : chunks[i - 1]!.firstSeq + chunks[i - 1]!.recipients.length));
    expect(chunks.reduce((n, c) => n + c.recipients.length, 0)).toBe(700);
  });

  it('puts a recipient larger than a chunk alone in its own chunk, and nothing in none', () => {
    expect(planListChunks([])).toEqual([]);
    const chunks = planListChunks([recipient(0), recipient(1, 'y'.repeat(50)), recipient(2)], { maxBytes: 40 });
    expect(chunks.map((c) => c.recipients.length)).toEqual([1, 1, 1]);
    expect(planListChunks([recipient(0), recipient(1), recipient(2)], { maxRecipients: 2 }).map((c) => c.firstSeq)).toEqual([0, 2]);
  });
});

describe('the release loop and a list being built', () => {
  it('releases nothing before the list is ready', () => {
    const cursor = { tick: 0 };
    expect(decideState({ state: 'scheduled', list: { status: 'building', built: 10 } }, cursor, 0, NOW)).toEqual({ action: 'ignore', reason: 'list_not_ready' });
    expect(decideState({ state: 'running', list: { status: 'failed', built: 0 } }, cursor, 0, NOW)).toEqual({ action: 'ignore', reason: 'list_not_ready' });
    expect(decideState({ state: 'scheduled', list: { status: 'ready', built: 10 } }, cursor, 0, NOW)).toEqual({ action: 'start' });
    // A campaign listed before builds ran in the background has no `list`: its list is complete.
    expect(decideState({ state: 'scheduled' }, cursor, 0, NOW)).toEqual({ action: 'start' });
  });

  it('sends a build its step on campaign.changed, and the watchdog sends a quiet one its step again', async () => {
    const store = inMemoryCampaignStore();
    const ticks = recordingTicks();
    const builds = queuedListBuilds();
    await store.create(campaign({ list: { status: 'building', built: 1_000, chunks: 5, nextChunk: 1, attempt: 'a1', updatedAt: new Date(NOW.getTime() - 120_000).toISOString() } }));
    const changed = { source: EVENT_SOURCE.campaigns, 'detail-type': DETAIL_TYPE.campaignChanged, detail: { v: 1, businessId: BUSINESS, campaignId: CAMPAIGN_ID, state: 'scheduled', previousState: 'draft' } };
    expect(await kickOnChange(changed, { store, ticks, builds })).toBe('build_kicked');
    expect(builds.messages).toEqual([{ kind: 'build', businessId: BUSINESS, campaignId: CAMPAIGN_ID, chunk: 1 }]);
    expect(ticks.scheduled).toEqual([]);

    const report = await watchCampaigns({ store, ticks, builds, counter: inMemoryCounter(), now: () => NOW });
    expect(report).toMatchObject({ buildsKicked: 1, kicked: 0 });
    expect(builds.messages).toHaveLength(2);
    // A build that moved a moment ago is left alone.
    await store.setList(BUSINESS, CAMPAIGN_ID, { status: 'building', built: 2_000, chunks: 5, nextChunk: 2, attempt: 'a1', updatedAt: NOW.toISOString() });
    expect((await watchCampaigns({ store, ticks, builds, counter: inMemoryCounter(), now: () => NOW })).buildsKicked).toBe(0);
  });
});
