#!/usr/bin/env node
// `npm run export`: the local table, in DynamoDB's export-to-S3 layout, under ./.local/exports/
// (or EXPORT_DIR). Needs `npm start` running (DynamoDB Local on DYNAMODB_LOCAL_PORT, default 8000).
import { resolve } from 'node:path';
import { exportTable } from '#lib/analytics/dynamodb-export';
import { localDynamoDbClient, localTableName } from '#lib/analytics/local-table';

async function main(): Promise<void> {
  const root = resolve(process.env.EXPORT_DIR ?? '.local/exports');
  const client = localDynamoDbClient();
  const tableName = await localTableName(client);
  const started = Date.now();
  const result = await exportTable({ client, tableName, root, segments: 4 });
  console.log(`Exported ${result.itemCount} items of table ${tableName} in ${Date.now() - started} ms`);
  console.log(`  ${result.exportDir}`);
  console.log(`  ${result.dataFiles.length} data files, manifest-summary.json, manifest-files.json`);
  client.destroy();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
