import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertChannelAccount } from '#lambdas/accounts/channel-account';
import { contactsAudience } from '#lambdas/campaigns/audience/contacts-audience';
import { buildListStep, decideAudience, nextBuildMessage, type ListBuildDeps, type ListBuildOutcome } from '#lambdas/campaigns/campaign-list-build';
import type { DecidingLimits } from '#lambdas/campaigns/campaign-list-decide';
import type { CampaignRecipient, ContactsAudience } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { dynamoReleaseSources } from '#lambdas/campaigns/campaign-lookups-store';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { inMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { templateKey } from '#lambdas/templates/template-item';
import { ACCOUNT, BUSINESS, memoryLookups, recordingPublisher, saleTemplate, seedContact, WABA } from '#test/helpers/campaign-fixtures';
import { queuedListBuilds, sourcesOf, type BuildMessage } from '#test/helpers/campaign-list-builds';
import { campaign as campaignFixture } from '#test/helpers/campaign-release-fakes';
import { inMemoryContactStore } from '#test/helpers/in-memory-contact-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/**
 * Deciding a contacts audience in steps (campaign-list-decide.ts), against DynamoDB Local and the
 * in-memory stores: however the walk is cut into steps (by contacts, by time, by staged bytes),
 * and whether a step is delivered twice, raced by a copy, or dies half way, the list holds the
 * same customers at the same places with the same counts as one walk over the whole index.
 */
const NOW = new Date('2026-11-21T12:00:00.000Z');
const AUDIENCE: ContactsAudience = {
  kind: 'contacts',
  tags: ['vip'],
  excludeTags: ['churned'],
  variables: {
    '1': { from: 'contact', field: 'first_name', fallback: 'cliente' },
    '2': { from: 'text', value: '20' },
    'button.0': { from: 'attribute', key: 'coupon' },
  },
};
const waId = (i: number) => `55119${String(i).padStart(8, '0')}`;

/** About 40 contacts, most in the index twice (name and phone), covering every reason to be left off. */
async function seedAudience(contacts: ContactStore): Promise<void> {
  for (let i = 1; i <= 36; i++) {
    await seedContact(contacts, {
      waId: waId(i),
      ...(i % 6 === 1 ? {} : { name: `Cliente ${String(i).padStart(2, '0')} Souza` }),
      tags: i % 13 === 4 ? ['other'] : i % 9 === 2 ? ['vip', 'churned'] : ['vip'],
      attributes: i % 11 === 3 ? { plan: 'basic' } : { coupon: `C${i}` },
      ...(i % 7 === 0 ? { consent: 'opted_out' as const } : i % 5 === 0 ? {} : { consent: 'opted_in' as const }),
    });
  }
  const at = '2026-04-01T10:00:00.000Z';
  // A number two contacts hold: one knows it from WhatsApp (no phone entry in the index), the other as a phone.
  const viaWhatsApp = await contacts.resolve(BUSINESS, [{ kind: 'whatsapp', value: waId(90), accountId: ACCOUNT }], { name: 'Zeca WhatsApp', at });
  const viaPhone = await contacts.resolve(BUSINESS, [{ kind: 'phone', value: `+${waId(90)}`, accountId: ACCOUNT }], { name: 'Zeca Telefone', at });
  for (const c of [viaWhatsApp.contact, viaPhone.contact]) await contacts.update(BUSINESS, c.contactId, undefined, { tags: { set: ['vip'] } }, at);
  // Tagged but with no WhatsApp number.
  const ig = await contacts.resolve(BUSINESS, [{ kind: 'instagram', value: 'IGSID-1', accountId: '1784' }], { name: 'Insta Only', at });
  await contacts.update(BUSINESS, ig.contact.contactId, undefined, { tags: { set: ['vip'] } }, at);
}

interface World {
  store: CampaignStore;
  contacts: ContactStore;
  sources: ListBuildDeps['sources'];
}

let table: TestTable & { newTable(): Promise<string> };
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

const worlds: Array<[string, () => Promise<World>]> = [
  [
    'DynamoDB',
    async () => {
      const tableName = await table.newTable();
      const db = table.db;
      await upsertChannelAccount(db, tableName, { accountId: ACCOUNT, channel: 'whatsapp', businessId: BUSINESS, wabaId: WABA, status: 'active' });
      const t = saleTemplate;
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
      return {
        store: dynamoCampaignStore({ db, tableName }),
        contacts: dynamoContactStore({ db, tableName }),
        sources: dynamoReleaseSources({ db, tableName }),
      };
    },
  ],
  ['in memory', async () => ({ store: inMemoryCampaignStore(), contacts: inMemoryContactStore(), sources: sourcesOf(memoryLookups()) })],
];

describe.each(worlds)('deciding a contacts audience in steps (%s)', (_kind, makeWorld) => {
  let world: World;
  let campaigns = 0;
  let reference: { recipients: Array<Omit<CampaignRecipient, 'campaignId' | 'state'>>; targeted: number; skipped: Record<string, number> };

  beforeAll(async () => {
    world = await makeWorld();
    await seedAudience(world.contacts);
    // One walk over the whole index, in memory: what every build below must list.
    const decided = await decideAudience(
      contactsAudience({ businessId: BUSINESS, audience: AUDIENCE, template: { template: saleTemplate, category: 'marketing' }, contacts: world.contacts }),
    );
    reference = {
      recipients: decided.recipients.map((r, seq) => ({ ...r, seq })),
      targeted: decided.recipients.length,
      skipped: decided.skipped as Record<string, number>,
    };
  }, 120_000);

  async function scheduled(audience: ContactsAudience = AUDIENCE): Promise<string> {
    const campaignId = `cmp_01J0000000${String(++campaigns).padStart(16, '0')}`;
    await world.store.create(
      campaignFixture({
        campaignId,
        accountId: ACCOUNT,
        template: { name: saleTemplate.name, language: saleTemplate.language, category: 'marketing' },
        audience,
        list: { status: 'building', built: 0, updatedAt: NOW.toISOString() },
      }),
    );
    return campaignId;
  }

  /**
   * Delivers build messages as the ticks queue would until none is left; `deliver` may play a
   * copy, a race or a crash around each delivery. Checks after every deciding step that nothing
   * was written to the list and no counts were set before the audience was decided.
   */
  async function build(
    campaignId: string,
    limits: Partial<DecidingLimits>,
    deliver?: (message: BuildMessage, step: (m: BuildMessage) => Promise<ListBuildOutcome>) => Promise<ListBuildOutcome[]>,
    extra: Partial<ListBuildDeps> = {},
  ) {
    const builds = (extra.builds as ReturnType<typeof queuedListBuilds> | undefined) ?? queuedListBuilds();
    const deps: ListBuildDeps = { ...world, builds, publisher: recordingPublisher(), now: () => NOW, decidingLimits: limits, ...extra };
    const step = (m: BuildMessage) => buildListStep(m, deps);
    builds.messages.push({ kind: 'build', ...nextBuildMessage((await world.store.get(BUSINESS, campaignId))!) });
    const outcomes: ListBuildOutcome[] = [];
    for (let n = 0; n < 500 && builds.messages.length > 0; n++) {
      const message = builds.messages.shift()!;
      outcomes.push(...(deliver ? await deliver(message, step) : [await step(message)]));
      if (outcomes.at(-1)!.outcome === 'deciding') {
        const during = (await world.store.get(BUSINESS, campaignId))!;
        expect(during).toMatchObject({ list: { status: 'building', built: 0 }, counts: { targeted: 0 } });
        expect(await world.store.listEnd(BUSINESS, campaignId)).toBe(0);
        expect(await world.store.getRelease(BUSINESS, campaignId)).toBeUndefined();
      }
    }
    return { outcomes, builds, deps };
  }

  async function expectReferenceList(campaignId: string) {
    const campaign = (await world.store.get(BUSINESS, campaignId))!;
    expect(campaign).toMatchObject({
      list: { status: 'ready', built: reference.targeted },
      counts: { targeted: reference.targeted, skipped: reference.skipped },
    });
    expect(campaign.list!.deciding).toBeUndefined();
    const listed = await world.store.recipientsFrom(BUSINESS, campaignId, 0, 1_000);
    expect(listed.map(({ waId: w, contactId, variables, seq }) => ({ waId: w, contactId, variables, seq }))).toEqual(reference.recipients);
    expect(await world.store.getRelease(BUSINESS, campaignId)).toEqual({ nextSeq: 0, total: reference.targeted, tick: 0 });
  }

  it('is the walk the reference expects: every reason to be left off, a shared number a duplicate', () => {
    expect(reference.targeted).toBeGreaterThan(10);
    expect(Object.keys(reference.skipped).sort()).toEqual(['duplicate', 'invalid_variables', 'no_consent', 'not_whatsapp', 'opted_out']);
    expect(reference.skipped.duplicate).toBe(1);
  });

  it('lists the same customers at the same places with the same counts in one step, in many by contacts, by time and by staged bytes', async () => {
    const one = await scheduled();
    const single = await build(one, {});
    expect(single.outcomes.map((o) => o.outcome)).toEqual(['decided', 'ready']);
    await expectReferenceList(one);

    const byContacts = await scheduled();
    const many = await build(byContacts, { pageSize: 3, contacts: 4 });
    const deciding = many.outcomes.filter((o) => o.outcome === 'deciding');
    expect(deciding.length).toBeGreaterThan(10);
    // Each step named the step it took, in order; then the decision, the chunks, the end.
    expect(deciding.map((o) => (o as { step: number }).step)).toEqual(deciding.map((_, i) => i));
    expect(many.outcomes[deciding.length]).toMatchObject({ outcome: 'decided', targeted: reference.targeted });
    expect(many.outcomes.at(-1)).toEqual({ outcome: 'ready', targeted: reference.targeted });
    await expectReferenceList(byContacts);

    // A clock that moves 1 ms a call and a 1 ms budget: every step stops after its first page.
    let ms = 0;
    const byTime = await scheduled();
    const timed = await build(byTime, { pageSize: 5, ms: 1 }, undefined, { clock: () => ms++ });
    expect(timed.outcomes.filter((o) => o.outcome === 'deciding').length).toBeGreaterThan(10);
    await expectReferenceList(byTime);

    // Staged bytes: a page that would take a step past the budget is left for the next step (what it met forgotten).
    const byBytes = await scheduled();
    const sized = await build(byBytes, { pageSize: 6, bytes: 250 });
    expect(sized.outcomes.filter((o) => o.outcome === 'deciding').length).toBeGreaterThan(5);
    await expectReferenceList(byBytes);
  }, 300_000);

  it('decides the same when every step is delivered twice and some copies race', async () => {
    const campaignId = await scheduled();
    const raced: Array<[string, string]> = [];
    const { outcomes } = await build(campaignId, { pageSize: 3, contacts: 4 }, async (message, step) => {
      if (message.step !== undefined && message.step % 3 === 1) {
        // Two copies of a deciding step at once: one commits, the other's transaction is refused whole.
        const both = await Promise.all([step(message), step(message)]);
        raced.push(both.map((o) => o.outcome).sort() as [string, string]);
        return both;
      }
      const first = await step(message);
      // The same message again, after it was done: it does nothing.
      const again = await step(message);
      expect(again.outcome).toBe('ignored');
      return [first, again];
    });
    expect(raced.length).toBeGreaterThan(2);
    for (const pair of raced) expect(pair[0] === 'ignored' || pair[1] === 'ignored').toBe(true);
    expect(outcomes.filter((o) => o.outcome === 'decided')).toHaveLength(1);
    expect(outcomes.at(-2)).toEqual({ outcome: 'ready', targeted: reference.targeted });
    await expectReferenceList(campaignId);
  }, 300_000);

  it('decides the same when steps die half way through their walk, or after committing and before sending the next message', async () => {
    const campaignId = await scheduled();
    let pagesRead = 0;
    let dyingEvery = 0;
    const contacts: Pick<ContactStore, 'listPage'> = {
      async listPage(businessId, page) {
        // Every fourth deciding step dies on its second page (the function timed out or crashed).
        if (dyingEvery > 0 && ++pagesRead === 2) throw new Error('the function died');
        return world.contacts.listPage(businessId, page);
      },
    };
    let lostSends = 0;
    const builds = queuedListBuilds();
    const flakyBuilds = {
      messages: builds.messages,
      async schedule(b: Parameters<typeof builds.schedule>[0], delay: number) {
        // After committing step 5 the function died before it sent the next message.
        if (b.step === 6 && lostSends === 0) {
          lostSends++;
          throw new Error('died after the commit');
        }
        return builds.schedule(b, delay);
      },
    };
    let died = 0;
    let kicked = 0;
    const { outcomes } = await build(
      campaignId,
      { pageSize: 3, contacts: 5 },
      async (message, step) => {
        pagesRead = 0;
        dyingEvery = message.step !== undefined && message.step % 4 === 2 ? 1 : 0;
        try {
          return [await step(message)];
        } catch {
          died++;
          if (dyingEvery > 0) {
            // The queue delivers the message again; this time the step lives.
            dyingEvery = 0;
            return [await step(message)];
          }
          // The message for the next step was never sent: the watchdog finds the build quiet and sends it.
          const redelivered = await step(message);
          expect(redelivered).toEqual({ outcome: 'ignored', reason: 'stale_step' });
          kicked++;
          return [redelivered, await step({ kind: 'build', ...nextBuildMessage((await world.store.get(BUSINESS, campaignId))!) })];
        }
      },
      { contacts, builds: flakyBuilds },
    );
    expect(died).toBeGreaterThan(2);
    expect(kicked).toBe(1);
    expect(outcomes.filter((o) => o.outcome === 'decided')).toHaveLength(1);
    await expectReferenceList(campaignId);
  }, 300_000);

  it("fails an audience with nobody in it after its last step, with every step's skips counted, and sends it back to draft", async () => {
    const campaignId = await scheduled({ kind: 'contacts', tags: ['vip'], attributes: { plan: 'basic' }, variables: AUDIENCE.variables! });
    const { outcomes } = await build(campaignId, { pageSize: 2, contacts: 3 });
    expect(outcomes.at(-1)).toEqual({ outcome: 'failed', reason: 'empty_audience' });
    expect(outcomes.filter((o) => o.outcome === 'deciding').length).toBeGreaterThan(5);
    const failed = (await world.store.get(BUSINESS, campaignId))!;
    // The contacts on the basic plan have no coupon: each left off once, whichever step met them.
    const basic = Array.from({ length: 36 }, (_, i) => i + 1).filter((i) => i % 11 === 3 && i % 13 !== 4).length;
    expect(failed).toMatchObject({ state: 'draft', list: { status: 'failed', reason: 'empty_audience' }, counts: { targeted: 0 } });
    expect(Object.values(failed.counts.skipped).reduce((a, b) => a + b, 0)).toBe(basic);
    expect(await world.store.listEnd(BUSINESS, campaignId)).toBe(0);
  }, 300_000);
});
