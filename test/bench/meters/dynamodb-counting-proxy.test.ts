import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DynamoDbCountingProxy, startDynamoDbCountingProxy } from '#test/bench/meters/dynamodb-counting-proxy';
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

  it('bills transactions at two units per item and per 1 KB, as DynamoDB does', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName, Item: { pk: { S: 'b' } } } }, { Put: { TableName, Item: { pk: { S: 'c' } } } }],
      }),
    );
    expect(proxy.usage()).toMatchObject({ writeUnits: 4, transactionWriteUnits: 4 });

    // Three items, one of them 2.5 KB after its update: (1 + 1 + 3) units, doubled. (DynamoDB Local
    // itself reports a transaction as if it held one item.)
    proxy.reset();
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: { S: 'd' } } } },
          { Put: { TableName, Item: { pk: { S: 'e' } } } },
          { Update: { TableName, Key: { pk: { S: 'b' } }, UpdateExpression: 'SET body = :b', ExpressionAttributeValues: { ':b': { S: 'y'.repeat(2_500) } } } },
        ],
      }),
    );
    expect(proxy.usage()).toMatchObject({ writeUnits: 10, transactionWriteUnits: 10 });
  });

  it("counts the writes of a transaction's items to the table's indexes", async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'indexed',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'lsi1sk', AttributeType: 'S' },
        ],
        LocalSecondaryIndexes: [
          {
            IndexName: 'byTime',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'lsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'indexed', Item: { pk: { S: 'a' }, sk: { S: '1' }, lsi1sk: { S: 't' } } } },
          { Put: { TableName: 'indexed', Item: { pk: { S: 'a' }, sk: { S: '2' } } } },
        ],
      }),
    );
    // The first item is written to the table and its index, the second to the table only: 3 units, doubled.
    expect(proxy.usage()).toMatchObject({ writeUnits: 6, transactionWriteUnits: 6 });
  });

  it('bills a write refused by its condition and passes the refusal through', async () => {
    await expect(client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' }))).rejects.toThrow(
      /conditional/i,
    );
    expect(proxy.usage()).toMatchObject({ failedConditionalWrites: 1, writeUnits: 1 });
  });
});
