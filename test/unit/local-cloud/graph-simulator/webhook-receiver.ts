import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  body: any;
  raw: string;
  signature: string | undefined;
  /** Whether the signature is the HMAC-SHA256 of the raw body with the app secret. */
  signatureValid: boolean;
}

/** A tiny stand-in for the webhook endpoint: checks signatures itself, records what it got. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status the receiver answers with; tests flip it to simulate a failing endpoint. */
  respondWith: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  clear(): void;
  close(): Promise<void>;
}

function verify(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startWebhookReceiver(appSecret: string): Promise<WebhookReceiver> {
  const receiver = { received: [] as ReceivedWebhook[], respondWith: 200 } as WebhookReceiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signature = req.headers['x-hub-signature-256'] as string | undefined;
      receiver.received.push({
        body: JSON.parse(raw.toString('utf8')),
        raw: raw.toString('utf8'),
        signature,
        signatureValid: verify(raw, signature, appSecret),
      });
      res.writeHead(receiver.respondWith).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  receiver.waitFor = async (count, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (receiver.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, got ${receiver.received.length}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return receiver.received.slice(0, count);
  };
  receiver.clear = () => {
    receiver.received.length = 0;
  };
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}
