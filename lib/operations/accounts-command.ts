import { parseArgs } from 'node:util';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  accountChannelSchema,
  accountTokenSecretName,
  businessGsiPk,
  channelAccountKey,
  getChannelAccount,
  upsertChannelAccount,
  type AccountStatus,
  type ChannelAccount,
} from '#lambdas/accounts/channel-account';
import { documentClient } from '#lambdas/adapters/dynamodb';
import type { CommandIo } from '#lib/operations/redrive-command';
import { resolveTarget } from '#lib/operations/operations-target';

export const ACCOUNTS_USAGE = `npm run accounts -- <action> [--stage <stage> | --stack <name>] [--local] [--table <name>]

  list [--business <id>]      the registered channel accounts (of one business)
  show --account <id>         one account with everything kept on it (health, re-authorisation)
  register --account <id> --channel whatsapp|instagram|messenger --business <id>
           [--waba <id>] [--token-secret <id>] [--coexistence] [--throughput <n>] [--display-name <name>]
                              add or update an account that already works with the Cloud API / Messenger
                              Platform (numbers onboarded through Embedded Signup are registered by
                              npm run onboard); it is served as soon as it is registered (within a minute)
  offboard --account <id>     stop serving it: its events are quarantined from then on

  --account <id>     WhatsApp phone number id, Instagram professional account id or Facebook Page id
  --token-secret     Secrets Manager id of {"accessToken": "..."}; the functions may read only secrets
                     named <stack name>/account-tokens/* (e.g. ${accountTokenSecretName('Omnichannel-prod', '<waba id>')});
                     without it the account's entry in the shared access-token secret is used
  --table <name>     the stack's TableName output (required in AWS; locally the local cloud's table)
  --local            npm start's DynamoDB Local (http://localhost:$DYNAMODB_LOCAL_PORT, default 8000)`;

/** The table `npm start` creates (named after the template's logical id). */
export const LOCAL_TABLE_NAME = 'Table';

export interface AccountsCommandDeps {
  readonly db?: (config: DynamoDBClientConfig) => DynamoDBDocumentClient;
  readonly now?: () => Date;
}

class UsageError extends Error {}

function readAccountsArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      stage: { type: 'string' },
      stack: { type: 'string' },
      local: { type: 'boolean' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      table: { type: 'string' },
      account: { type: 'string' },
      channel: { type: 'string' },
      business: { type: 'string' },
      waba: { type: 'string' },
      'token-secret': { type: 'string' },
      coexistence: { type: 'boolean' },
      throughput: { type: 'string' },
      'display-name': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

/** `npm run accounts`: list, show, register and offboard channel accounts. Returns the exit code. */
export async function runAccountsCommand(argv: readonly string[], io: CommandIo, deps: AccountsCommandDeps = {}): Promise<number> {
  let parsed: ReturnType<typeof readAccountsArgs>;
  try {
    parsed = readAccountsArgs(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${ACCOUNTS_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (values.help || action === undefined) {
    (values.help ? io.out : io.err)(ACCOUNTS_USAGE);
    return values.help ? 0 : 2;
  }
  const target = resolveTarget(values);
  const tableName = values.table ?? (target.local ? LOCAL_TABLE_NAME : undefined);
  if (!tableName) {
    io.err('Give the table with --table <the stack’s TableName output> (or --local for npm start’s table).');
    return 2;
  }
  const clientConfig: DynamoDBClientConfig = target.local
    ? { ...target.clientConfig, endpoint: values.endpoint ?? `http://localhost:${process.env['DYNAMODB_LOCAL_PORT'] ?? '8000'}` }
    : target.clientConfig;
  const db = (deps.db ?? ((config) => documentClient(new DynamoDBClient(config))))(clientConfig);
  const now = deps.now ?? (() => new Date());
  try {
    switch (action) {
      case 'list':
        return await list(db, tableName, values.business, io);
      case 'show':
        return await show(db, tableName, need(values.account, '--account'), io);
      case 'register':
        return await register(db, tableName, values, now(), io);
      case 'offboard':
        return await offboard(db, tableName, need(values.account, '--account'), now(), io);
      default:
        throw new UsageError(`Unknown action ${JSON.stringify(action)}.`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${ACCOUNTS_USAGE}`);
      return 2;
    }
    const e = err as { name?: string; message?: string };
    io.err(`${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
    return 1;
  }
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required.`);
  return value;
}

async function register(
  db: DynamoDBDocumentClient,
  tableName: string,
  values: Record<string, string | boolean | undefined>,
  now: Date,
  io: CommandIo,
): Promise<number> {
  const accountId = need(values.account as string | undefined, '--account');
  const channel = accountChannelSchema.safeParse(values.channel);
  if (!channel.success) throw new UsageError('--channel must be whatsapp, instagram or messenger.');
  const businessId = need(values.business as string | undefined, '--business');
  const wabaId = values.waba as string | undefined;
  if (channel.data === 'whatsapp' && !wabaId) throw new UsageError('--waba is required for a WhatsApp number.');
  const throughputText = values.throughput as string | undefined;
  const throughput = throughputText === undefined ? undefined : Number(throughputText);
  if (throughput !== undefined && !(Number.isFinite(throughput) && throughput > 0))
    throw new UsageError('--throughput must be a positive number of messages per second.');

  const existing = await getChannelAccount(db, tableName, accountId, { consistentRead: true });
  if (existing && existing.businessId !== businessId) {
    io.err(`Account ${accountId} belongs to business ${existing.businessId}; offboard it there first.`);
    return 1;
  }
  const account: Omit<ChannelAccount, 'createdAt' | 'updatedAt'> = {
    accountId,
    channel: channel.data,
    businessId,
    status: existing?.status === 'onboarding' || existing?.status === 'offboarded' || !existing ? 'active' : existing.status,
    ...(wabaId ? { wabaId } : {}),
    ...(values['token-secret'] ? { tokenSecretId: values['token-secret'] as string } : {}),
    ...(values.coexistence ? { coexistence: true } : {}),
    ...(throughput !== undefined ? { throughputPerSecond: throughput } : {}),
    ...(values['display-name'] ? { displayName: values['display-name'] as string } : {}),
  };
  await upsertChannelAccount(db, tableName, account, now);
  io.out(`${existing ? 'Updated' : 'Registered'} ${channel.data} account ${accountId} of business ${businessId} (${account.status}).`);
  return 0;
}

async function offboard(db: DynamoDBDocumentClient, tableName: string, accountId: string, now: Date, io: CommandIo): Promise<number> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: channelAccountKey(accountId),
        UpdateExpression: 'SET #status = :offboarded, updatedAt = :at, offboardedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':offboarded': 'offboarded' satisfies AccountStatus, ':at': now.toISOString() },
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      io.err(`Account ${accountId} is not registered.`);
      return 1;
    }
    throw err;
  }
  io.out(`Offboarded account ${accountId}: its events are quarantined from now on (cached for up to a minute).`);
  return 0;
}

async function show(db: DynamoDBDocumentClient, tableName: string, accountId: string, io: CommandIo): Promise<number> {
  const account = await getChannelAccount(db, tableName, accountId, { consistentRead: true });
  if (!account) {
    io.err(`Account ${accountId} is not registered.`);
    return 1;
  }
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...shown } = account as Record<string, unknown>;
  io.out(JSON.stringify(shown, null, 2));
  return 0;
}

async function list(db: DynamoDBDocumentClient, tableName: string, businessId: string | undefined, io: CommandIo): Promise<number> {
  const accounts: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = businessId
      ? await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :accounts)',
            ExpressionAttributeValues: { ':pk': businessGsiPk(businessId), ':accounts': 'ACCOUNT#' },
            ExclusiveStartKey: cursor,
          }),
        )
      : await db.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: 'entity = :entity',
            ExpressionAttributeValues: { ':entity': 'ChannelAccount' },
            ExclusiveStartKey: cursor,
          }),
        );
    accounts.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  if (accounts.length === 0) {
    io.out(businessId ? `No accounts registered for business ${businessId}.` : 'No accounts registered.');
    return 0;
  }
  accounts.sort((a, b) => `${a.businessId}${a.channel}${a.accountId}`.localeCompare(`${b.businessId}${b.channel}${b.accountId}`));
  io.out(`${'business'.padEnd(20)} ${'channel'.padEnd(10)} ${'account'.padEnd(20)} ${'status'.padEnd(22)} quality  token`);
  for (const a of accounts) {
    io.out(
      `${String(a.businessId).padEnd(20)} ${String(a.channel).padEnd(10)} ${String(a.accountId).padEnd(20)} ${String(a.status).padEnd(22)} ${String(a.qualityRating ?? '-').padEnd(8)} ${a.tokenSecretId ? 'own secret' : 'shared secret'}`,
    );
  }
  return 0;
}
