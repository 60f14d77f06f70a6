import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContactStore, SeenIdentity } from '#lambdas/contacts/contact-ports';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { encodeCursor, InvalidCursorError } from '#lambdas/shared/page-cursor';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { inMemoryContactStore } from '#test/helpers/in-memory-contact-store';

/** What campaigns need of the contact store: every contact of a business page by page, and a batch look-up by number. */
const B = 'shop';
const ACCOUNT = '100200300';
const T0 = '2026-03-01T10:00:00.000Z';
const wa = (waId: string): SeenIdentity[] => [
  { kind: 'whatsapp', value: waId, accountId: ACCOUNT },
  { kind: 'phone', value: `+${waId}`, accountId: ACCOUNT },
];

let table: TestTable & { newTable(): Promise<string> };
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

const stores: Array<[string, () => Promise<ContactStore>]> = [
  ['DynamoDB', async () => dynamoContactStore({ db: table.db, tableName: await table.newTable() })],
  ['in memory', async () => inMemoryContactStore()],
];

describe.each(stores)('listing contacts for campaigns (%s)', (_kind, makeStore) => {
  let store: ContactStore;
  beforeEach(async () => {
    store = await makeStore();
  });

  it('walks every live contact of the business once, by name and phone entries, absorbed ones left out', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const { contact } = await store.resolve(B, wa(`55119876500${String(i).padStart(2, '0')}`), { ...(i % 3 === 0 ? {} : { name: `Person ${i}` }), at: T0 });
      ids.push(contact.contactId);
    }
    const ig = await store.resolve(B, [{ kind: 'instagram', value: 'IGSID-1', accountId: '1784' }], { name: 'Insta Only', at: T0 });
    await store.resolve('rival', wa('5511987650099'), { name: 'Rival customer', at: T0 });
    const merged = await store.merge(B, ids[1]!, ids[2]!, 'admin', T0);
    expect(merged.ok).toBe(true);

    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listPage(B, { limit: 7, ...(cursor ? { cursor } : {}) });
      for (const c of page.items) {
        expect(c.businessId).toBe(B);
        expect(c.mergedInto).toBeUndefined();
        seen.add(c.contactId);
      }
      expect(new Set(page.items.map((c) => c.contactId)).size).toBe(page.items.length);
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(3);
    expect([...seen].sort()).toEqual([...ids.filter((id) => id !== ids[2]), ig.contact.contactId].sort());
  });

  it('refuses cursors of another business or of another shape', async () => {
    for (let i = 0; i < 5; i++) await store.resolve(B, wa(`551198765010${i}`), { name: `P${i}`, at: T0 });
    const first = await store.listPage(B, { limit: 2 });
    expect(first.cursor).toBeDefined();
    await expect(store.listPage('rival', { limit: 2, cursor: first.cursor! })).rejects.toBeInstanceOf(InvalidCursorError);
    for (const bad of [
      '***',
      encodeCursor({ pk: 'PERSON#shop#c_1', sk: 'PROFILE' })!,
      encodeCursor({ pk: 'ROUTING#shop', sk: 'x', gsi3pk: 'CONTACTS#shop', gsi3sk: 'a' })!,
    ]) {
      await expect(store.listPage(B, { limit: 2, cursor: bad })).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });

  it('finds many contacts by WhatsApp id or phone in one call, ignoring what is not a number', async () => {
    const a = await store.resolve(B, wa('5511987650201'), { at: T0 });
    const b = await store.resolve(B, wa('5511987650202'), { at: T0 });
    const byPhone = await store.findManyByIdentity(B, 'phone', ['+5511987650201', '+5511987650202', '+5511987650203', 'not a phone', '=cmd|x']);
    expect([...byPhone.entries()].map(([k, c]) => [k, c.contactId])).toEqual([
      ['+5511987650201', a.contact.contactId],
      ['+5511987650202', b.contact.contactId],
    ]);
    const byWa = await store.findManyByIdentity(B, 'whatsapp', ['5511987650202', 'x#y']);
    expect(byWa.get('5511987650202')?.contactId).toBe(b.contact.contactId);
    expect((await store.findManyByIdentity('rival', 'phone', ['+5511987650201'])).size).toBe(0);
  });
});
