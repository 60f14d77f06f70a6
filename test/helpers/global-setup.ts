import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    /** A directory for this run where end-to-end files share one synthesized assembly. */
    e2eRunDir: string;
  }
}

let dynamo: DynamoDbLocal | undefined;
let e2eRunDir: string | undefined;

/**
 * One DynamoDB Local (a JVM) for the whole test run: test files create their own tables in it.
 * Starting one JVM per file made a busy 2-core machine take minutes to bring them all up.
 */
export async function setup(project: TestProject): Promise<void> {
  dynamo = await startDynamoDbLocal({ startTimeoutMs: 180_000 });
  project.provide('dynamoDbEndpoint', dynamo.endpoint);
  // Only a directory: the assembly is synthesized by the first end-to-end file that needs it.
  e2eRunDir = mkdtempSync(join(tmpdir(), 'omnichannel-e2e-run-'));
  project.provide('e2eRunDir', e2eRunDir);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
  if (e2eRunDir) rmSync(e2eRunDir, { recursive: true, force: true });
}
