import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { transactionWriteUnits } from '#test/bench/meters/transaction-write-units';

/**
 * Capacity DynamoDB would bill for the requests that passed through the proxy. On-demand tables
 * bill read and write request units; one unit here is one unit there.
 */
export interface DynamoDbUsage {
  /** Requests by operation (`PutItem`, `TransactWriteItems`, …), failed ones included. */
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** Part of readUnits/writeUnits that came from transactions (already doubled when asked to). */
  transactionReadUnits: number;
  transactionWriteUnits: number;
  /** Conditional writes refused by their condition: DynamoDB still bills them (estimated, see below). */
  failedConditionalWrites: number;
  canceledTransactions: number;
  /**
   * Write units by request and item kind, e.g. `UpdateItem CONV/MSG` (key prefixes before the first
   * `#`): where the writes go, for deciding what to make cheaper.
   */
  writeUnitsByKind: Record<string, number>;
}

export interface DynamoDbCountingProxy {
  endpoint: string;
  usage(): DynamoDbUsage;
  reset(): void;
  close(): Promise<void>;
}

export interface DynamoDbCountingProxyOptions {
  /** DynamoDB Local's endpoint, e.g. http://127.0.0.1:8000. Requests are forwarded there unchanged but for one field. */
  target: string;
  port?: number;
  /**
   * Transactions cost two units per item read or written (prepare and commit). DynamoDB Local
   * reports single units for them, so the proxy doubles what it reports. Default true.
   */
  doubleTransactions?: boolean;
}

const OPERATIONS_WITH_CAPACITY = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);
const TRANSACTIONS = new Set(['TransactGetItems', 'TransactWriteItems', 'ExecuteTransaction']);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/**
 * An HTTP proxy in front of DynamoDB Local that asks for `ReturnConsumedCapacity: TOTAL` on every
 * request and sums what comes back, so a local run can be priced like the real table. Responses
 * are passed back byte for byte (an extra ConsumedCapacity field is harmless to every client).
 * Point functions at it with AWS_ENDPOINT_URL_DYNAMODB.
 */
export async function startDynamoDbCountingProxy(options: DynamoDbCountingProxyOptions): Promise<DynamoDbCountingProxy> {
  const target = new URL(options.target);
  const double = options.doubleTransactions ?? true;
  let usage = emptyUsage();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'Unknown';
      usage.requests[operation] = (usage.requests[operation] ?? 0) + 1;
      const { body, input } = withCapacityRequested(Buffer.concat(chunks), operation);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...forwardable(req.headers), 'content-length': String(body.length) },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const bytes = Buffer.concat(parts);
            const pass = () => {
              res.writeHead(answer.statusCode ?? 500, answer.headers);
              res.end(bytes);
            };
            if (operation === 'TransactWriteItems' && answer.statusCode === 200 && input) {
              // DynamoDB Local's own figure for a transaction counts one item; measure each instead.
              transactionWriteUnits(input, { target, headers: req.headers }).then(
                (units) => {
                  const billed = double ? units : units / 2;
                  usage.writeUnits += billed;
                  usage.transactionWriteUnits += billed;
                  addByKind(usage, operation, input, billed);
                  pass();
                },
                () => {
                  account(usage, operation, input, 200, bytes, double);
                  pass();
                },
              );
              return;
            }
            account(usage, operation, input, answer.statusCode ?? 500, bytes, double);
            pass();
          });
          answer.on('error', () => res.destroy());
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazon.coral.service#InternalFailure', message: `proxy: ${err.message}` }));
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
      usage = emptyUsage();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function emptyUsage(): DynamoDbUsage {
  return {
    requests: {},
    readUnits: 0,
    writeUnits: 0,
    transactionReadUnits: 0,
    transactionWriteUnits: 0,
    failedConditionalWrites: 0,
    canceledTransactions: 0,
    writeUnitsByKind: {},
  };
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k === 'content-length' || k === 'host' || k === 'connection') continue;
    out[k] = v;
  }
  return out;
}

