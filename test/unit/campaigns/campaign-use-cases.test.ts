import { beforeEach, describe, expect, it } from 'vitest';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { cancelCampaign, pauseCampaign, resumeCampaign } from '#lambdas/campaigns/change-campaign-state';
import { createCampaign } from '#lambdas/campaigns/create-campaign';
import { inMemoryCampaignStore, type InMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import { previewCampaignAudience } from '#lambdas/campaigns/preview-campaign-audience';
import { listCampaignRecipients, maskWaId, WITHHELD } from '#lambdas/campaigns/read-campaigns';
import { scheduleCampaign } from '#lambdas/campaigns/schedule-campaign';
import { updateCampaignDraft } from '#lambdas/campaigns/update-campaign-draft';
import type { BudgetStanding } from '#lambdas/pricing/budget-ports';
import { inMemoryContactStore, type InMemoryContactStore } from '#test/helpers/in-memory-contact-store';
import { ACCOUNT, BUSINESS, memoryLookups, recordingPublisher, RIVAL_ACCOUNT, seedContact } from '#test/helpers/campaign-fixtures';
import { queuedListBuilds, runListBuild, sourcesOf } from '#test/helpers/campaign-list-builds';
import { buildListStep } from '#lambdas/campaigns/campaign-list-build';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

const NOW = new Date('2026-05-10T12:00:00.000Z');
let store: InMemoryCampaignStore;
let contacts: InMemoryContactStore;
let lookups: ReturnType<typeof memoryLookups>;
let publisher: ReturnType<typeof recordingPublisher>;
let budget: BudgetStanding;
let ids: number;
let deps: CampaignAdminDeps;

beforeEach(async () => {
  store = inMemoryCampaignStore();
  contacts = inMemoryContactStore();
  lookups = memoryLookups();
  publisher = recordingPublisher();
  budget = { spentMicros: 0, share: 0 };
  ids = 0;
  deps = {
    store,
    contacts,
    lookups,
    publisher,
    budget: { standing: async () => budget },
    now: () => NOW,
    newCampaignId: () => `cmp_01J00000000000000000000${String(++ids).padStart(3, '0')}`,
  };
  await seedContact(contacts, { waId: '5511900000001', name: 'Ana Souza', tags: ['vip'], attributes: { coupon: 'ANA' }, consent: 'opted_in' });
  await seedContact(contacts, { waId: '5511900000002', name: 'Bruno', tags: ['vip'], attributes: { coupon: 'BR' }, consent: 'opted_out' });
  await seedContact(contacts, { waId: '5511900000003', name: 'Carla', tags: ['vip'], attributes: { coupon: 'CA' } });
  await seedContact(contacts, { waId: '5511900000004', name: 'Dora', tags: ['vip'], attributes: { coupon: 'DO' }, consent: 'opted_in' });
});

const saleInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'Spring sale',
  accountId: ACCOUNT,
  template: { name: 'spring_sale', language: 'es' },
  audience: {
    kind: 'contacts',
    tags: ['VIP'],
    variables: { '1': { from: 'contact', field: 'first_name' }, '2': { from: 'text', value: '20' }, 'button.0': { from: 'attribute', key: 'coupon' } },
  },
  ...overrides,
});
const csvInput = (csv: string, overrides: Record<string, unknown> = {}) => saleInput({ audience: { kind: 'csv', csv }, ...overrides });

