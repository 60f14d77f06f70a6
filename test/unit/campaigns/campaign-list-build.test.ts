import { describe, expect, it } from 'vitest';
import { AudienceMet, MET_KEY_BYTES } from '#lambdas/campaigns/audience/audience-met';
import { buildListStep, CHUNK_BYTES, CHUNK_RECIPIENTS, nextBuildMessage, planListChunks } from '#lambdas/campaigns/campaign-list-build';
import { decideState } from '#lambdas/campaigns/campaign-release-decision';
import { kickOnChange, watchCampaigns } from '#lambdas/campaigns/campaign-watchdog';
import { inMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { BUSINESS, CAMPAIGN_ID, campaign, inMemoryCounter, recordingTicks } from '#test/helpers/campaign-release-fakes';
import { queuedListBuilds, sourcesOf } from '#test/helpers/campaign-list-builds';
import { memoryLookups, recordingPublisher } from '#test/helpers/campaign-fixtures';
import { inMemoryContactStore } from '#test/helpers/in-memory-contact-store';

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
    for (const [i, c] of chunks.entries()) expect(c.firstSeq).toBe(i === 0 ? 0 : chunks[i - 1]!.firstSeq + chunks[i - 1]!.recipients.length);
    expect(chunks.reduce((n, c) => n + c.recipients.length, 0)).toBe(700);
  });

  it('counts a chunk in UTF-8 bytes, as DynamoDB sizes items, and starts where a deciding step goes on', () => {
    // 1,000 characters of 'é' are 2,000 bytes: 150 recipients would be 150,000 characters but 300,000 bytes.
    const wide = Array.from({ length: 300 }, (_, i) => recipient(i, 'é'.repeat(1_000)));
    const chunks = planListChunks(wide, { firstSeq: 4_000 });
    for (const c of chunks) expect(Buffer.byteLength(JSON.stringify(c.recipients))).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0]!.firstSeq).toBe(4_000);
    for (const [i, c] of chunks.entries()) if (i > 0) expect(c.firstSeq).toBe(chunks[i - 1]!.firstSeq + chunks[i - 1]!.recipients.length);
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
    expect(decideState({ state: 'scheduled', list: { status: 'building', built: 10 } }, cursor, 0, NOW)).toEqual({
      action: 'ignore',
      reason: 'list_not_ready',
    });
    expect(decideState({ state: 'running', list: { status: 'failed', built: 0 } }, cursor, 0, NOW)).toEqual({ action: 'ignore', reason: 'list_not_ready' });
    expect(decideState({ state: 'scheduled', list: { status: 'ready', built: 10 } }, cursor, 0, NOW)).toEqual({ action: 'start' });
    // A campaign listed before builds ran in the background has no `list`: its list is complete.
    expect(decideState({ state: 'scheduled' }, cursor, 0, NOW)).toEqual({ action: 'start' });
  });

  it('sends a build its step on campaign.changed, and the watchdog sends a quiet one its step again', async () => {
    const store = inMemoryCampaignStore();
    const ticks = recordingTicks();
    const builds = queuedListBuilds();
    await store.create(
      campaign({
        list: { status: 'building', built: 1_000, chunks: 5, nextChunk: 1, attempt: 'a1', updatedAt: new Date(NOW.getTime() - 120_000).toISOString() },
      }),
    );
    const changed = {
      source: EVENT_SOURCE.campaigns,
      'detail-type': DETAIL_TYPE.campaignChanged,
      detail: { v: 1, businessId: BUSINESS, campaignId: CAMPAIGN_ID, state: 'scheduled', previousState: 'draft' },
    };
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

describe('whom a walk split into steps has met', () => {
  it('meets a contact and a WhatsApp id once, across steps through their digests, and forgets a page left for the next step', () => {
    const first = new AudienceMet();
    expect(first.firstContact('ct_1')).toBe(true);
    expect(first.firstContact('ct_1')).toBe(false);
    expect(first.firstWaId('5511900000001')).toBe(true);
    // A contact id and a WhatsApp id with the same text are different keys.
    expect(first.firstWaId('ct_1')).toBe(true);
    const mark = first.mark();
    expect(first.firstContact('ct_2')).toBe(true);
    first.undo(mark);
    expect(first.digest()).toHaveLength(3 * MET_KEY_BYTES);
    // The digest names no contact or number.
    expect(Buffer.from(first.digest()).toString('latin1')).not.toContain('5511900000001');

    const second = new AudienceMet([first.digest()]);
    expect(second.firstContact('ct_1')).toBe(false);
    expect(second.firstWaId('5511900000001')).toBe(false);
    expect(second.firstContact('ct_2')).toBe(true);
    // Only what this step met makes its digest.
    expect(second.digest()).toHaveLength(MET_KEY_BYTES);
    const third = new AudienceMet([first.digest(), second.digest()]);
    expect(third.size).toBe(4);
    expect(third.firstContact('ct_2')).toBe(false);
  });
});

describe('kicking a list whose audience is being decided', () => {
  it('sends the deciding step the list is at, and a deciding step after the audience was decided does nothing', async () => {
    const store = inMemoryCampaignStore();
    const ticks = recordingTicks();
    const builds = queuedListBuilds();
    const quietSince = new Date(NOW.getTime() - 120_000).toISOString();
    const deciding = {
      status: 'building' as const,
      built: 0,
      attempt: 'a1',
      updatedAt: quietSince,
      deciding: { step: 3, listed: 120, chunks: 2, skipped: {}, read: 400 },
    };
    await store.create(campaign({ list: deciding }));
    await store.markRunning(BUSINESS, CAMPAIGN_ID);
    expect(nextBuildMessage({ businessId: BUSINESS, campaignId: CAMPAIGN_ID, list: { status: 'building', built: 0 } })).toEqual({
      businessId: BUSINESS,
      campaignId: CAMPAIGN_ID,
      chunk: 0,
      step: 0,
    });
    expect((await watchCampaigns({ store, ticks, builds, counter: inMemoryCounter(), now: () => NOW })).buildsKicked).toBe(1);
    const changed = {
      source: EVENT_SOURCE.campaigns,
      'detail-type': DETAIL_TYPE.campaignChanged,
      detail: { v: 1, businessId: BUSINESS, campaignId: CAMPAIGN_ID, state: 'scheduled', previousState: 'draft' },
    };
    expect(await kickOnChange(changed, { store, ticks, builds })).toBe('build_kicked');
    expect(builds.messages).toEqual([
      { kind: 'build', businessId: BUSINESS, campaignId: CAMPAIGN_ID, chunk: 0, step: 3 },
      { kind: 'build', businessId: BUSINESS, campaignId: CAMPAIGN_ID, chunk: 0, step: 3 },
    ]);

    // Decided meanwhile: a late copy of a deciding step neither decides again nor writes chunk 0.
    await store.setList(BUSINESS, CAMPAIGN_ID, { status: 'building', built: 0, chunks: 3, nextChunk: 0, attempt: 'a1', updatedAt: NOW.toISOString() });
    const deps = { store, contacts: inMemoryContactStore(), sources: sourcesOf(memoryLookups()), builds, publisher: recordingPublisher(), now: () => NOW };
    expect(await buildListStep({ kind: 'build', businessId: BUSINESS, campaignId: CAMPAIGN_ID, chunk: 0, step: 3 }, deps)).toEqual({
      outcome: 'ignored',
      reason: 'stale_step',
    });
    expect(await buildListStep({ kind: 'build', businessId: BUSINESS, campaignId: CAMPAIGN_ID, chunk: 0, step: -1 }, deps)).toMatchObject({
      outcome: 'invalid',
    });
    expect(await buildListStep({ kind: 'build', businessId: BUSINESS, campaignId: CAMPAIGN_ID, chunk: 0, step: '1' }, deps)).toMatchObject({
      outcome: 'invalid',
    });
    expect(builds.messages).toHaveLength(2);
  });
});