function withCapacityRequested(raw: Buffer, operation: string): { body: Buffer; input: Record<string, unknown> | undefined } {
  if (!OPERATIONS_WITH_CAPACITY.has(operation)) return { body: raw, input: undefined };
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { body: raw, input: undefined };
  }
  if (input.ReturnConsumedCapacity === undefined || input.ReturnConsumedCapacity === 'NONE') input.ReturnConsumedCapacity = 'TOTAL';
  // DynamoDB Local does not check request signatures, so the changed body is accepted as it is.
  return { body: Buffer.from(JSON.stringify(input)), input };
}

function account(usage: DynamoDbUsage, operation: string, input: Record<string, unknown> | undefined, status: number, bytes: Buffer, double: boolean): void {
  let answer: { ConsumedCapacity?: Capacity | Capacity[]; __type?: string };
  try {
    answer = JSON.parse(bytes.toString('utf8')) as typeof answer;
  } catch {
    return;
  }
  const transaction = TRANSACTIONS.has(operation);
  if (status === 200) {
    const consumed = answer.ConsumedCapacity === undefined ? [] : [answer.ConsumedCapacity].flat();
    let read = 0;
    let write = 0;
    for (const c of consumed) {
      if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
        read += c.ReadCapacityUnits ?? 0;
        write += c.WriteCapacityUnits ?? 0;
      } else if (READS.has(operation)) {
        read += c.CapacityUnits ?? 0;
      } else {
        write += c.CapacityUnits ?? 0;
      }
    }
    const factor = transaction && double ? 2 : 1;
    usage.readUnits += read * factor;
    usage.writeUnits += write * factor;
    if (write > 0) addByKind(usage, operation, input, write * factor);
    if (transaction) {
      usage.transactionReadUnits += read * factor;
      usage.transactionWriteUnits += write * factor;
    }
    return;
  }
  // Failed requests report no capacity. DynamoDB bills a write refused by its condition (at least
  // one unit), and a canceled transaction for the items it prepared; both are estimated at the
  // minimum: one unit per write, two per transaction item.
  const type = answer.__type ?? '';
  if (type.endsWith('ConditionalCheckFailedException')) {
    usage.failedConditionalWrites++;
    usage.writeUnits += 1;
    addByKind(usage, `${operation} refused`, input, 1);
  } else if (type.endsWith('TransactionCanceledException')) {
    usage.canceledTransactions++;
    const items = Array.isArray(input?.TransactItems) ? input.TransactItems.length : 1;
    const units = items * (double ? 2 : 1);
    if (operation === 'TransactGetItems') {
      usage.readUnits += units;
      usage.transactionReadUnits += units;
    } else {
      usage.writeUnits += units;
      usage.transactionWriteUnits += units;
    }
  }
}

/** `PutItem CONV/MSG`: the operation and the key prefixes of the item(s) it wrote. */
function addByKind(usage: DynamoDbUsage, operation: string, input: Record<string, unknown> | undefined, units: number): void {
  const kind = `${operation} ${itemKinds(input).join('+') || '?'}`;
  usage.writeUnitsByKind[kind] = (usage.writeUnitsByKind[kind] ?? 0) + units;
}

function itemKinds(input: Record<string, unknown> | undefined): string[] {
  if (!input) return [];
  // The constant part of a key (`CONV`, `MSG`, `ENDWATCH`); a key that is an id throughout (an
  // end-watch item's conversation key) is shown as `<id>`, so that items of one kind add up.
  const prefix = (v: unknown) => {
    const head = ((v as { S?: string } | undefined)?.S ?? '').split('#')[0] ?? '';
    return /^[A-Z_]*$/.test(head) ? head : '<id>';
  };
  const kindOf = (key: Record<string, unknown> | undefined) => (key ? `${prefix(key.pk)}/${prefix(key.sk)}` : '?');
  if (Array.isArray(input.TransactItems)) {
    return (input.TransactItems as Array<Record<string, { Key?: Record<string, unknown>; Item?: Record<string, unknown> }>>).map((action) => {
      const inner = Object.values(action)[0];
      return `${Object.keys(action)[0] ?? '?'}:${kindOf(inner?.Item ?? inner?.Key)}`;
    });
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') return ['batch'];
  return [kindOf((input.Item ?? input.Key) as Record<string, unknown> | undefined)];
}
