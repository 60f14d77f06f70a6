import { randomUUID } from 'node:crypto';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { createTableFromCfn } from '#lib/local-cloud/create-table';
import { startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';
import { TABLE_PROPERTIES } from '#test/helpers/table-definition';

/** DynamoDB Local for a benchmark run outside vitest: the project's table, a fresh one per scenario. */
export async function startBenchTable() {
  const local = await startDynamoDbLocal();
  const db = documentClient(local.client);
  return {
    db,
    async newTable() {
      const name = `bench-${randomUUID()}`;
      await createTableFromCfn(local.client, name, TABLE_PROPERTIES);
      return name;
    },
    stop: () => local.stop(),
  };
}