/** The list build as the release function runs it after scheduling. */
const build = (campaignId: string) => runListBuild({ store, contacts, sources: sourcesOf(lookups), publisher, now: () => NOW }, BUSINESS, campaignId);

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CampaignRequestError) return { status: err.status, code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('creating a campaign', () => {
  it('keeps a contacts campaign as a draft with its filters; the list waits for scheduling', async () => {
    const campaign = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput({ startAt: '2026-05-11T09:00:00-03:00', rateShare: 0.5 }));
    expect(campaign).toMatchObject({
      businessId: BUSINESS,
      campaignId: 'cmp_01J00000000000000000000001',
      state: 'draft',
      template: { name: 'spring_sale', language: 'es', category: 'marketing' },
      audience: { kind: 'contacts', tags: ['vip'] },
      startAt: '2026-05-11T12:00:00.000Z',
      rateShare: 0.5,
      createdBy: 'admin@shop',
      version: 1,
    });
    expect(await store.get(BUSINESS, campaign.campaignId)).toEqual(campaign);
    expect(store.allRecipients(BUSINESS, campaign.campaignId)).toEqual([]);
  });

  it('refuses with a status and a message it can act on', async () => {
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{}, 400, 'invalid_request', /name/],
      [saleInput({ accountId: '12#34' }), 400, 'invalid_request', /accountId/],
      [saleInput({ extra: true }), 400, 'invalid_request', /extra/i],
      [saleInput({ accountId: RIVAL_ACCOUNT }), 404, 'account_not_found', /your business/],
      [saleInput({ accountId: '777' }), 404, 'account_not_found', /your business/],
      [saleInput({ template: { name: 'spring_sale', language: 'pt_BR' } }), 404, 'template_not_found', /has es/],
      [saleInput({ template: { name: 'nope', language: 'es' } }), 404, 'template_not_found', /No template named nope/],
      [saleInput({ template: { name: 'paused_sale', language: 'es' } }), 409, 'template_not_approved', /PAUSED/],
      [saleInput({ template: { name: 'new_collection', language: 'es' }, audience: { kind: 'contacts' } }), 400, 'invalid_request', /headerMediaLink.*image/],
      [saleInput({ template: { name: 'spring_sale', language: 'es', headerMediaLink: 'https://x/y.png' } }), 400, 'invalid_request', /takes no media/],
      [saleInput({ template: { name: 'spring_sale', language: 'es', headerMediaLink: 'http://x/y.png' } }), 400, 'invalid_request', /headerMediaLink/],
      [
        saleInput({ audience: { kind: 'contacts', variables: { '1': { from: 'text', value: 'x' } } } }),
        400,
        'invalid_request',
        /needs a source for "2", "button.0"/,
      ],
      [
        saleInput({
          audience: {
            kind: 'contacts',
            variables: {
              '1': { from: 'text', value: 'x' },
              '2': { from: 'text', value: 'x' },
              'button.0': { from: 'text', value: 'x' },
              '9': { from: 'text', value: 'x' },
            },
          },
        }),
        400,
        'invalid_request',
        /no variable "9"/,
      ],
      [
        csvInput('phone,1,2,button.0\n+5511900000001,a,1,b', {
          audience: { kind: 'csv', csv: 'phone,1,2,button.0\n+5511900000001,a,1,b', defaultCountry: 'XX' },
        }),
        400,
        'invalid_request',
        /defaultCountry/,
      ],
      [csvInput('name\nAna'), 400, 'invalid_csv', /phone column/],
      [csvInput('phone,1,2,button.0\nnot-a-phone,a,1,b\n+5511900000001,,1,b'), 400, 'invalid_rows', /2 lines/],
      [csvInput('phone,1,2,button.0\n+5511900000002,a,1,b'), 409, 'empty_audience', /Nobody in the file/],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await refusal(createCampaign(deps, BUSINESS, 'admin@shop', body));
      expect([r.status, r.code], JSON.stringify(body).slice(0, 120)).toEqual([status, code]);
      expect(r.message).toMatch(message);
    }
    const rows = await refusal(createCampaign(deps, BUSINESS, 'admin@shop', csvInput('phone,1,2,button.0\nnot-a-phone,a,1,b\n+5511900000001,,1,b')));
    expect(rows.details).toEqual({ badLineCount: 2, badLines: [expect.objectContaining({ line: 2 }), expect.objectContaining({ line: 3 })] });
    expect(await store.list(BUSINESS, { limit: 10 })).toEqual({ items: [] });
  });

  it('lists a CSV audience at once, with consent checked through the contacts, and keeps only its size', async () => {
    const csv = [
      'phone,1,2,button.0',
      '+5511900000001,Ana,20,A',
      '+5511900000002,Bruno,20,B',
      '+5511900000009,Zed,20,Z',
      '+5511900000004,Dora,20,D',
      '+55 11 90000-0001,Ana,20,A',
    ].join('\n');
    const campaign = await createCampaign(deps, BUSINESS, 'admin@shop', csvInput(csv));
    expect(campaign.audience).toEqual({ kind: 'csv', rows: 5 });
    expect(campaign.counts).toMatchObject({ targeted: 2, skipped: { opted_out: 1, no_consent: 1, duplicate: 1 } });
    expect(store.allRecipients(BUSINESS, campaign.campaignId).map((r) => [r.seq, r.waId, r.variables['1']])).toEqual([
      [0, '5511900000001', 'Ana'],
      [1, '5511900000004', 'Dora'],
    ]);
    expect(JSON.stringify(campaign)).not.toContain('5511900000001');
  });
});

