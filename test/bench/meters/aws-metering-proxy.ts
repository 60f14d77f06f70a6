import { createServer, request as httpRequest, type Server } from 'node:http';

/** AWS bills SQS requests and EventBridge entries per started 64 KB of payload. */
export const BILLING_CHUNK_BYTES = 64 * 1024;

/** What the functions asked of one operation, e.g. `sqs.SendMessageBatch`. */
export interface MeteredOperation {
  requests: number;
  /** Requests as billed: each started 64 KB chunk of a request's payload counts once. */
  billedRequests: number;
  /** PutEvents only: entries, and entries as billed per started 64 KB chunk of each. */
  entries: number;
  billedEntries: number;
  requestBytes: number;
}

export interface AwsMeteringProxy {
  endpoint: string;
  usage(): Record<string, MeteredOperation>;
  reset(): void;
  close(): Promise<void>;
}

const SERVICE_OF_PREFIX: Record<string, string> = {
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
  secretsmanager: 'secretsmanager',
};

/**
 * A pass-through HTTP proxy in front of the local AWS emulation that meters what the functions
 * send (payload sizes and PutEvents entries), which the emulator's call counter does not see.
 * Point functions at it with the AWS_ENDPOINT_URL_* variables.
 */
export async function startAwsMeteringProxy(options: { target: string; port?: number }): Promise<AwsMeteringProxy> {
  const target = new URL(options.target);
  let usage: Record<string, MeteredOperation> = {};

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      meter(usage, String(req.headers['x-amz-target'] ?? ''), req.method ?? 'GET', body);
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'connection') headers[k] = v;
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    usage: () => structuredClone(usage),
    reset: () => {
      usage = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function meter(usage: Record<string, MeteredOperation>, amzTarget: string, method: string, body: Buffer): void {
  const [prefix = '', operation = ''] = amzTarget.split('.');
  // Requests without X-Amz-Target are S3's REST calls.
  let service = amzTarget ? (SERVICE_OF_PREFIX[prefix] ?? prefix) : 's3';
  // FIFO queues are priced apart from standard ones.
  if (service === 'sqs' && queueUrlOf(body).endsWith('.fifo')) service = 'sqs-fifo';
  const key = amzTarget ? `${service}.${operation}` : `s3.${method}`;
  const entry = usage[key] ?? { requests: 0, billedRequests: 0, entries: 0, billedEntries: 0, requestBytes: 0 };
  usage[key] = entry;
  entry.requests++;
  entry.requestBytes += body.length;
  entry.billedRequests += Math.max(1, Math.ceil(payloadBytes(operation, body) / BILLING_CHUNK_BYTES));
  if (operation === 'PutEvents') {
    for (const { size, detailType } of putEventsEntrySizes(body)) {
      entry.entries++;
      entry.billedEntries += Math.max(1, Math.ceil(size / BILLING_CHUNK_BYTES));
      // Entries by detail type, under their own key so sums over `events.` are unchanged.
      const byType = usage[`eventtype.${detailType}`] ?? { requests: 0, billedRequests: 0, entries: 0, billedEntries: 0, requestBytes: 0 };
      usage[`eventtype.${detailType}`] = byType;
      byType.entries++;
      byType.billedEntries += Math.max(1, Math.ceil(size / BILLING_CHUNK_BYTES));
    }
  }
}

function queueUrlOf(body: Buffer): string {
  try {
    const url = (JSON.parse(body.toString('utf8')) as { QueueUrl?: unknown }).QueueUrl;
    return typeof url === 'string' ? url : '';
  } catch {
    return '';
  }
}

/** The payload SQS bills: message bodies and attributes, not the JSON envelope around them. */
function payloadBytes(operation: string, body: Buffer): number {
  if (operation !== 'SendMessage' && operation !== 'SendMessageBatch') return 0;
  try {
    const input = JSON.parse(body.toString('utf8')) as {
      MessageBody?: string;
      Entries?: Array<{ MessageBody?: string; MessageAttributes?: unknown }>;
      MessageAttributes?: unknown;
    };
    const messages = input.Entries ?? [input];
    return messages.reduce(
      (n, m) => n + Buffer.byteLength(m.MessageBody ?? '') + (m.MessageAttributes ? Buffer.byteLength(JSON.stringify(m.MessageAttributes)) : 0),
      0,
    );
  } catch {
    return body.length;
  }
}

/** EventBridge's entry size: Time (14 bytes when set), Source, DetailType, Detail and Resources as UTF-8. */
function putEventsEntrySizes(body: Buffer): Array<{ size: number; detailType: string }> {
  try {
    const input = JSON.parse(body.toString('utf8')) as {
      Entries?: Array<{ Time?: unknown; Source?: string; DetailType?: string; Detail?: string; Resources?: string[] }>;
    };
    return (input.Entries ?? []).map((e) => ({
      size:
        (e.Time !== undefined ? 14 : 0) +
        Buffer.byteLength(e.Source ?? '') +
        Buffer.byteLength(e.DetailType ?? '') +
        Buffer.byteLength(e.Detail ?? '') +
        (e.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0),
      detailType: e.DetailType ?? '?',
    }));
  } catch {
    return [{ size: body.length, detailType: '?' }];
  }
}
