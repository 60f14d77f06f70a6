import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';

let emulator: AwsEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startAwsEmulator();
  // Handlers build their clients with no endpoint option; the environment alone must route them here.
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  Object.assign(process.env, emulator.environment());
});

afterAll(async () => {
  process.env = saved;
  await emulator.close();
});

describe('clients configured only through the environment', () => {
  it('reach every emulated service', async () => {
    const queue = emulator.sqs.createQueue('ingress.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    emulator.secrets.putSecret('app', { appSecret: 'x' });
    emulator.s3.createBucket('claims');
    emulator.sqs.createQueue('bus-copy');
    emulator.events.putTarget(emulator.events.putRule('default', 'all', { source: [{ prefix: '' }] }), { queueName: 'bus-copy' });

    const sqs = new SQSClient({});
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: [{ Id: '1', MessageBody: 'hello', MessageGroupId: 'g' }] }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: 'app' }));
    const s3 = new S3Client({});
    await s3.send(new PutObjectCommand({ Bucket: 'claims', Key: 'k', Body: 'payload' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: 'claims', Key: 'k' }));
    const put = await new EventBridgeClient({}).send(new PutEventsCommand({ Entries: [{ Source: 'io.x', DetailType: 'y', Detail: '{}' }] }));
    await emulator.events.settled();

    expect(sent.Successful).toHaveLength(1);
    expect(received.Messages?.[0]?.Body).toBe('hello');
    expect(secret.SecretString).toBe('{"appSecret":"x"}');
    expect(await object.Body?.transformToString()).toBe('payload');
    expect(put.FailedEntryCount).toBe(0);
    expect(emulator.sqs.peek('bus-copy')).toHaveLength(1);
    expect(emulator.calls.snapshot()).toMatchObject({
      'sqs.SendMessageBatch': 1,
      'sqs.ReceiveMessage': 1,
      'secretsmanager.GetSecretValue': 1,
      's3.PutObject': 1,
      's3.GetObject': 1,
      'events.PutEvents': 1,
      'events.TargetDelivery': 1,
    });
  });

  it('refuses unsigned requests', async () => {
    const res = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ __type: expect.stringContaining('MissingAuthenticationTokenException') });
  });
});
