import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DYNAMODB_LOCAL_HOST, type DynamoDbLocal, startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';
import { startTestTable } from '#test/helpers/dynamodb-local';

/** The machine's addresses other than loopback (IPv4 and IPv6, link-local IPv6 left out). */
function nonLoopbackAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal && !(entry.family === 'IPv6' && entry.scopeid !== 0))
    .map((entry) => entry.address);
}

/** Whether a TCP connection to `host:port` is accepted (refused or timed out counts as not). */
function accepts(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const addresses = nonLoopbackAddresses();

describe('DynamoDB Local binding', () => {
  let local: DynamoDbLocal;

  beforeAll(async () => {
    local = await startDynamoDbLocal();
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('reports listening on 127.0.0.1 at its port, and is reached there', async () => {
    expect(local.endpoint).toBe(`http://127.0.0.1:${local.port}`);
    expect(local.listeningOn).toBe(`${DYNAMODB_LOCAL_HOST}:${local.port}`);
    expect(await accepts('127.0.0.1', local.port)).toBe(true);
  });

  it.skipIf(addresses.length === 0)('is not reachable on any non-loopback address of this machine (skipped: the machine has none)', async () => {
    // The probe itself must see a port that listens on every interface, or a refusal proves nothing.
    const open: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => open.listen(0, resolve));
    const openPort = (open.address() as { port: number }).port;
    try {
      for (const address of addresses) {
        expect(await accepts(address, openPort), `probe reaches ${address}`).toBe(true);
        expect(await accepts(address, local.port), `DynamoDB Local reached on ${address}`).toBe(false);
      }
    } finally {
      await new Promise((resolve) => open.close(resolve));
    }
  });

  it('the shared instance of the test run is on 127.0.0.1 too', async () => {
    const table = await startTestTable();
    try {
      expect(new URL(table.local.endpoint).hostname).toBe(DYNAMODB_LOCAL_HOST);
      for (const address of addresses) {
        expect(await accepts(address, table.local.port), `shared DynamoDB Local reached on ${address}`).toBe(false);
      }
    } finally {
      await table.stop();
    }
  });
});
