import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerChannelAccountIfAbsent } from '#lambdas/accounts/channel-account';
import { CONVERSATION_SK, conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import { templateKey } from '#lambdas/templates/template-item';
import { storedApprovedTemplates } from '#lambdas/workspace/approved-templates';
import { FEED_TTL_SECONDS, feedPk } from '#lambdas/workspace/change-feed';
import { dynamoChangeFeed } from '#lambdas/workspace/change-feed-store';
import { dynamoClosedConversationSource } from '#lambdas/workspace/closed-conversations-store';
import { dynamoConversationTagStore, MAX_CONVERSATION_TAGS } from '#lambdas/workspace/conversation-tags-store';
import { dynamoInternalNoteStore } from '#lambdas/workspace/internal-note-store';
import { dynamoMessageMediaStore } from '#lambdas/workspace/message-media-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** The workspace's stores on DynamoDB Local. */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
const KEY = 'wa:100:5511';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  await table.db.send(
    new PutCommand({ TableName: tableName, Item: { pk: conversationPk(KEY), sk: CONVERSATION_SK, entity: 'Conversation', conversationKey: KEY } }),
  );
});

describe('conversation tag store', () => {
  it('adds, removes, refuses past the cap, and knows a missing conversation', async () => {
    const tags = dynamoConversationTagStore({ db: table.db, tableName });
    expect(await tags.change(KEY, ['vip', 'envio'], [])).toEqual(['envio', 'vip']);
    expect(await tags.change(KEY, [], ['vip'])).toEqual(['envio']);
    // Removing the last one leaves no attribute, and an empty list.
    expect(await tags.change(KEY, [], ['envio'])).toEqual([]);
    expect(
      await tags.change(
        KEY,
        Array.from({ length: MAX_CONVERSATION_TAGS }, (_, i) => `t${i}`),
        [],
      ),
    ).toHaveLength(MAX_CONVERSATION_TAGS);
    expect(await tags.change(KEY, ['one-more'], [])).toBe('too_many');
    expect(await tags.change(KEY, ['t1'], [])).toBe('too_many');
    expect(await tags.change('wa:100:none', ['x'], [])).toBe('not_found');
    expect(await tags.change('wa:100:none', [], ['x'])).toBe('not_found');
    const none = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk('wa:100:none'), sk: CONVERSATION_SK } }));
    expect(none.Item).toBeUndefined();
  });
});

describe('internal note store', () => {
  it('lists the latest notes oldest first, with their authors, and expires them with the retention', async () => {
    const notes = dynamoInternalNoteStore({ db: table.db, tableName, retentionDays: 10 });
    for (let i = 0; i < 5; i++) {
      await notes.add({ noteId: `n${i}`, conversationKey: KEY, authorId: 'ana', text: `nota ${i}`, createdAt: `2026-11-21T12:00:0${i}.000Z` });
    }
    expect((await notes.list(KEY, 3)).map((n) => n.text)).toEqual(['nota 2', 'nota 3', 'nota 4']);
    expect(await notes.list('wa:100:other', 10)).toEqual([]);
    const item = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk(KEY), sk: 'INOTE#2026-11-21T12:00:00.000Z#n0' } }));
    expect(item.Item?.expiresAt).toBe(Date.parse('2026-11-21T12:00:00.000Z') / 1000 + 10 * 86_400);
    await expect(notes.add({ noteId: 'n0', conversationKey: KEY, authorId: 'x', text: 'overwrite', createdAt: '2026-11-21T12:00:00.000Z' })).rejects.toThrow();
  });
});

describe('change feed', () => {
  it('orders changes per business, expires them after a day, and hands out only settled ones', async () => {
    let now = new Date('2026-11-21T12:00:00.000Z');
    const feed = dynamoChangeFeed({ db: table.db, tableName, now: () => now });
    const a = await feed.appendChange('b1', { type: 'conversation.offered', conversationKey: KEY, agentId: 'ana', at: now.toISOString() });
    now = new Date('2026-11-21T12:00:00.500Z');
    await feed.appendChange('b1', { type: 'message.read', conversationKey: KEY, messageId: 'out_1', status: 'read', at: now.toISOString() });
    await feed.appendChange('b2', { type: 'message.read', at: now.toISOString() });
    const item = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: feedPk('b1'), sk: `2026-11-21T12:00:00.000Z#${a.changeId}` } }));
    expect(item.Item).toMatchObject({
      entity: 'WorkspaceChange',
      type: 'conversation.offered',
      expiresAt: Date.parse('2026-11-21T12:00:00.000Z') / 1000 + FEED_TTL_SECONDS,
    });

    now = new Date('2026-11-21T12:00:01.200Z');
    const first = await feed.changesSince('b1', undefined, { limit: 10, since: '2026-11-21T11:55:00.000Z' });
    expect(first.items.map((i) => i.type)).toEqual(['conversation.offered']);
    now = new Date('2026-11-21T12:00:02.000Z');
    const second = await feed.changesSince('b1', first.cursor, { limit: 10, since: 'unused' });
    expect(second.items).toEqual([expect.objectContaining({ type: 'message.read', messageId: 'out_1', status: 'read' })]);
    expect(await feed.changesSince('b1', second.cursor, { limit: 10, since: 'unused' })).toEqual({ items: [], cursor: second.cursor });
    const paged = await feed.changesSince('b1', undefined, { limit: 1, since: '2026-11-21T11:55:00.000Z' });
    expect(paged.items).toHaveLength(1);
    expect(paged.cursor).toBe(first.cursor);
  });
});

