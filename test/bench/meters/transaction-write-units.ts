import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/**
 * DynamoDB bills a write transaction two units per 1 KB of every item it writes, indexes included.
 * DynamoDB Local reports a transaction as if it held one item, whatever their number, so its
 * figure cannot be used. This measures each written item the way DynamoDB Local measures a single
 * write: the item as it stands after the transaction is put into a scratch copy of its table (same
 * keys and indexes) with its consumed capacity asked for, then removed again. The sum is doubled.
 */
export interface TransactionWriteUnitsOptions {
  target: URL;
  /** Headers of the client's request (its credentials choose DynamoDB Local's database). */
  headers: IncomingHttpHeaders;
}

interface TransactItem {
  Put?: { TableName: string; Item: Record<string, unknown> };
  Update?: { TableName: string; Key: Record<string, unknown> };
  Delete?: { TableName: string; Key: Record<string, unknown> };
  ConditionCheck?: { TableName: string; Key: Record<string, unknown> };
}

const scratchTables = new Map<string, Promise<string>>();

export async function transactionWriteUnits(input: { TransactItems?: TransactItem[] }, options: TransactionWriteUnitsOptions): Promise<number> {
  const call = (operation: string, body: unknown) => callDynamoDb(operation, body, options);
  let units = 0;
  for (const action of input.TransactItems ?? []) {
    let table: string;
    let item: Record<string, unknown> | undefined;
    if (action.Put) {
      table = action.Put.TableName;
      item = action.Put.Item;
    } else if (action.Update) {
      table = action.Update.TableName;
      item = (await call('GetItem', { TableName: table, Key: action.Update.Key, ConsistentRead: true })).Item as typeof item;
    } else {
      // A deletion's or a condition check's item is not measured: the minimum, one unit.
      units += 1;
      continue;
    }
    if (!item) {
      units += 1;
      continue;
    }
    const scratch = await scratchTableFor(table, call);
    const put = await call('PutItem', { TableName: scratch, Item: item, ReturnConsumedCapacity: 'TOTAL' });
    units += Number((put.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 1);
    await call('DeleteItem', { TableName: scratch, Key: keyOf(item, await keyNames(table, call)) });
  }
  return units * 2;
}

type Call = (operation: string, body: unknown) => Promise<Record<string, unknown>>;

interface TableDescription {
  KeySchema: Array<{ AttributeName: string; KeyType: string }>;
  AttributeDefinitions: unknown[];
  LocalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: unknown[]; Projection: unknown }>;
  GlobalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: unknown[]; Projection: unknown }>;
}

const descriptions = new Map<string, Promise<TableDescription>>();

function describe(table: string, call: Call): Promise<TableDescription> {
  let d = descriptions.get(table);
  if (!d) {
    d = call('DescribeTable', { TableName: table }).then((out) => out.Table as TableDescription);
    descriptions.set(table, d);
  }
  return d;
}

async function keyNames(table: string, call: Call): Promise<string[]> {
  return (await describe(table, call)).KeySchema.map((k) => k.AttributeName);
}

function keyOf(item: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((n) => [n, item[n]]));
}

function scratchTableFor(table: string, call: Call): Promise<string> {
  let created = scratchTables.get(table);
  if (!created) {
    created = (async () => {
      const d = await describe(table, call);
      const name = `${table}-capacity-probe`;
      await call('CreateTable', {
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: d.KeySchema,
        AttributeDefinitions: d.AttributeDefinitions,
        ...(d.LocalSecondaryIndexes?.length
          ? { LocalSecondaryIndexes: d.LocalSecondaryIndexes.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection })) }
          : {}),
        ...(d.GlobalSecondaryIndexes?.length
          ? { GlobalSecondaryIndexes: d.GlobalSecondaryIndexes.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection })) }
          : {}),
      }).catch((err: Error) => {
        if (!/ResourceInUse|already exists/i.test(err.message)) throw err;
      });
      return name;
    })();
    scratchTables.set(table, created);
  }
  return created;
}

function callDynamoDb(operation: string, body: unknown, options: TransactionWriteUnitsOptions): Promise<Record<string, unknown>> {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `DynamoDB_20120810.${operation}`,
    'content-length': String(payload.length),
  };
  // DynamoDB Local does not check signatures; it reads the access key to choose its database.
  if (typeof options.headers.authorization === 'string') headers.authorization = options.headers.authorization;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: options.target.hostname, port: options.target.port, method: 'POST', path: '/', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const out = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        if ((res.statusCode ?? 500) >= 300)
          reject(new Error(`${operation}: ${String(out.__type ?? res.statusCode)} ${String(out.message ?? out.Message ?? '')}`));
        else resolve(out);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
