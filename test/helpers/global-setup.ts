import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

let dynamo: DynamoDbLocal | undefined;

/**
 * One DynamoDB Local (a JVM) for the integration project's run: test files create their own
 * tables in it. Starting one JVM per file made a busy 2-core machine take minutes to bring them all up.
 */
export async function setup(project: TestProject): Promise<void> {
  dynamo = await startDynamoDbLocal({ startTimeoutMs: 180_000 });
  project.provide('dynamoDbEndpoint', dynamo.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}
