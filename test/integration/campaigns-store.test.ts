import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { campaignListPk, campaignSk, campaignsPk, limitHourSk, limitPk, recipientRefSk, recipientSk } from '#lambdas/campaigns/campaign-keys';
import { emptyCounts, type Campaign } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { inMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import { encodeCursor, InvalidCursorError } from '#lambdas/shared/page-cursor';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/**
 * One contract, two stores: the DynamoDB store against DynamoDB Local and the in-memory store the
 * unit tests use must answer every call the same way.
 */
const B = 'shop';
const OTHER = 'rival';
const T0 = '2026-05-01T10:00:00.000Z';
const T1 = '2026-05-01T11:00:00.000Z';
const id = (n: number) => `cmp_01J0000000${String(n).padStart(16, '0')}`;

const campaign = (n: number, overrides: Partial<Campaign> = {}): Campaign => ({
  businessId: B,
  campaignId: id(n),
  name: `Campaign ${n}`,
  accountId: '100200300',
  template: { name: 'spring_sale', language: 'es' },
  audience: { kind: 'contacts', tags: ['vip'] },
  rateShare: 0.8,
  state: 'draft',
  counts: emptyCounts(),
  createdBy: 'admin@shop',
  createdAt: T0,
  updatedAt: T0,
  version: 1,
  ...overrides,
});
const recipient = (waId: string, extra: { contactId?: string; variables?: Record<string, string> } = {}) => ({
  waId,
  variables: extra.variables ?? { '1': `Ana ${waId.slice(-3)}` },
  ...(extra.contactId ? { contactId: extra.contactId } : {}),
});
const numbers = (from: number, n: number) => Array.from({ length: n }, (_, i) => `5511900${String(from + i).padStart(6, '0')}`);

let table: TestTable & { newTable(): Promise<string> };
let tableName = '';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

const stores: Array<[string, () => Promise<CampaignStore>]> = [
  [
    'DynamoDB',
    async () => {
      tableName = await table.newTable();
      return dynamoCampaignStore({ db: table.db, tableName, recipientRetentionDays: 30 });
    },
  ],
  ['in memory', async () => inMemoryCampaignStore()],
];

describe.each(stores)('campaign store (%s)', (kind, makeStore) => {
  let store: CampaignStore;
  beforeEach(async () => {
    store = await makeStore();
  });

  it('creates a campaign once, reads it back only in its own business, lists newest first with opaque cursors', async () => {
    for (const n of [1, 2, 3]) await store.create(campaign(n));
    await expect(store.create(campaign(2))).rejects.toThrow();
    await store.create({ ...campaign(9), businessId: OTHER });
    expect(await store.get(B, id(2))).toEqual(campaign(2));
    expect(await store.get(OTHER, id(2))).toBeUndefined();
    expect(await store.get(B, 'cmp_#CAMPAIGN')).toBeUndefined();
    expect(await store.get('bad#business', id(2))).toBeUndefined();

    const first = await store.list(B, { limit: 2 });
    expect(first.items.map((c) => c.campaignId)).toEqual([id(3), id(2)]);
    expect(first.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await store.list(B, { limit: 2, cursor: first.cursor });
    expect(second.items.map((c) => c.campaignId)).toEqual([id(1)]);
    expect(second.cursor).toBeUndefined();
    // A cursor of this business's list is no key into another's.
    await expect(store.list(OTHER, { limit: 2, cursor: first.cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    for (const bad of [
      '%%%',
      'e30',
      encodeCursor({ pk: campaignsPk(B), sk: 'R#00000001' })!,
      encodeCursor({ pk: campaignsPk(B), sk: campaignSk(id(1)), extra: 'x' })!,
      'x'.repeat(5_000),
    ]) {
      await expect(store.list(B, { limit: 2, cursor: bad })).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });

  it('edits a draft at its version only, and moves state only from the states named', async () => {
    await store.create(campaign(1, { startAt: '2026-05-02T09:00:00.000Z' }));
    const edited = await store.updateDraft(
      B,
      id(1),
      1,
      { name: 'Renamed', accountId: '100200300', template: { name: 'spring_sale', language: 'pt_BR' }, audience: { kind: 'contacts' }, rateShare: 0.5 },
      T1,
    );
    expect(edited).toMatchObject({ ok: true, value: { name: 'Renamed', template: { language: 'pt_BR' }, rateShare: 0.5, version: 2, updatedAt: T1 } });
    expect(edited.ok ? edited.value.startAt : 'refused').toBeUndefined();
    expect(
      await store.updateDraft(
        B,
        id(1),
        1,
        { name: 'Stale', accountId: '1', template: { name: 'x', language: 'es' }, audience: { kind: 'contacts' }, rateShare: 1 },
        T1,
      ),
    ).toMatchObject({
      ok: false,
      refusal: 'changed_meanwhile',
    });
    expect(
      await store.updateDraft(
        B,
        id(7),
        1,
        { name: 'Nope', accountId: '1', template: { name: 'x', language: 'es' }, audience: { kind: 'contacts' }, rateShare: 1 },
        T1,
      ),
    ).toMatchObject({
      ok: false,
      refusal: 'not_found',
    });

    const scheduled = await store.transition(B, id(1), ['draft'], 'scheduled', T1, {
      expectedVersion: 2,
      template: { name: 'spring_sale', language: 'pt_BR', category: 'marketing' },
      counts: { targeted: 3, skipped: { no_consent: 2, 'Bad Key!': 1 } },
    });
    expect(scheduled).toMatchObject({
      ok: true,
      value: {
        state: 'scheduled',
        scheduledAt: T1,
        version: 3,
        template: { category: 'marketing' },
        counts: { targeted: 3, skipped: { no_consent: 2, bad_key: 1 } },
      },
    });
    expect(
      await store.updateDraft(
        B,
        id(1),
        3,
        { name: 'Late', accountId: '1', template: { name: 'x', language: 'es' }, audience: { kind: 'contacts' }, rateShare: 1 },
        T1,
      ),
    ).toMatchObject({
      ok: false,
      refusal: 'wrong_state',
    });
    const running = await store.transition(B, id(1), ['scheduled'], 'running', '2026-05-01T12:00:00.000Z');
    expect(running).toMatchObject({ ok: true, value: { state: 'running', startedAt: '2026-05-01T12:00:00.000Z' } });
    const paused = await store.transition(B, id(1), ['running'], 'paused', '2026-05-01T12:30:00.000Z', { pauseReason: 'quality_red' });
    expect(paused).toMatchObject({ ok: true, value: { state: 'paused', pauseReason: 'quality_red' } });
    // A pause and a resume crossing: the second one from `running` finds it paused.
    expect(await store.transition(B, id(1), ['running'], 'paused', T1, { pauseReason: 'operator' })).toMatchObject({ ok: false, refusal: 'wrong_state' });
    const resumed = await store.transition(B, id(1), ['paused'], 'running', '2026-05-01T13:00:00.000Z', { expectedVersion: 5 });
    expect(resumed.ok && resumed.value).toMatchObject({ state: 'running', startedAt: '2026-05-01T12:00:00.000Z', version: 6 });
    expect(resumed.ok && resumed.value.pauseReason).toBeUndefined();
    const done = await store.transition(B, id(1), ['running'], 'completed', '2026-05-01T14:00:00.000Z');
    expect(done).toMatchObject({ ok: true, value: { state: 'completed', completedAt: '2026-05-01T14:00:00.000Z' } });
    expect(await store.transition(OTHER, id(1), ['completed'], 'cancelled', T1)).toMatchObject({ ok: false, refusal: 'not_found' });
  });

  it('adds counts atomically, folding hostile keys into a safe shape, and never creates a campaign', async () => {
    await store.create(campaign(1));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.addCounts(B, id(1), { sent: 1, delivered: i % 2, spendMicros: 1_500, failedByError: { '131049': 1, 'a.b#c': 1 }, skipped: { duplicate: 1 } }),
      ),
    );
    await store.addCounts(B, id(1), { failed: 2, failedByError: { ['x'.repeat(200)]: 1, '': 1, 'Ünïcode code': 1 } });
    await store.addCounts(B, id(1), {});
    await store.addCounts(B, id(8), { sent: 1 });
    await store.addCounts(B, 'not-an-id', { sent: 1 });
    const counts = (await store.get(B, id(1)))!.counts;
    expect(counts).toMatchObject({ sent: 20, delivered: 10, spendMicros: 30_000, failed: 2, skipped: { duplicate: 20 } });
    expect(counts.failedByError).toEqual({ '131049': 20, a_b_c: 20, ['x'.repeat(40)]: 1, other: 1, n_code_code: 1 });
    expect(await store.get(B, id(8))).toBeUndefined();
  });

  it('lists each customer once, in order; the same input again adds nothing and gives the same answer', async () => {
    await store.create(campaign(1));
    const input = [recipient('5511900000001', { contactId: 'c_1' }), recipient('5511900000002'), recipient('5511900000001'), recipient('5511900000003')];
    const first = await store.addRecipients(B, id(1), 0, input);
    expect(first).toEqual({ added: 3, duplicates: ['5511900000001'], nextSeq: 3 });
    expect(await store.addRecipients(B, id(1), 0, input)).toEqual(first);
    // A later chunk naming someone already listed: a duplicate, no position taken.
    expect(await store.addRecipients(B, id(1), 3, [recipient('5511900000002'), recipient('5511900000004')])).toEqual({
      added: 1,
      duplicates: ['5511900000002'],
      nextSeq: 4,
    });
    expect(await store.listEnd(B, id(1))).toBe(4);
    expect(await store.listEnd(B, id(2))).toBe(0);

    const all = await store.recipientsFrom(B, id(1), 0, 10);
    expect(all.map((r) => [r.seq, r.waId, r.state])).toEqual([
      [0, '5511900000001', 'queued'],
      [1, '5511900000002', 'queued'],
      [2, '5511900000003', 'queued'],
      [3, '5511900000004', 'queued'],
    ]);
    expect(all[0]).toEqual({ campaignId: id(1), waId: '5511900000001', contactId: 'c_1', variables: { '1': 'Ana 001' }, seq: 0, state: 'queued' });
    expect((await store.recipientsFrom(B, id(1), 2, 1)).map((r) => r.seq)).toEqual([2]);
    expect(await store.recipientByWaId(B, id(1), '5511900000003')).toMatchObject({ seq: 2 });
    expect(await store.recipientByWaId(B, id(1), '5511999999999')).toBeUndefined();
    expect(await store.recipientByWaId(OTHER, id(1), '5511900000003')).toBeUndefined();
    await expect(store.addRecipients(B, id(1), 4, [recipient('CAMPAIGN#x')])).rejects.toThrow(RangeError);
    await expect(store.addRecipients(B, id(1), -1, [recipient('5511900000009')])).rejects.toThrow(RangeError);
  });

  it('writes a long list in chunks, formula-like variables kept as plain text', async () => {
    await store.create(campaign(1));
    const many = numbers(0, 260).map((n, i) => recipient(n, { variables: { '1': i === 7 ? "=cmd|' /C calc'!A0" : `Name ${i}` } }));
    const out = await store.addRecipients(B, id(1), 0, [...many, many[5]!]);
    expect(out).toEqual({ added: 260, duplicates: [many[5]!.waId], nextSeq: 260 });
    expect(await store.listEnd(B, id(1))).toBe(260);
    expect((await store.recipientByWaId(B, id(1), many[7]!.waId))?.variables).toEqual({ '1': "=cmd|' /C calc'!A0" });
    // Repeating a crashed build's chunk at the same place adds nothing.
    expect(await store.addRecipients(B, id(1), 100, many.slice(100, 160))).toEqual({ added: 60, duplicates: [], nextSeq: 160 });
    expect(await store.listEnd(B, id(1))).toBe(260);
  });

  it('moves a recipient forward only, failed from any state before read, and counts a reply once', async () => {
    await store.create(campaign(1));
    await store.addRecipients(B, id(1), 0, [recipient('5511900000001'), recipient('5511900000002')]);
    const at = T1;
    expect(await store.advanceRecipient(B, id(1), 0, 'released', { at, messageId: 'cmp.x.5511900000001', conversationKey: 'wa:100200300:5511900000001' })).toBe(
      true,
    );
    expect(await store.advanceRecipient(B, id(1), 0, 'released', { at })).toBe(false);
    expect(await store.advanceRecipient(B, id(1), 0, 'delivered', { at })).toBe(true);
    expect(await store.advanceRecipient(B, id(1), 0, 'sent', { at })).toBe(false);
    expect(await store.advanceRecipient(B, id(1), 0, 'read', { at })).toBe(true);
    expect(await store.advanceRecipient(B, id(1), 0, 'failed', { at, errorCode: '131049' })).toBe(false);
    expect(await store.advanceRecipient(B, id(1), 1, 'failed', { at, errorCode: 'marketing_opted_out' })).toBe(true);
    expect(await store.advanceRecipient(B, id(1), 1, 'delivered', { at })).toBe(false);
    expect(await store.advanceRecipient(B, id(1), 5, 'released', { at })).toBe(false);
    expect(await store.advanceRecipient(B, id(1), 0, 'queued', { at })).toBe(false);
    const [first, second] = await store.recipientsFrom(B, id(1), 0, 2);
    expect(first).toMatchObject({ state: 'read', messageId: 'cmp.x.5511900000001', conversationKey: 'wa:100200300:5511900000001', releasedAt: at });
    expect(second).toMatchObject({ state: 'failed', errorCode: 'marketing_opted_out' });

    expect(await store.markReplied(B, id(1), '5511900000001')).toBe(true);
    expect(await store.markReplied(B, id(1), '5511900000001')).toBe(false);
    expect(await store.markReplied(B, id(1), '5511999999999')).toBe(false);
    expect((await store.recipientByWaId(B, id(1), '5511900000001'))?.replied).toBe(true);
  });

  it('pages recipients by state with cursors that stay inside the list', async () => {
    await store.create(campaign(1));
    await store.create(campaign(2));
    await store.addRecipients(
      B,
      id(1),
      0,
      numbers(0, 30).map((n) => recipient(n)),
    );
    for (const seq of [3, 11, 12, 25, 29]) await store.advanceRecipient(B, id(1), seq, 'failed', { at: T1, errorCode: '131026' });
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listRecipients(B, id(1), { state: 'failed', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((r) => r.seq));
      expect(page.items.every((r) => r.state === 'failed')).toBe(true);
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual([3, 11, 12, 25, 29]);
    const all = await store.listRecipients(B, id(1), { limit: 100 });
    expect(all.items).toHaveLength(30);
    expect(all.cursor).toBeUndefined();
    const firstPage = await store.listRecipients(B, id(1), { limit: 10 });
    expect(firstPage.cursor).toBeDefined();
    await expect(store.listRecipients(B, id(2), { limit: 10, cursor: firstPage.cursor! })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      store.listRecipients(B, id(1), { limit: 10, cursor: encodeCursor({ pk: campaignListPk(B, id(1)), sk: recipientRefSk('5511900000001') })! }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    expect(await store.listRecipients(B, id(1), { state: 'nonsense' as never, limit: 10 })).toEqual({ items: [] });
  });

  it("keeps a list build's progress without moving the version, from the chunk its writer read, and its staged chunks", async () => {
    await store.create(campaign(1, { state: 'scheduled', list: { status: 'building', built: 0, updatedAt: T0 } }));
    const planned = { status: 'building' as const, built: 0, chunks: 3, nextChunk: 0, attempt: 'a1', updatedAt: T1 };
    expect(
      await store.setList(B, id(1), planned, { when: { deciding: { step: 0 } }, counts: { targeted: 2_500, skipped: { no_consent: 4, 'bad key!': 1 } } }),
    ).toBe(true);
    // Another step deciding at the same time loses.
    expect(await store.setList(B, id(1), { ...planned, attempt: 'a2' }, { when: { deciding: { step: 0 } } })).toBe(false);
    expect(await store.setList(B, id(1), { ...planned, nextChunk: 1, built: 1_000 }, { when: { nextChunk: 0 } })).toBe(true);
    expect(await store.setList(B, id(1), { ...planned, nextChunk: 1, built: 1_000 }, { when: { nextChunk: 0 } })).toBe(false);
    expect(await store.get(B, id(1))).toMatchObject({
      version: 1,
      list: { status: 'building', built: 1_000, chunks: 3, nextChunk: 1, attempt: 'a1' },
      counts: { targeted: 2_500, skipped: { no_consent: 4 } },
    });
    expect(Object.keys((await store.get(B, id(1)))!.counts.skipped).every((k) => /^[a-z0-9_]{1,40}$/.test(k))).toBe(true);
    expect(await store.setList(B, id(9), planned)).toBe(false);

    const staged = { firstSeq: 1_000, recipients: [recipient('5511900000001', { contactId: 'ct_1' }), recipient('5511900000002')] };
    await store.putListChunk(B, id(1), 'a1', 1, staged);
    expect(await store.listChunk(B, id(1), 'a1', 1)).toEqual(staged);
    expect(await store.listChunk(B, id(1), 'a2', 1)).toBeUndefined();
    expect(await store.listChunk(B, id(1), 'a1', 2)).toBeUndefined();
    // The list's size and what the release loop reads are not moved by staged chunks.
    expect(await store.listEnd(B, id(1))).toBe(0);
    expect(await store.recipientsFrom(B, id(1), 0, 10)).toEqual([]);
  });

  it('commits a deciding step all or nothing, only at the step the list is at, and hands its walk to the steps after it', async () => {
    await store.create(campaign(1, { state: 'scheduled', list: { status: 'building', built: 0, updatedAt: T0 } }));
    const chunk = (firstSeq: number, ...waIds: string[]) => ({ firstSeq, recipients: waIds.map((w) => recipient(w)) });
    const met = (...bytes: number[]) => Uint8Array.from(bytes);
    const deciding = (step: number, listed: number, chunks: number) => ({
      status: 'building' as const,
      built: 0,
      attempt: 'a1',
      updatedAt: T1,
      deciding: { step, listed, chunks, skipped: { no_consent: step }, read: step * 10 },
    });

    // Step 0: the list undecided and no step taken.
    expect(
      await store.commitDecidingStep(B, id(1), {
        step: 0,
        attempt: 'a1',
        list: deciding(1, 2, 1),
        chunks: [{ chunk: 0, staged: chunk(0, '5511900000001', '5511900000002') }],
        walk: { met: met(1, 2, 3), cursor: 'c0' },
      }),
    ).toBe(true);
    // A copy of step 0 that lost its race (another attempt) writes nothing at all: neither its chunks nor its walk.
    expect(
      await store.commitDecidingStep(B, id(1), {
        step: 0,
        attempt: 'a2',
        list: { ...deciding(1, 9, 1), attempt: 'a2' },
        chunks: [{ chunk: 0, staged: chunk(0, '5511900000009') }],
        walk: { met: met(9), cursor: 'x' },
      }),
    ).toBe(false);
    expect(await store.listChunk(B, id(1), 'a2', 0)).toBeUndefined();
    expect(await store.decidingWalk(B, id(1), 'a2', 1)).toEqual({ met: [] });
    expect(await store.listChunk(B, id(1), 'a1', 0)).toEqual(chunk(0, '5511900000001', '5511900000002'));

    // Step 1 only of attempt a1, once; a step that met nobody new keeps its cursor all the same.
    expect(await store.commitDecidingStep(B, id(1), { step: 1, attempt: 'a2', list: deciding(2, 2, 1), chunks: [], walk: { met: met(), cursor: 'c1' } })).toBe(
      false,
    );
    expect(await store.commitDecidingStep(B, id(1), { step: 2, attempt: 'a1', list: deciding(3, 2, 1), chunks: [], walk: { met: met(), cursor: 'c1' } })).toBe(
      false,
    );
    expect(await store.commitDecidingStep(B, id(1), { step: 1, attempt: 'a1', list: deciding(2, 2, 1), chunks: [], walk: { met: met(), cursor: 'c1' } })).toBe(
      true,
    );
    expect(await store.commitDecidingStep(B, id(1), { step: 1, attempt: 'a1', list: deciding(2, 2, 1), chunks: [], walk: { met: met(), cursor: 'c1' } })).toBe(
      false,
    );
    expect(
      await store.commitDecidingStep(B, id(1), {
        step: 2,
        attempt: 'a1',
        list: deciding(3, 3, 2),
        chunks: [{ chunk: 1, staged: chunk(2, '5511900000003') }],
        walk: { met: met(4, 5), cursor: 'c2' },
      }),
    ).toBe(true);
    // What the steps before step 3 hand on: every digest in step order, and the last one's cursor.
    const walk = await store.decidingWalk(B, id(1), 'a1', 3);
    expect({ met: walk.met.map((m) => [...m]), cursor: walk.cursor }).toEqual({
      met: [
        [1, 2, 3],
        [4, 5],
      ],
      cursor: 'c2',
    });
    expect((await store.decidingWalk(B, id(1), 'a1', 2)).cursor).toBe('c1');
    expect(await store.decidingWalk(B, id(1), 'a1', 0)).toEqual({ met: [] });
    expect(await store.get(B, id(1))).toMatchObject({
      version: 1,
      list: { deciding: { step: 3, listed: 3, chunks: 2, skipped: { no_consent: 3 }, read: 30 } },
    });

    // Failing the build from an old step changes nothing; the step that ends the walk sets the counts and the chunks.
    expect(await store.setList(B, id(1), { status: 'failed', built: 0, reason: 'empty_audience' }, { when: { deciding: { step: 2, attempt: 'a1' } } })).toBe(
      false,
    );
    const decided = { status: 'building' as const, built: 0, chunks: 2, nextChunk: 0, attempt: 'a1', updatedAt: T1 };
    expect(
      await store.commitDecidingStep(B, id(1), { step: 3, attempt: 'a1', list: decided, chunks: [], counts: { targeted: 3, skipped: { no_consent: 3 } } }),
    ).toBe(true);
    const after = (await store.get(B, id(1)))!;
    expect(after).toMatchObject({ version: 1, list: decided, counts: { targeted: 3, skipped: { no_consent: 3 } } });
    expect(after.list!.deciding).toBeUndefined();
    expect(await store.commitDecidingStep(B, id(1), { step: 0, attempt: 'a3', list: decided, chunks: [] })).toBe(false);
    expect(await store.setList(B, id(1), { status: 'failed', built: 0, reason: 'x' }, { when: { deciding: { step: 3, attempt: 'a1' } } })).toBe(false);

    // Nothing oversized or hostile is written.
    await store.create(campaign(2, { state: 'scheduled', list: { status: 'building', built: 0, updatedAt: T0 } }));
    await expect(store.commitDecidingStep(B, id(2), { step: 0, attempt: 'a#1', list: deciding(1, 0, 0), chunks: [] })).rejects.toBeInstanceOf(RangeError);
    if (kind === 'DynamoDB') {
      await expect(
        store.commitDecidingStep(B, id(2), {
          step: 0,
          attempt: 'a1',
          list: deciding(1, 0, 0),
          chunks: [],
          walk: { met: new Uint8Array(400_000), cursor: 'c' },
        }),
      ).rejects.toBeInstanceOf(RangeError);
      const wide = Array.from({ length: 15 }, (_, i) => ({
        chunk: i,
        staged: { firstSeq: i, recipients: [recipient('5511900000001', { variables: { '1': 'é'.repeat(140_000) } })] },
      }));
      await expect(store.commitDecidingStep(B, id(2), { step: 0, attempt: 'a1', list: deciding(1, 0, 0), chunks: wide })).rejects.toBeInstanceOf(RangeError);
    }
    expect((await store.get(B, id(2)))!.list).toEqual({ status: 'building', built: 0, updatedAt: T0 });
  });

  it('moves the release cursor only from the tick its writer read', async () => {
    await store.create(campaign(1));
    expect(await store.getRelease(B, id(1))).toBeUndefined();
    expect(await store.advanceRelease(B, id(1), 0, { nextSeq: 10, at: T1 })).toBe(false);
    await store.putRelease(B, id(1), { nextSeq: 0, total: 30, tick: 0 });
    expect(await store.getRelease(B, id(1))).toEqual({ nextSeq: 0, total: 30, tick: 0 });
    const [a, b] = await Promise.all([store.advanceRelease(B, id(1), 0, { nextSeq: 10, at: T1 }), store.advanceRelease(B, id(1), 0, { nextSeq: 10, at: T1 })]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await store.getRelease(B, id(1))).toEqual({ nextSeq: 10, total: 30, tick: 1, lastTickAt: T1 });
  });

  it('keeps the watchdog list of running campaigns', async () => {
    await store.markRunning(B, id(1));
    await store.markRunning(B, id(1));
    await store.markRunning(OTHER, id(2));
    expect(await store.listRunning()).toEqual([
      { businessId: OTHER, campaignId: id(2) },
      { businessId: B, campaignId: id(1) },
    ]);
    await store.unmarkRunning(B, id(1));
    await store.unmarkRunning(B, id(3));
    expect(await store.listRunning()).toEqual([{ businessId: OTHER, campaignId: id(2) }]);
  });

  it("sums the customers reached in Meta's moving 24 hours by the hour", async () => {
    const now = new Date('2026-05-02T10:30:00.000Z');
    await store.recordReach(B, 100, new Date('2026-05-01T10:59:00.000Z')); // 24 h ago: out
    await store.recordReach(B, 40, new Date('2026-05-01T11:00:00.000Z')); // 23.5 h ago: in
    await store.recordReach(B, 2, new Date('2026-05-02T10:05:00.000Z'));
    await store.recordReach(B, 3, new Date('2026-05-02T10:25:00.000Z'));
    await store.recordReach(B, 0, now);
    await store.recordReach(OTHER, 7, now);
    expect(await store.reachInLast24h(B, now)).toBe(45);
    expect(await store.reachInLast24h(OTHER, now)).toBe(7);
    expect(await store.reachInLast24h(B, new Date('2026-05-03T12:00:00.000Z'))).toBe(0);
    if (kind === 'DynamoDB') {
      const bucket = (
        await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: limitPk(B), sk: limitHourSk(new Date('2026-05-02T10:00:00.000Z')) } }))
      ).Item;
      expect(bucket).toMatchObject({ customers: 5, expiresAt: Date.parse('2026-05-04T10:00:00.000Z') / 1000 });
    }
  });
});

describe('DynamoDB campaign items', () => {
  it('lays the list out as campaign-keys.ts says, with the recipients expiring', async () => {
    tableName = await table.newTable();
    const store = dynamoCampaignStore({ db: table.db, tableName, recipientRetentionDays: 30 });
    await store.create(campaign(1));
    await store.addRecipients(B, id(1), 0, [recipient('5511900000001')]);
    const items =
      (
        await table.db.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': campaignListPk(B, id(1)) } }),
        )
      ).Items ?? [];
    expect(items.map((i) => [i.sk, i.entity])).toEqual([
      [recipientSk(0), 'CampaignRecipient'],
      [recipientRefSk('5511900000001'), 'CampaignRecipientRef'],
    ]);
    for (const item of items) expect(item.expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    const head = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: campaignsPk(B), sk: campaignSk(id(1)) } }))).Item;
    expect(head).toMatchObject({ entity: 'Campaign', state: 'draft', counts: { targeted: 0, skipped: {}, failedByError: {} } });
    expect(head?.expiresAt).toBeUndefined();
  });
});
