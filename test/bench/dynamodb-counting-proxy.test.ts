import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DynamoDbCountingProxy, startDynamoDbCountingProxy } from '#lib/local-cloud/dynamodb-counting-proxy';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';

let local: DynamoDbLocal;
let proxy: DynamoDbCountingProxy;
let client: DynamoDBClient;
const TableName = 'counted';

beforeAll(async () => {
  local = await startDynamoDbLocal();
  proxy = await startDynamoDbCountingProxy({ target: local.endpoint });
  client = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    }),
  );
});
afterAll(async () => {
  await proxy?.close();
  await local?.stop();
});
beforeEach(() => proxy.reset());

describe('DynamoDB counting proxy', () => {
  it('sums write units by item size and read units by consistency, leaving answers intact', async () => {
    const put = await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, body: { S: 'x'.repeat(5_000) } } }));
    // The caller did not ask for capacity; it receives DynamoDB's answer as DynamoDB Local gave it.
    expect(put.$metadata.httpStatusCode).toBe(200);
    const eventual = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } }));
    await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } }, ConsistentRead: true }));
    expect(eventual.Item?.body?.S).toHaveLength(5_000);
    expect(proxy.usage()).toMatchObject({ requests: { PutItem: 1, GetItem: 2 }, writeUnits: 5, readUnits: 1 + 2 });
  });

  it('bills transactions at two units per item, as DynamoDB does', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName, Item: { pk: { S: 'b' } } } }, { Put: { TableName, Item: { pk: { S: 'c' } } } }],
      }),
    );
    expect(proxy.usage()).toMatchObject({ writeUnits: 4, transactionWriteUnits: 4 });
  });

  it('bills a write refused by its condition and passes the refusal through', async () => {
    await expect(
      client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' })),
    ).rejects.toThrow(/conditional/i);
    expect(proxy.usage()).toMatchObject({ failedConditionalWrites: 1, writeUnits: 1 });
  });
});
