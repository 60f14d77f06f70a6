import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { ManualClock } from '#lib/local-cloud/aws/clock';

export interface EmulatorFixture {
  emulator: AwsEmulator;
  clock: ManualClock;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  secrets: SecretsManagerClient;
  s3: S3Client;
  close(): Promise<void>;
}

/** An emulator on a manual clock, with real SDK clients pointed at it (no SDK retries, so faults show). */
export async function startFixture(): Promise<EmulatorFixture> {
  const clock = new ManualClock();
  const emulator = await startAwsEmulator({ clock });
  const config = { ...emulator.clientConfig(), maxAttempts: 1 };
  const sqs = new SQSClient(config);
  const eventBridge = new EventBridgeClient(config);
  const secrets = new SecretsManagerClient(config);
  const s3 = new S3Client(config);
  return {
    emulator,
    clock,
    sqs,
    eventBridge,
    secrets,
    s3,
    async close() {
      for (const c of [sqs, eventBridge, secrets, s3]) c.destroy();
      await emulator.close();
    },
  };
}

/** Polls a condition on short real-time ticks (for asynchronous pollers and deliveries); fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