describe('editing a draft', () => {
  it('replaces the fields given at the version read, and checks them again', async () => {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput());
    const edited = await updateCampaignDraft(deps, BUSINESS, c.campaignId, {
      expectedVersion: 1,
      name: 'Renamed',
      audience: { kind: 'contacts', tags: ['vip'], excludeTags: ['Churned'], variables: saleInput().audience.variables },
    });
    expect(edited).toMatchObject({ name: 'Renamed', version: 2, audience: { excludeTags: ['churned'] }, template: { name: 'spring_sale' } });
    expect((await refusal(updateCampaignDraft(deps, BUSINESS, c.campaignId, { expectedVersion: 1, name: 'Stale' }))).code).toBe('version_conflict');
    expect(
      (await refusal(updateCampaignDraft(deps, BUSINESS, c.campaignId, { expectedVersion: 2, template: { name: 'order_shipped', language: 'en_US' } })))
        .message,
    ).toMatch(/needs a source/);
    expect((await refusal(updateCampaignDraft(deps, BUSINESS, 'cmp_01J00000000000000000000999', { expectedVersion: 1 }))).status).toBe(404);
    expect((await refusal(updateCampaignDraft(deps, BUSINESS, c.campaignId, { name: 'No version' }))).status).toBe(400);
  });

  it('keeps a CSV campaign to its file, number and template', async () => {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', csvInput('phone,1,2,button.0\n+5511900000001,Ana,20,A'));
    expect((await updateCampaignDraft(deps, BUSINESS, c.campaignId, { expectedVersion: 1, name: 'New name', rateShare: 0.3 })).name).toBe('New name');
    expect((await refusal(updateCampaignDraft(deps, BUSINESS, c.campaignId, { expectedVersion: 2, audience: { kind: 'csv', csv: 'phone\n1' } }))).code).toBe(
      'csv_audience_fixed',
    );
    expect(
      (await refusal(updateCampaignDraft(deps, BUSINESS, c.campaignId, { expectedVersion: 2, template: { name: 'order_shipped', language: 'en_US' } }))).code,
    ).toBe('csv_audience_fixed');
  });
});

