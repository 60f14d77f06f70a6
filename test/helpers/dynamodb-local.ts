import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { createTableFromCfn } from '#lib/local-cloud/create-table';
import { type DynamoDbLocal, startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';
import { TABLE_PROPERTIES } from '#test/helpers/table-definition';

export interface TestTable {
  local: DynamoDbLocal;
  db: DynamoDBDocumentClient;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * Starts the official DynamoDB Local and creates the project's table in it. Use once per test
 * file (beforeAll/afterAll); call `newTable()` for isolation between tests.
 */
export async function startTestTable(): Promise<TestTable & { newTable(): Promise<string> }> {
  const local = await startDynamoDbLocal();
  const db = documentClient(local.client);
  const newTable = async () => {
    const name = `t-${randomUUID()}`;
    await createTableFromCfn(local.client, name, TABLE_PROPERTIES);
    return name;
  };
  const tableName = await newTable();
  return { local, db, tableName, newTable, stop: () => local.stop() };
}
