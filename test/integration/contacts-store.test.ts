import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConsentRecord, Contact } from '#lambdas/contacts/contact-model';
import { contactPk, CONTACT_PROFILE_SK, IDENTITY_SK, identityPk } from '#lambdas/contacts/contact-keys';
import type { ContactStore, SeenIdentity } from '#lambdas/contacts/contact-ports';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { accountPk } from '#lambdas/conversation/table-keys';
import { consentSk, readSendContext } from '#lambdas/outbound/send-context';
import { decideSendPermission } from '#lambdas/outbound/send-rules';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { createSendContextStore } from '#lambdas/outbound/send-context-store';

const B = 'shop';
const PHONE_ACCOUNT = '100200300';
const IG_ACCOUNT = '17841400000';
const T0 = '2026-03-01T10:00:00.000Z';
const T1 = '2026-03-01T11:00:00.000Z';
const T2 = '2026-03-01T12:00:00.000Z';

const wa = (waId: string): SeenIdentity[] => [
  { kind: 'whatsapp', value: waId, accountId: PHONE_ACCOUNT },
  { kind: 'phone', value: `+${waId}`, accountId: PHONE_ACCOUNT },
];
const ig = (igsid: string): SeenIdentity[] => [{ kind: 'instagram', value: igsid, accountId: IG_ACCOUNT }];

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let store: ContactStore;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  store = dynamoContactStore({ db: table.db, tableName });
});

const ok = <T>(result: { ok: true; value: T } | { ok: false; refusal: string; message: string }): T => {
  if (!result.ok) throw new Error(`refused: ${result.refusal}: ${result.message}`);
  return result.value;
};
const identityOwner = async (kind: SeenIdentity['kind'], value: string, accountId?: string) =>
  (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: identityPk(B, kind, value, accountId), sk: IDENTITY_SK } }))).Item?.contactId;
const optOut = (at: string, evidenceMessageId = 'wamid.stop'): ConsentRecord => ({
  status: 'opted_out',
  scope: 'marketing',
  at,
  source: 'customer_message',
  evidenceMessageId,
  evidenceText: 'STOP',
  accountId: PHONE_ACCOUNT,
});