describe('previewing and scheduling', () => {
  it('previews who a draft would reach with numbers masked, then schedules exactly that list', async () => {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput());
    const preview = await previewCampaignAudience(deps, BUSINESS, c.campaignId);
    expect(preview).toEqual({
      count: 2,
      skipped: { opted_out: 1, no_consent: 1 },
      sample: [
        { waId: '55*********01', variables: { '1': 'Ana', '2': '20', 'button.0': 'ANA' } },
        { waId: '55*********04', variables: { '1': 'Dora', '2': '20', 'button.0': 'DO' } },
      ],
      complete: true,
      read: 4,
    });
    expect(store.allRecipients(BUSINESS, c.campaignId)).toEqual([]);
    const partial = await previewCampaignAudience(deps, BUSINESS, c.campaignId, { maxContacts: 1 });
    expect(partial.complete).toBe(false);

    const scheduled = await scheduleCampaign(deps, BUSINESS, c.campaignId, { expectedVersion: 1 });
    // Answered at once: the list is built off the request.
    expect(scheduled).toMatchObject({
      state: 'scheduled',
      scheduledAt: NOW.toISOString(),
      version: 2,
      template: { category: 'marketing' },
      list: { status: 'building', built: 0 },
      counts: { targeted: 0 },
    });
    expect(store.allRecipients(BUSINESS, c.campaignId)).toEqual([]);
    expect(await store.getRelease(BUSINESS, c.campaignId)).toBeUndefined();
    expect((await build(c.campaignId)).map((o) => o.outcome)).toEqual(['decided', 'ready']);
    expect(await store.get(BUSINESS, c.campaignId)).toMatchObject({
      state: 'scheduled',
      version: 2,
      list: { status: 'ready', built: 2, chunks: 1, nextChunk: 1 },
      counts: { targeted: 2, skipped: { opted_out: 1, no_consent: 1 } },
    });
    expect(store.allRecipients(BUSINESS, c.campaignId).map((r) => [r.seq, r.waId, r.state])).toEqual([
      [0, '5511900000001', 'queued'],
      [1, '5511900000004', 'queued'],
    ]);
    expect(await store.getRelease(BUSINESS, c.campaignId)).toEqual({ nextSeq: 0, total: 2, tick: 0 });
    expect(await store.listRunning()).toEqual([{ businessId: BUSINESS, campaignId: c.campaignId }]);
    expect(publisher.events).toEqual([
      {
        source: 'io.omnichannel.campaigns',
        detailType: 'campaign.changed',
        detail: { v: 1, businessId: BUSINESS, campaignId: c.campaignId, state: 'scheduled', previousState: 'draft', version: 2, at: NOW.toISOString() },
      },
      // The list is ready: told again, which kicks the release loop.
      {
        source: 'io.omnichannel.campaigns',
        detailType: 'campaign.changed',
        detail: { v: 1, businessId: BUSINESS, campaignId: c.campaignId, state: 'scheduled', version: 2, at: NOW.toISOString() },
      },
    ]);
    // Scheduling again answers the scheduled campaign and builds nothing twice.
    expect((await scheduleCampaign(deps, BUSINESS, c.campaignId, { expectedVersion: 1 })).version).toBe(2);
    expect(store.allRecipients(BUSINESS, c.campaignId)).toHaveLength(2);
    // A scheduled campaign previews from its list.
    expect(await previewCampaignAudience(deps, BUSINESS, c.campaignId)).toMatchObject({
      count: 2,
      complete: true,
      sample: [{ waId: '55*********01' }, { waId: '55*********04' }],
    });
  });

  it('goes on from where a crash in the middle of a chunk stopped, listing nobody twice', async () => {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput());
    await scheduleCampaign(deps, BUSINESS, c.campaignId, {});
    const builds = queuedListBuilds();
    const stepDeps = { store, contacts, sources: sourcesOf(lookups), publisher, builds, now: () => NOW };
    expect(await buildListStep({ kind: 'build', businessId: BUSINESS, campaignId: c.campaignId, chunk: 0 }, stepDeps)).toMatchObject({
      outcome: 'decided',
      targeted: 2,
      chunks: 1,
    });
    // The chunk's first recipient was written, then the function died.
    const list = (await store.get(BUSINESS, c.campaignId))!.list!;
    const staged = (await store.listChunk(BUSINESS, c.campaignId, list.attempt!, 0))!;
    await store.addRecipients(BUSINESS, c.campaignId, staged.firstSeq, staged.recipients.slice(0, 1));
    // The message comes back; then a copy of it.
    expect(await buildListStep(builds.messages[0], stepDeps)).toMatchObject({ outcome: 'ready', targeted: 2 });
    expect(await buildListStep(builds.messages[0], stepDeps)).toMatchObject({ outcome: 'ignored', reason: 'not_building' });
    expect(store.allRecipients(BUSINESS, c.campaignId).map((r) => r.waId)).toEqual(['5511900000001', '5511900000004']);
    expect((await store.get(BUSINESS, c.campaignId))!.counts).toMatchObject({ targeted: 2, skipped: { opted_out: 1, no_consent: 1 } });
    expect(await store.getRelease(BUSINESS, c.campaignId)).toMatchObject({ total: 2 });
  });

  it('sends a campaign whose audience turns out empty back to draft, with the list failed and why', async () => {
    const empty = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput({ audience: { ...saleInput().audience, tags: ['nobody'] } }));
    expect((await scheduleCampaign(deps, BUSINESS, empty.campaignId, {})).state).toBe('scheduled');
    expect(await build(empty.campaignId)).toEqual([{ outcome: 'failed', reason: 'empty_audience' }]);
    expect(await store.get(BUSINESS, empty.campaignId)).toMatchObject({
      state: 'draft',
      list: { status: 'failed', reason: 'empty_audience' },
      counts: { targeted: 0 },
    });
    expect(publisher.events.map((e) => e.detail)).toMatchObject([{ state: 'scheduled' }, { state: 'draft', previousState: 'scheduled' }]);
    expect(await store.listRunning()).toEqual([]);
    // Edited, it can be scheduled again.
    const fixed = await updateCampaignDraft(deps, BUSINESS, empty.campaignId, { ...saleInput(), expectedVersion: 3 });
    await scheduleCampaign(deps, BUSINESS, empty.campaignId, { expectedVersion: fixed.version });
    expect((await build(empty.campaignId)).at(-1)).toMatchObject({ outcome: 'ready', targeted: 2 });
  });

  it('refuses to schedule what cannot be sent, saying why', async () => {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput());
    expect((await refusal(scheduleCampaign(deps, BUSINESS, c.campaignId, { expectedVersion: 7 }))).code).toBe('version_conflict');
    lookups.accounts.set(ACCOUNT, { ...lookups.accounts.get(ACCOUNT)!, qualityRating: 'RED' });
    expect(await refusal(scheduleCampaign(deps, BUSINESS, c.campaignId, {}))).toMatchObject({ status: 409, code: 'quality_red' });
    lookups.accounts.set(ACCOUNT, { ...lookups.accounts.get(ACCOUNT)!, qualityRating: 'GREEN' });
    budget = { budgetMicros: 1_000_000, spentMicros: 1_000_000, share: 1 };
    expect(await refusal(scheduleCampaign(deps, BUSINESS, c.campaignId, {}))).toMatchObject({ status: 409, code: 'budget_exhausted' });
    budget = { spentMicros: 0, share: 0 };
    const tpl = lookups.templates.get(`5550001|spring_sale|es`)!;
    lookups.templates.set(`5550001|spring_sale|es`, { ...tpl, status: 'DISABLED' });
    expect(await refusal(scheduleCampaign(deps, BUSINESS, c.campaignId, {}))).toMatchObject({ status: 409, code: 'template_not_approved' });
    lookups.templates.set(`5550001|spring_sale|es`, tpl);
    expect(publisher.events).toEqual([]);
  });

  it('refuses a CSV campaign whose template Meta moved to marketing after the upload', async () => {
    const tpl = lookups.templates.get('5550001|spring_sale|es')!;
    lookups.templates.set('5550001|spring_sale|es', { ...tpl, category: 'UTILITY' });
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', csvInput('phone,1,2,button.0\n+5511900000003,Carla,20,C'));
    expect(c.counts.targeted).toBe(1);
    lookups.templates.set('5550001|spring_sale|es', tpl);
    expect(await refusal(scheduleCampaign(deps, BUSINESS, c.campaignId, {}))).toMatchObject({ status: 409, code: 'template_category_changed' });
  });
});

