import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessageItem } from '#lambdas/outbound/outbound-message';
import { templateKey } from '#lambdas/templates/template-item';
import { createTemplateStore, type TemplateStore } from '#lambdas/templates/template-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let store: TemplateStore;

const WABA = '2100';
const T1 = '2026-11-21T12:00:00.000Z';
const T2 = '2026-11-21T13:00:00.000Z';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  store = createTemplateStore(table.db, tableName);
});

const item = async (key: { pk: string; sk: string }) => (await table.db.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
const definition = (name: string) => ({ entity: 'Template', wabaId: WABA, name, language: 'en_US', componentsJson: '[]', parameterFormat: 'POSITIONAL' });

describe('template store', () => {
  it("keeps a webhook's newer status over an older listing, and lists the WABA's templates with the attributes asked for", async () => {
    const key = templateKey(WABA, 'welcome', 'en_US');
    await store.upsertListed(key, definition('welcome'), { status: 'APPROVED', statusUpdatedAt: T1 }, ['deletedAt'], T1);
    expect(
      await store.applyNews(
        { wabaId: WABA, name: 'welcome', language: 'en_US' },
        { timeAttribute: 'statusUpdatedAt', at: T2, set: { status: 'PAUSED' }, remove: [] },
      ),
    ).toBe('updated');
    await store.upsertListed(key, { ...definition('welcome'), syncedAt: T1 }, { status: 'APPROVED', statusUpdatedAt: T1 }, ['deletedAt'], T1);
    expect(await item(key)).toMatchObject({ status: 'PAUSED', statusUpdatedAt: T2, syncedAt: T1 });
    expect(
      await store.applyNews(
        { wabaId: WABA, name: 'welcome', language: 'en_US' },
        { timeAttribute: 'statusUpdatedAt', at: T1, set: { status: 'REJECTED' }, remove: [] },
      ),
    ).toBe('stale');
    await store.recordSyncState(WABA, { lastSyncedAt: T1 });
    const listed = [];
    for await (const t of store.templatesOfWaba(WABA, ['name', 'status'])) listed.push(t);
    expect(listed).toEqual([{ name: 'welcome', status: 'PAUSED' }]);
    expect(await item({ pk: `WABA#${WABA}`, sk: 'TEMPLATESYNC' })).toMatchObject({ entity: 'TemplateSync', wabaId: WABA, lastSyncedAt: T1 });
  });

  it('creates a minimal item needing a sync from a webhook, keeping the template id once', async () => {
    const target = { wabaId: WABA, name: 'promo', language: 'es', templateId: '77' };
    expect(await store.applyNews(target, { timeAttribute: 'qualityUpdatedAt', at: T1, set: { qualityScore: 'GREEN' }, remove: [] })).toBe('created');
    expect(
      await store.applyNews({ ...target, templateId: '78' }, { timeAttribute: 'qualityUpdatedAt', at: T2, set: { qualityScore: 'RED' }, remove: [] }),
    ).toBe('updated');
    expect(await item(templateKey(WABA, 'promo', 'es'))).toMatchObject({ entity: 'Template', needsSync: true, templateId: '77', qualityScore: 'RED' });
    expect(await store.findTemplate(WABA, 'promo', 'es')).toMatchObject({ name: 'promo', language: 'es', needsSync: true, components: [] });
    expect(await store.findTemplate(WABA, 'promo', 'en')).toBeUndefined();
  });

  it('marks a template deleted only when nothing newer than the listing wrote it', async () => {
    const key = templateKey(WABA, 'old', 'en_US');
    await store.upsertListed(key, definition('old'), { status: 'APPROVED', statusUpdatedAt: T2 }, [], T2);
    expect(await store.markDeleted(key, T1)).toBe(false);
    expect(await store.markDeleted(key, T2)).toBe(true);
    expect(await item(key)).toMatchObject({ status: 'DELETED', deletedAt: T2, syncedAt: T2 });
    expect(await store.markDeleted(templateKey(WABA, 'never', 'en_US'), T2)).toBe(false);
  });

  it('reads a notification and writes a template message once', async () => {
    await table.db.send(new PutCommand({ TableName: tableName, Item: { pk: 'ACCT#1', sk: 'NOTE#e1', occurredAt: T1 } }));
    expect(await store.notification('1', 'e1')).toMatchObject({ occurredAt: T1 });
    const message = { pk: 'CONV#wa:1:5', sk: 'MSG#out_t_1', entity: 'Message', messageId: 'out_t_1' } as unknown as OutboundMessageItem;
    expect(await store.addTemplateMessage(message)).toBe(true);
    expect(await store.addTemplateMessage({ ...message, status: 'sent' } as OutboundMessageItem)).toBe(false);
    expect((await item({ pk: 'CONV#wa:1:5', sk: 'MSG#out_t_1' }))?.status).toBeUndefined();
  });
});