describe('closed conversations, templates and message media', () => {
  it("lists a business's accounts and a day's closed conversations of one", async () => {
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '100', channel: 'whatsapp', businessId: 'b1', wabaId: 'W1', status: 'active' });
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '17841', channel: 'instagram', businessId: 'b1', status: 'active' });
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: '200', channel: 'whatsapp', businessId: 'b2', wabaId: 'W2', status: 'active' });
    const source = dynamoClosedConversationSource({ db: table.db, tableName });
    expect((await source.accountIdsOf('b1')).sort()).toEqual(['100', '17841']);
    for (const [key, at] of [
      ['wa:100:1', '2026-11-21T10:00:00.000Z'],
      ['wa:100:2', '2026-11-21T23:59:59.999Z'],
      ['wa:100:3', '2026-11-22T00:00:00.000Z'],
    ] as const) {
      await table.db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: conversationPk(key),
            sk: CONVERSATION_SK,
            conversationKey: key,
            closedAt: at,
            closeOutcome: 'resolved',
            gsi1pk: 'ACCT#100#STATE#closed',
            gsi1sk: `${at}#${key}`,
          },
        }),
      );
    }
    const day = await source.closedBetween('100', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z', 100);
    expect(day.map((c) => c.conversationKey).sort()).toEqual(['wa:100:1', 'wa:100:2']);
    expect(await source.closedBetween('100', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z', 1)).toHaveLength(1);
  });

  it('approved templates with their variables; others left out', async () => {
    const put = (name: string, status: string, components: unknown[]) =>
      table.db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...templateKey('W1', name, 'es'),
            entity: 'Template',
            wabaId: 'W1',
            name,
            language: 'es',
            status,
            parameterFormat: 'NAMED',
            componentsJson: JSON.stringify(components),
          },
        }),
      );
    await put('pedido', 'APPROVED', [
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'Hola {{nombre}}, tu pedido {{pedido}}' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Ok' },
          { type: 'URL', text: 'Ver', url: 'https://x.example/{{1}}' },
        ],
      },
    ]);
    await put('rechazada', 'REJECTED', [{ type: 'BODY', text: 'x' }]);
    await put('sin_componentes', 'APPROVED', []);
    expect(await storedApprovedTemplates({ db: table.db, tableName }).approvedTemplates('W1')).toEqual([
      {
        name: 'pedido',
        language: 'es',
        parameterFormat: 'NAMED',
        bodyText: 'Hola {{nombre}}, tu pedido {{pedido}}',
        headerVariables: [],
        headerMedia: 'IMAGE',
        bodyVariables: ['nombre', 'pedido'],
        buttonVariables: ['1'],
      },
    ]);
    expect(await storedApprovedTemplates({ db: table.db, tableName }).approvedTemplates('W2')).toEqual([]);
  });

  it('stored attachments of a message of the conversation only', async () => {
    const media = dynamoMessageMediaStore({ db: table.db, tableName });
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: conversationPk(KEY), sk: messageSk('m1'), entity: 'Message', mediaS3Key: 'media/a-0', mediaContentType: 'audio/ogg' },
      }),
    );
    await table.db.send(new PutCommand({ TableName: tableName, Item: { pk: conversationPk(KEY), sk: messageSk('m2'), entity: 'Message', type: 'text' } }));
    expect(await media.storedAttachments(KEY, 'm1')).toEqual([{ objectKey: 'media/a-0', contentType: 'audio/ogg' }]);
    expect(await media.storedAttachments(KEY, 'm2')).toEqual([]);
    expect(await media.storedAttachments('wa:100:other', 'm1')).toBeUndefined();
  });
});
