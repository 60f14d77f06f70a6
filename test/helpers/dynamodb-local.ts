import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { createTableFromCfn } from '#lib/local-cloud/create-table';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';
import { TABLE_PROPERTIES } from '#test/helpers/table-definition';

export interface TestTable {
  local: DynamoDbLocal;
  db: DynamoDBDocumentClient;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * Creates the project's table in the official DynamoDB Local: the one the test run shares (started
 * by test/helpers/global-setup.ts), or a private one when run outside that setup. Use once per test
 * file (beforeAll/afterAll); call `newTable()` for isolation between tests.
 */
export async function startTestTable(): Promise<TestTable & { newTable(): Promise<string> }> {
  const shared = inject('dynamoDbEndpoint');
  const local: DynamoDbLocal = shared ? sharedInstance(shared) : await startDynamoDbLocal();
  const db = documentClient(local.client);
  const newTable = async () => {
    const name = `t-${randomUUID()}`;
    await createTableFromCfn(local.client, name, TABLE_PROPERTIES);
    return name;
  };
  const tableName = await newTable();
  return { local, db, tableName, newTable, stop: () => local.stop() };
}

/** The run's shared DynamoDB Local: stopping it is the global teardown's job, not a test file's. */
function sharedInstance(endpoint: string): DynamoDbLocal {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  return { endpoint, port: Number(new URL(endpoint).port), client, stop: async () => client.destroy() };
}