describe('pausing, resuming and cancelling', () => {
  async function running() {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput());
    await scheduleCampaign(deps, BUSINESS, c.campaignId, {});
    await build(c.campaignId);
    const started = await store.transition(BUSINESS, c.campaignId, ['scheduled'], 'running', NOW.toISOString());
    publisher.events.length = 0;
    return started.ok ? started.value : (undefined as never);
  }

  it('pauses by an operator and resumes to running, each time telling the bus with ids and state only', async () => {
    const c = await running();
    const paused = await pauseCampaign(deps, BUSINESS, c.campaignId, { expectedVersion: c.version });
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'operator' });
    expect((await refusal(pauseCampaign(deps, BUSINESS, c.campaignId, {}))).code).toBe('wrong_state');
    const resumed = await resumeCampaign(deps, BUSINESS, c.campaignId, { expectedVersion: paused.version });
    expect(resumed.state).toBe('running');
    expect(resumed.pauseReason).toBeUndefined();
    expect(publisher.events.map((e) => e.detail)).toEqual([
      {
        v: 1,
        businessId: BUSINESS,
        campaignId: c.campaignId,
        state: 'paused',
        previousState: 'running',
        reason: 'operator',
        version: paused.version,
        at: NOW.toISOString(),
      },
      { v: 1, businessId: BUSINESS, campaignId: c.campaignId, state: 'running', previousState: 'paused', version: resumed.version, at: NOW.toISOString() },
    ]);
    expect(JSON.stringify(publisher.events)).not.toMatch(/5511|Ana|spring/);
  });

  it('refuses to resume while the cause of a self-pause holds, with the reason', async () => {
    const c = await running();
    const paused = await store.transition(BUSINESS, c.campaignId, ['running'], 'paused', NOW.toISOString(), { pauseReason: 'quality_red' });
    expect(paused.ok).toBe(true);
    lookups.accounts.set(ACCOUNT, { ...lookups.accounts.get(ACCOUNT)!, qualityRating: 'RED' });
    expect(await refusal(resumeCampaign(deps, BUSINESS, c.campaignId, {}))).toMatchObject({
      status: 409,
      code: 'quality_red',
      message: expect.stringMatching(/RED/),
    });
    lookups.accounts.set(ACCOUNT, { ...lookups.accounts.get(ACCOUNT)!, qualityRating: 'GREEN', status: 'restricted' });
    expect((await refusal(resumeCampaign(deps, BUSINESS, c.campaignId, {}))).code).toBe('account_not_serving');
    lookups.accounts.set(ACCOUNT, { ...lookups.accounts.get(ACCOUNT)!, status: 'active' });
    const tpl = lookups.templates.get('5550001|spring_sale|es')!;
    lookups.templates.set('5550001|spring_sale|es', { ...tpl, status: 'PAUSED' });
    expect((await refusal(resumeCampaign(deps, BUSINESS, c.campaignId, {}))).code).toBe('template_paused');
    lookups.templates.set('5550001|spring_sale|es', { ...tpl, status: 'DISABLED' });
    expect((await refusal(resumeCampaign(deps, BUSINESS, c.campaignId, {}))).code).toBe('template_disabled');
    lookups.templates.set('5550001|spring_sale|es', tpl);
    budget = { budgetMicros: 5, spentMicros: 9, share: 1.8 };
    expect((await refusal(resumeCampaign(deps, BUSINESS, c.campaignId, {}))).code).toBe('budget_exhausted');
    budget = { budgetMicros: 5, spentMicros: 1, share: 0.2 };
    expect(publisher.events).toEqual([]);
    expect((await resumeCampaign(deps, BUSINESS, c.campaignId, {})).state).toBe('running');
  });

  it('sends a campaign paused before it started back to scheduled, and cancels from any live state', async () => {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput());
    await scheduleCampaign(deps, BUSINESS, c.campaignId, {});
    await pauseCampaign(deps, BUSINESS, c.campaignId, {});
    expect((await resumeCampaign(deps, BUSINESS, c.campaignId, {})).state).toBe('scheduled');
    const cancelled = await cancelCampaign(deps, BUSINESS, c.campaignId, {});
    expect(cancelled).toMatchObject({ state: 'cancelled', completedAt: NOW.toISOString() });
    expect((await refusal(cancelCampaign(deps, BUSINESS, c.campaignId, {}))).code).toBe('wrong_state');
    expect((await refusal(resumeCampaign(deps, BUSINESS, c.campaignId, {}))).code).toBe('wrong_state');
    expect((await refusal(pauseCampaign(deps, BUSINESS, 'cmp_01J00000000000000000000999', {}))).status).toBe(404);
    expect((await refusal(pauseCampaign(deps, BUSINESS, c.campaignId, { expectedVersion: 'x' }))).status).toBe(400);
  });
});

