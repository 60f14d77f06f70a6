import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import { LOCAL_DEFAULTS } from '#lib/local-cloud/start-local-cloud';

/** The DynamoDB Local of `npm start` (DYNAMODB_LOCAL_PORT, default 8000). */
export function localDynamoDbClient(): DynamoDBClient {
  const port = process.env.DYNAMODB_LOCAL_PORT || String(LOCAL_DEFAULTS.dynamoDbPort);
  return new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
}

/** TABLE_NAME when set, else the one table the local cloud created. */
export async function localTableName(client: DynamoDBClient): Promise<string> {
  if (process.env.TABLE_NAME) return process.env.TABLE_NAME;
  const names = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  if (names.length === 1) return names[0]!;
  if (names.includes('Table')) return 'Table';
  throw new Error(`DynamoDB Local has ${names.length} tables (${names.join(', ')}); set TABLE_NAME`);
}
