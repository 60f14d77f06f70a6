import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedJsonSecretReader, type SecretsTarget } from '#lambdas/adapters/signed-json-secret';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';

/** The webhook's GetSecretValue without the Secrets Manager client, against the AWS emulator. */
describe('signed JSON secret reader', () => {
  let aws: AwsEmulator;
  const target = (): SecretsTarget => ({ region: aws.region, endpoint: aws.endpoint, credentials: async () => aws.clientConfig().credentials });

  beforeAll(async () => {
    aws = await startAwsEmulator();
  });
  afterAll(() => aws.close());
  afterEach(() => {
    aws.faults.clear();
    aws.calls.reset();
  });

  it('reads the secret as a JSON object, and keeps it for the instance until it is maxAge old', async () => {
    aws.secrets.putSecret('app/meta', { appSecret: 's1', verifyToken: 'v1' });
    const read = signedJsonSecretReader<{ appSecret: string; verifyToken: string }>({ target });
    await expect(read('app/meta')).resolves.toEqual({ appSecret: 's1', verifyToken: 'v1' });
    aws.secrets.putSecret('app/meta', { appSecret: 's2', verifyToken: 'v2' });
    await expect(read('app/meta')).resolves.toEqual({ appSecret: 's1', verifyToken: 'v1' });
    expect(aws.calls.get('secretsmanager', 'GetSecretValue')).toBe(1);
    // With no time to keep it, the rotated value is read.
    await expect(signedJsonSecretReader({ target, maxAgeSeconds: 0 })('app/meta')).resolves.toEqual({ appSecret: 's2', verifyToken: 'v2' });
  });

  it('retries throttling as the SDK does, and does not keep a failed read', async () => {
    aws.secrets.putSecret('app/throttled', { k: 1 });
    aws.faults.failNext('secretsmanager.GetSecretValue', { code: 'ThrottlingException', statusCode: 400, count: 2 });
    const read = signedJsonSecretReader({ target });
    await expect(read('app/throttled')).resolves.toEqual({ k: 1 });
    expect(aws.calls.get('secretsmanager', 'GetSecretValue')).toBe(3);

    aws.faults.failNext('secretsmanager.GetSecretValue', { code: 'InternalServiceError', statusCode: 500, count: 3 });
    const other = signedJsonSecretReader({ target });
    await expect(other('app/throttled')).rejects.toMatchObject({ name: 'AwsRequestError', code: 'InternalServiceError', retryable: true });
    await expect(other('app/throttled')).resolves.toEqual({ k: 1 });
  });

  it('fails at once on a missing secret, and on a value that is not a JSON object', async () => {
    const read = signedJsonSecretReader({ target });
    await expect(read('app/none')).rejects.toMatchObject({ message: 'Secrets Manager GetSecretValue failed: 400 ResourceNotFoundException', retryable: false });
    expect(aws.calls.get('secretsmanager', 'GetSecretValue')).toBe(1);
    aws.secrets.putSecret('app/text', 'not json');
    await expect(read('app/text')).rejects.toThrow('Secret app/text is not JSON');
    aws.secrets.putSecret('app/number', '42');
    await expect(read('app/number')).rejects.toThrow('Secret app/number is empty or not a JSON object');
  });
});