describe('reading recipients', () => {
  it('masks numbers, message ids and conversation keys for those who may not see them', async () => {
    const c = await createCampaign(deps, BUSINESS, 'admin@shop', saleInput());
    await scheduleCampaign(deps, BUSINESS, c.campaignId, {});
    await build(c.campaignId);
    await store.advanceRecipient(BUSINESS, c.campaignId, 0, 'released', {
      at: NOW.toISOString(),
      messageId: `cmp.${c.campaignId}.5511900000001`,
      conversationKey: 'wa:100200300:5511900000001',
    });
    const masked = await listCampaignRecipients(deps, BUSINESS, c.campaignId, { limit: 10 }, { maskNumbers: true });
    expect(JSON.stringify(masked)).not.toContain('5511900000001');
    expect(masked.items[0]).toMatchObject({
      waId: maskWaId('5511900000001'),
      messageId: `cmp.${c.campaignId}.55*********01`,
      conversationKey: 'wa:100200300:55*********01',
    });
    // The variables' values (a customer's name, a code) are withheld; which ones are set stays visible.
    expect(Object.keys(masked.items[0]!.variables).length).toBeGreaterThan(0);
    expect(Object.values(masked.items[0]!.variables).every((v) => v === WITHHELD)).toBe(true);
    const plain = await listCampaignRecipients(deps, BUSINESS, c.campaignId, { limit: 10, state: 'queued' }, { maskNumbers: false });
    expect(plain.items.map((r) => r.waId)).toEqual(['5511900000004']);
    expect(Object.values(plain.items[0]!.variables)).not.toContain(WITHHELD);
  });
});
