import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialsTreatedAsExpired, defaultProvider } from '#lambdas/adapters/lambda-credential-provider';

const VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_PROFILE',
];

describe('Lambda credential provider (bundled in place of the SDK default chain)', () => {
  let server: Server;
  let uri: string;
  const expiration = new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ AccessKeyId: 'AKIDCONTAINER', SecretAccessKey: 'container-secret', Token: 'container-token', Expiration: expiration }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => vi.unstubAllEnvs());

  function clearEnvironment(): void {
    for (const name of VARIABLES) vi.stubEnv(name, undefined);
  }

  it('uses the role credentials Lambda puts in the environment', async () => {
    clearEnvironment();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'env-token');
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'AKIDENV', secretAccessKey: 'env-secret', sessionToken: 'env-token' });
  });

  it('falls back to a container credentials endpoint', async () => {
    clearEnvironment();
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', uri);
    const credentials = await defaultProvider()();
    expect(credentials).toMatchObject({ accessKeyId: 'AKIDCONTAINER', secretAccessKey: 'container-secret', sessionToken: 'container-token' });
    expect(credentials.expiration?.toISOString()).toBe(expiration);
  });

  it('fails plainly when there is neither', async () => {
    clearEnvironment();
    await expect(defaultProvider()()).rejects.toThrow('No AWS credentials');
  });

  it('treats credentials expiring within five minutes as expired, like the SDK', () => {
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(Date.now() + 60_000) })).toBe(true);
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(Date.now() + 600_000) })).toBe(false);
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 'b' })).toBe(false);
  });
});
