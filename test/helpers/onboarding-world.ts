import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { secretsManagerTokenStore } from '#lambdas/onboarding/account-token-store';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { dynamoOnboardingStores } from '#lambdas/onboarding/onboarding-stores';

export const ONBOARDING_TEST_APP = { appId: '900000000000001', appSecret: 'local-app-secret' };

export interface OnboardingWorld {
  readonly table: TestTable & { newTable(): Promise<string> };
  readonly aws: AwsEmulator;
  readonly sim: GraphSimulator;
  /** Fresh for each test: a new table, the simulator's Graph API, the emulator's Secrets Manager. */
  readonly deps: OnboardingDeps;
  /** This test's table. */
  readonly tableName: string;
  /** The simulator's onboarding control routes (`/_sim/onboarding/<path>`), expecting 200. */
  control<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

/**
 * What onboarding's integration tests run against: DynamoDB Local, the AWS emulator's Secrets
 * Manager and the Graph simulator, which accepts only the local default token, so onboarding must
 * use the tokens its code exchanges hand out. Registers the file's set-up and tear-down hooks.
 */
export function useOnboardingWorld(secretNamePrefix: string): OnboardingWorld {
  let table: OnboardingWorld['table'];
  let aws: AwsEmulator;
  let sim: GraphSimulator;
  let secrets: SecretsManagerClient;
  let deps: OnboardingDeps;
  let tableName: string;

  beforeAll(async () => {
    table = await startTestTable();
    aws = await startAwsEmulator();
    secrets = new SecretsManagerClient(aws.clientConfig());
    sim = await startGraphSimulator({ port: 0, accessTokens: ['local-access-token'], statusDelaysMs: { sent: 10, delivered: 10, read: false } });
  });
  afterAll(async () => {
    secrets?.destroy();
    await sim?.close();
    await aws?.close();
    await table?.stop();
  });
  beforeEach(async () => {
    tableName = await table.newTable();
    deps = {
      ...dynamoOnboardingStores(table.db, tableName),
      graph: createOnboardingGraph({ baseUrl: sim.url, version: GRAPH_API_VERSION }),
      tokens: secretsManagerTokenStore(secrets),
      app: async () => ONBOARDING_TEST_APP,
      secretNamePrefix,
      now: () => new Date(),
      newPin: () => '135790',
    };
  });

  return {
    get table() {
      return table;
    },
    get aws() {
      return aws;
    },
    get sim() {
      return sim;
    },
    get deps() {
      return deps;
    },
    get tableName() {
      return tableName;
    },
    async control<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${sim.url}/_sim/onboarding/${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    },
  };
}