describe('DynamoDB contact store', () => {
  it('creates one contact when first messages of the same customer race, and the losers read the winner', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.resolve(B, i % 2 === 0 ? wa('5511987654321') : wa('5511987654321').slice(0, 1), { name: 'Ana', at: T0 })),
    );
    const ids = new Set(results.map((r) => r.contact.contactId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const [id] = [...ids];
    expect(await identityOwner('whatsapp', '5511987654321')).toBe(id);
    expect(await identityOwner('phone', '+5511987654321')).toBe(id);
    const contact = (await store.get(B, id!))!;
    expect(contact).toMatchObject({ name: 'Ana', nameSource: 'profile', phoneE164: '+5511987654321', version: expect.any(Number) });
    expect(contact.identities.map((i) => i.kind).sort()).toEqual(['phone', 'whatsapp']);
    // The same identities again: the same contact, nothing new.
    expect(await store.resolve(B, wa('5511987654321'), { at: T1 })).toMatchObject({ created: false, contact: { contactId: id } });
    // Another business never sees it.
    expect(await store.findByIdentity('rival', 'whatsapp', '5511987654321')).toBeUndefined();
    expect(await store.get('rival', id!)).toBeUndefined();
  });

  it('links new identities to the owner and leaves those of another contact where they are', async () => {
    const a = await store.resolve(B, [wa('5511987654321')[0]!], { at: T0 });
    const b = await store.resolve(B, ig('IGSID-1'), { at: T0 });
    const both = await store.resolve(B, [...wa('5511987654321'), ...ig('IGSID-1')], { at: T1 });
    expect(both).toMatchObject({ created: false, contact: { contactId: a.contact.contactId, phoneE164: '+5511987654321' } });
    expect(both.contact.identities.map((i) => i.kind).sort()).toEqual(['phone', 'whatsapp']);
    expect(await identityOwner('instagram', 'IGSID-1', IG_ACCOUNT)).toBe(b.contact.contactId);
  });

  it('refuses a stale version and applies a current one', async () => {
    const { contact } = await store.resolve(B, wa('5511987654321'), { at: T0 });
    const first = ok(await store.update(B, contact.contactId, contact.version, { tags: { add: ['VIP', 'vip', 'wholesale'] } }, T1));
    expect(first).toMatchObject({ tags: ['vip', 'wholesale'], version: contact.version + 1 });
    expect(await store.update(B, contact.contactId, contact.version, { tags: { remove: ['vip'] } }, T2)).toMatchObject({
      ok: false,
      refusal: 'changed_meanwhile',
    });
    expect(ok(await store.update(B, contact.contactId, first.version, { tags: { remove: ['vip'] } }, T2)).tags).toEqual(['wholesale']);
    // A worse name source never replaces a better one.
    ok(await store.update(B, contact.contactId, undefined, { name: { value: 'Ana Souza', source: 'crm' } }, T2));
    expect(ok(await store.update(B, contact.contactId, undefined, { name: { value: 'ana', source: 'profile' } }, T2))).toMatchObject({
      name: 'Ana Souza',
      nameSource: 'crm',
    });
    expect(await store.update(B, 'c_00000000000000000000000000', undefined, { language: 'es' }, T2)).toMatchObject({ ok: false, refusal: 'not_found' });
  });

  it('merges two contacts and unmerges them: identities move to the survivor and come back', async () => {
    const whatsapp = (await store.resolve(B, wa('5511987654321'), { name: 'Ana', at: T1 })).contact;
    const instagram = (await store.resolve(B, ig('IGSID-1'), { name: 'ana.ig', at: T0 })).contact;
    ok(await store.update(B, whatsapp.contactId, undefined, { tags: { add: ['vip'] }, crmIds: { hubspot: '501' }, firstTouch: touch(T1, 'ad') }, T1));
    ok(
      await store.update(
        B,
        instagram.contactId,
        undefined,
        { tags: { add: ['instagram-lead'] }, crmIds: { hubspot: '999', zendesk: 'z7' }, firstTouch: touch(T0, 'link') },
        T1,
      ),
    );
    ok(await store.recordConsent(B, instagram.contactId, 'instagram', 'IGSID-1', { ...optOut(T2), accountId: IG_ACCOUNT }));

    const merged = ok(await store.merge(B, whatsapp.contactId, instagram.contactId, 'agent-1', '2026-03-02T09:00:00.000Z', 'same person'));
    const survivor = merged.survivor;
    expect(survivor.identities.map((i) => i.kind).sort()).toEqual(['instagram', 'phone', 'whatsapp']);
    expect(survivor).toMatchObject({
      name: 'Ana',
      tags: ['vip', 'instagram-lead'],
      // The survivor wins a conflict; what only the absorbed held joins it.
      crmIds: { hubspot: '501', zendesk: 'z7' },
      // The earliest first touch wins; consent is the latest decision per channel.
      firstTouch: { source: 'link', at: T0 },
      consent: { instagram: { status: 'opted_out' } },
    });
    expect(await identityOwner('instagram', 'IGSID-1', IG_ACCOUNT)).toBe(whatsapp.contactId);
    // Reads of the absorbed contact follow it to the survivor.
    expect((await store.get(B, instagram.contactId))?.contactId).toBe(whatsapp.contactId);
    expect((await store.findByIdentity(B, 'instagram', 'IGSID-1', IG_ACCOUNT))?.contactId).toBe(whatsapp.contactId);
    expect(await store.merge(B, whatsapp.contactId, instagram.contactId, 'agent-1', T2)).toMatchObject({ ok: false, refusal: 'not_found' });
    expect(await store.merge(B, whatsapp.contactId, whatsapp.contactId, 'agent-1', T2)).toMatchObject({ ok: false, refusal: 'same_contact' });
    const [listed] = await store.listMerges(B, whatsapp.contactId);
    expect(listed).toMatchObject({
      mergeId: merged.merge.mergeId,
      survivorId: whatsapp.contactId,
      absorbedId: instagram.contactId,
      by: 'agent-1',
      reason: 'same person',
    });

    // A later change of the survivor's own survives the unmerge.
    ok(await store.update(B, whatsapp.contactId, undefined, { tags: { add: ['returning'] } }, '2026-03-03T09:00:00.000Z'));
    const undone = ok(await store.unmerge(B, merged.merge.mergeId, 'supervisor-1', '2026-03-04T09:00:00.000Z'));
    expect(undone.restored).toMatchObject({
      contactId: instagram.contactId,
      name: 'ana.ig',
      tags: ['instagram-lead'],
      crmIds: { hubspot: '999', zendesk: 'z7' },
    });
    expect(undone.restored.mergedInto).toBeUndefined();
    expect(undone.restored.identities.map((i) => i.kind)).toEqual(['instagram']);
    expect(undone.survivor.identities.map((i) => i.kind).sort()).toEqual(['phone', 'whatsapp']);
    expect(undone.survivor).toMatchObject({ tags: ['vip', 'returning'], crmIds: { hubspot: '501' }, firstTouch: { source: 'ad', at: T1 } });
    expect(undone.survivor.crmIds.zendesk).toBeUndefined();
    expect(undone.survivor.consent.instagram).toBeUndefined();
    expect(await identityOwner('instagram', 'IGSID-1', IG_ACCOUNT)).toBe(instagram.contactId);
    expect((await store.get(B, instagram.contactId))?.contactId).toBe(instagram.contactId);
    expect(await store.unmerge(B, merged.merge.mergeId, 'supervisor-1', T2)).toMatchObject({ ok: false, refusal: 'already_undone' });
    expect(await store.unmerge(B, 'm_00000000000000000000000000', 'supervisor-1', T2)).toMatchObject({ ok: false, refusal: 'not_found' });
    expect(await store.unmerge('rival', merged.merge.mergeId, 'supervisor-1', T2)).toMatchObject({ ok: false, refusal: 'not_found' });
  });

  it("records consent with the sender's projection in one write, which readSendContext reads and the send rules obey", async () => {
    const { contact } = await store.resolve(B, wa('5511987654321'), { at: T0 });
    const key = 'wa:100200300:5511987654321';
    const marketing = async () => {
      const ctx = await readSendContext(createSendContextStore(table.db, tableName), {
        conversationKey: key,
        accountId: PHONE_ACCOUNT,
        customerId: '5511987654321',
        withConsent: true,
      });
      return decideSendPermission({
        channel: 'whatsapp',
        origin: 'campaign',
        templateCategory: 'marketing',
        ...(ctx.consent ? { consent: ctx.consent } : {}),
        now: new Date(T2),
      });
    };
    expect(await marketing()).toEqual({ allowed: false, reason: 'marketing_opt_in_missing' });

    const optedIn = ok(
      await store.recordConsent(B, contact.contactId, 'whatsapp', '5511987654321', {
        status: 'opted_in',
        scope: 'marketing',
        at: T0,
        source: 'form',
        evidenceMessageId: 'form-7',
        accountId: PHONE_ACCOUNT,
      }),
    );
    expect(optedIn.consent.whatsapp).toMatchObject({ status: 'opted_in', at: T0 });
    expect(await marketing()).toEqual({ allowed: true, humanAgentTag: false });

    const optedOut = ok(await store.recordConsent(B, contact.contactId, 'whatsapp', '5511987654321', optOut(T1)));
    expect(optedOut.consent.whatsapp).toMatchObject({ status: 'opted_out', evidenceText: 'STOP', evidenceMessageId: 'wamid.stop' });
    expect(await marketing()).toEqual({ allowed: false, reason: 'marketing_opted_out' });
    const projection = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(PHONE_ACCOUNT), sk: consentSk('5511987654321') } })))
      .Item;
    expect(projection).toMatchObject({
      entity: 'Consent',
      marketingOptInAt: T0,
      marketingOptOutAt: T1,
      marketingOptOutEvidence: 'customer_message:wamid.stop',
      contactId: contact.contactId,
    });
    // The projection holds no words of the customer's.
    expect(JSON.stringify(projection)).not.toContain('STOP');

    // An older decision delivered late is kept as proof but changes neither the contact nor the projection.
    const late = ok(
      await store.recordConsent(B, contact.contactId, 'whatsapp', '5511987654321', {
        status: 'opted_in',
        scope: 'marketing',
        at: '2026-03-01T10:30:00.000Z',
        source: 'form',
        accountId: PHONE_ACCOUNT,
      }),
    );
    expect(late.consent.whatsapp?.status).toBe('opted_out');
    expect(await marketing()).toEqual({ allowed: false, reason: 'marketing_opted_out' });
    // The same opt-out redelivered: nothing moves.
    expect(ok(await store.recordConsent(B, contact.contactId, 'whatsapp', '5511987654321', optOut(T1))).version).toBe(optedOut.version);
    const decisions = await table.db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':pk': contactPk(B, contact.contactId), ':c': 'CONSENT#' },
      }),
    );
    expect(decisions.Items).toHaveLength(3);

    // A new opt-in after the opt-out allows marketing again.
    ok(
      await store.recordConsent(B, contact.contactId, 'whatsapp', '5511987654321', {
        status: 'opted_in',
        scope: 'marketing',
        at: T2,
        source: 'customer_message',
        evidenceMessageId: 'wamid.yes',
        accountId: PHONE_ACCOUNT,
      }),
    );
    expect(await marketing()).toEqual({ allowed: true, humanAgentTag: false });
    expect(await store.recordConsent(B, contact.contactId, 'sms' as never, 'x', optOut(T2))).toMatchObject({ ok: false, refusal: 'invalid' });
    expect(await store.recordConsent(B, contact.contactId, 'whatsapp', 'x', { ...optOut(T2), at: 'yesterday' })).toMatchObject({
      ok: false,
      refusal: 'invalid',
    });
  });

  it('finds contacts by name prefix (any case, without accents) and by phone prefix, live ones of the business only', async () => {
    const maria = (await store.resolve(B, wa('5511987654321'), { name: 'María José', at: T0 })).contact;
    const marcos = (await store.resolve(B, wa('5215512345678'), { name: 'Marcos', at: T0 })).contact;
    await store.resolve(B, ig('IGSID-9'), { name: 'Martina', at: T0 });
    await store.resolve('rival', wa('5511987654321'), { name: 'María', at: T0 });
    const names = async (text: string) => (await store.search(B, text, 10)).map((c) => c.name).sort();
    expect(await names('mar')).toEqual(['Marcos', 'Martina', 'María José']);
    expect(await names('MARIA j')).toEqual(['María José']);
    expect(await names('+55 11 98')).toEqual(['María José']);
    expect(await names('5511')).toEqual(['María José']);
    // Mexico's old mobile prefix is searched as the E.164 number.
    expect(marcos.phoneE164).toBe('+525512345678');
    expect(await names('+52 1 55 1234 5678')).toEqual(['Marcos']);
    expect(await names('zzz')).toEqual([]);
    expect(await names('')).toEqual([]);
    expect(await store.search(B, 'mar', 1)).toHaveLength(1);
    // An absorbed contact is no longer found.
    ok(await store.merge(B, marcos.contactId, maria.contactId, 'agent-1', T1));
    expect(await names('maria')).toEqual([]);
    expect((await store.search(B, '+5511', 10)).map((c) => c.contactId)).toEqual([marcos.contactId]);
  });

  it("checks attribute values against the business's schema", async () => {
    const { contact } = await store.resolve(B, wa('5511987654321'), { at: T0 });
    const schema = ok(
      await store.putAttributeSchema(
        B,
        {
          attributes: [
            { key: 'plan', label: 'Plan', type: 'enum', options: ['free', 'pro'], visibleToAgents: true, editableByAgents: false },
            { key: 'orders', label: 'Orders', type: 'number', visibleToAgents: true, editableByAgents: false },
            { key: 'vip', label: 'VIP', type: 'boolean', visibleToAgents: true, editableByAgents: false },
            { key: 'birthday', label: 'Birthday', type: 'date', visibleToAgents: true, editableByAgents: true },
            { key: 'note', label: 'Note', type: 'string', visibleToAgents: true, editableByAgents: true },
          ],
        },
        0,
        T0,
      ),
    );
    expect(schema.version).toBe(1);
    expect(await store.putAttributeSchema(B, { attributes: [] }, 0, T1)).toMatchObject({ ok: false, refusal: 'changed_meanwhile' });
    expect(await store.putAttributeSchema(B, { attributes: [{ key: 'x', label: 'X', type: 'enum' }] } as never, 1, T1)).toMatchObject({
      ok: false,
      refusal: 'invalid',
    });
    expect(await store.putAttributeSchema(B, { attributes: [{ key: 'Bad Key', label: 'X', type: 'string' }] } as never, 1, T1)).toMatchObject({
      ok: false,
      refusal: 'invalid',
    });
    const set = (values: Record<string, unknown>) => store.update(B, contact.contactId, undefined, { attributes: { set: values as never } }, T1);
    expect(ok(await set({ plan: 'pro', orders: 3, vip: true, birthday: '1990-02-28', note: 'likes blue' })).attributes).toEqual({
      plan: 'pro',
      orders: 3,
      vip: true,
      birthday: '1990-02-28',
      note: 'likes blue',
    });
    for (const [values, message] of [
      [{ plan: 'gold' }, /^attributes\.plan: one of free, pro/],
      [{ orders: '3' }, /^attributes\.orders: a finite number/],
      [{ vip: 'yes' }, /^attributes\.vip: true or false/],
      [{ birthday: '1990-02-30' }, /^attributes\.birthday: an ISO-8601 date/],
      [{ unknown: 1 }, /^attributes\.unknown: not an attribute of this business/],
      [{ note: 'x'.repeat(501) }, /^attributes\.note: a text of at most 500/],
    ] as const) {
      expect(await set(values)).toMatchObject({ ok: false, refusal: 'invalid', message: expect.stringMatching(message) });
    }
    expect((await store.get(B, contact.contactId))?.attributes.plan).toBe('pro');
  });

  it('keeps hostile sizes out: long ids, names, evidence, tag floods and search texts', async () => {
    await expect(store.resolve(B, [{ kind: 'whatsapp', value: '5'.repeat(5_000), accountId: PHONE_ACCOUNT }], { at: T0 })).rejects.toThrow(/no identity/);
    await expect(store.resolve('b#1', wa('5511987654321'), { at: T0 })).rejects.toThrow(/business/);
    const { contact } = await store.resolve(B, wa('5511987654321'), { name: `  Ana ${'x'.repeat(100_000)}  `, at: T0 });
    expect(contact.name!.length).toBe(200);
    const stored = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: contactPk(B, contact.contactId), sk: CONTACT_PROFILE_SK } }))).Item!;
    expect(String(stored.gsi3sk).length).toBeLessThan(200);
    expect(
      await store.linkIdentity(B, contact.contactId, { kind: 'instagram', value: 'x'.repeat(1_000), accountId: IG_ACCOUNT, linkedBy: 'operator' }, T1),
    ).toMatchObject({ ok: false, refusal: 'invalid' });
    expect(await store.linkIdentity(B, contact.contactId, { kind: 'instagram', value: 'IGSID-1', linkedBy: 'operator' }, T1)).toMatchObject({
      ok: false,
      refusal: 'invalid',
    });
    expect(await store.linkIdentity(B, contact.contactId, { kind: 'phone', value: '12', linkedBy: 'operator' }, T1)).toMatchObject({
      ok: false,
      refusal: 'invalid',
    });
    expect(await store.update(B, contact.contactId, undefined, { tags: { add: Array.from({ length: 60 }, (_, i) => `t${i}`) } }, T1)).toMatchObject({
      ok: false,
      refusal: 'invalid',
    });
    expect(await store.update(B, contact.contactId, undefined, { tags: { add: ['no spaces allowed'] } }, T1)).toMatchObject({ ok: false, refusal: 'invalid' });
    expect(await store.update(B, contact.contactId, undefined, { crmIds: { hubspot: 'x'.repeat(1_000) } }, T1)).toMatchObject({
      ok: false,
      refusal: 'invalid',
    });
    const consent = ok(await store.recordConsent(B, contact.contactId, 'whatsapp', '5511987654321', { ...optOut(T1), evidenceText: 'S'.repeat(1_000_000) }));
    expect(consent.consent.whatsapp?.evidenceText).toHaveLength(1_000);
    expect(await store.search(B, 'a'.repeat(100_000), 10000)).toEqual([]);
    expect(await store.search(B, 'ana', 10000)).toHaveLength(1);
    expect(await store.search(B, '%'.repeat(10), 10)).toEqual([]);
    expect(await store.get(B, `c_${'A'.repeat(5_000)}`)).toBeUndefined();
    // An identity already linked elsewhere is refused; linking it again to its owner is a no-op.
    const other = (await store.resolve(B, ig('IGSID-2'), { at: T0 })).contact;
    expect(
      await store.linkIdentity(B, contact.contactId, { kind: 'instagram', value: 'IGSID-2', accountId: IG_ACCOUNT, linkedBy: 'operator' }, T1),
    ).toMatchObject({ ok: false, refusal: 'identity_taken' });
    expect(
      ok(await store.linkIdentity(B, other.contactId, { kind: 'instagram', value: 'IGSID-2', accountId: IG_ACCOUNT, linkedBy: 'operator' }, T1)).version,
    ).toBe(other.version);
    const linked = ok(await store.linkIdentity(B, contact.contactId, { kind: 'phone', value: '+44 7700 900123', linkedBy: 'operator' }, T1));
    expect(linked.identities.some((i) => i.kind === 'phone' && i.value === '+447700900123')).toBe(true);
  });

  it('reads a contact item written with unexpected shapes without failing', async () => {
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: contactPk(B, 'c_0000000000AAAAAAAAAAAAAAAA'),
          sk: CONTACT_PROFILE_SK,
          businessId: B,
          contactId: 'c_0000000000AAAAAAAAAAAAAAAA',
          tags: 'vip',
          attributes: [1],
          identities: 'x',
          version: '2',
        },
      }),
    );
    const read = (await store.get(B, 'c_0000000000AAAAAAAAAAAAAAAA')) as Contact;
    expect(read).toMatchObject({ tags: [], attributes: {}, identities: [], version: 0 });
  });
});

function touch(at: string, source: string) {
  return { channel: 'whatsapp' as const, accountId: PHONE_ACCOUNT, conversationKey: 'wa:100200300:5511987654321', at, source };
}
