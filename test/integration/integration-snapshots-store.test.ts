import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONVERSATION_SK, conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import { dynamoSnapshotSource } from '#lambdas/integrations/dispatch/snapshots-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** The integration dispatcher's reads on DynamoDB Local: the Conversation and Message items as they are now. */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
const KEY = 'wa:100:5511999';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
});

const put = (Item: Record<string, unknown>) => table.db.send(new PutCommand({ TableName: tableName, Item }));

describe('integration snapshot source', () => {
  it('reads a Conversation item and a Message item, and nothing that is not one', async () => {
    await put({ pk: conversationPk(KEY), sk: CONVERSATION_SK, entity: 'Conversation', conversationKey: KEY, state: 'human' });
    await put({ pk: conversationPk(KEY), sk: messageSk('wamid.1'), entity: 'Message', messageId: 'wamid.1', text: 'Hola' });
    await put({ pk: conversationPk('wa:100:other'), sk: CONVERSATION_SK, entity: 'Something' });
    await put({ pk: conversationPk(KEY), sk: messageSk('wamid.2'), entity: 'Status' });
    const source = dynamoSnapshotSource(table.db, tableName);
    expect(await source.conversation(KEY)).toMatchObject({ entity: 'Conversation', conversationKey: KEY, state: 'human' });
    expect(await source.message(KEY, 'wamid.1')).toMatchObject({ entity: 'Message', text: 'Hola' });
    expect(await source.conversation('wa:100:other')).toBeUndefined();
    expect(await source.conversation('wa:100:none')).toBeUndefined();
    expect(await source.message(KEY, 'wamid.2')).toBeUndefined();
    expect(await source.message(KEY, 'wamid.3')).toBeUndefined();
  });
});
