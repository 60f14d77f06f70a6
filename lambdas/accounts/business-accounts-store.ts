import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accountChannelSchema, businessGsiPk, CHANNEL_ACCOUNT_SK, channelAccountGsiSk } from '#lambdas/accounts/channel-account';
import { accountPk } from '#lambdas/conversation/table-keys';
import { InvalidAccountsCursorError } from '#lambdas/accounts/errors';

export type AccountChannel = 'whatsapp' | 'instagram' | 'messenger';

export interface BusinessAccountsPage {
  /** Registry items (ChannelAccount, with what other writers keep on them), by channel then id. */
  items: Array<Record<string, unknown> & { accountId: string; channel: AccountChannel }>;
  /** Where the next page starts; absent on the last page. */
  cursor?: string;
}

/** `ACCOUNT#<channel>#<account id>`: the by-business index's sort key of a channel account. */
const GSI_SK = /^ACCOUNT#(whatsapp|instagram|messenger)#([^#]{1,200})$/;

/**
 * The business's channel accounts through the registry's by-business index (gsi1:
 * `BUSINESS#<business>` / `ACCOUNT#<channel>#<account id>`), a page at a time. The WABA items
 * share the partition under `WABA#` and are not read.
 */
export async function listBusinessAccounts(
  deps: { db: DynamoDBDocumentClient; tableName: string },
  businessId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<BusinessAccountsPage> {
  const startKey = page.cursor === undefined ? undefined : startKeyOf(businessId, page.cursor);
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':pk': businessGsiPk(businessId), ':prefix': 'ACCOUNT#' },
      Limit: page.limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  const items: BusinessAccountsPage['items'] = [];
  for (const item of out.Items ?? []) {
    const channel = accountChannelSchema.safeParse(item.channel);
    if (item.entity !== 'ChannelAccount' || typeof item.accountId !== 'string' || !channel.success) continue;
    items.push({ ...item, accountId: item.accountId, channel: channel.data });
  }
  const last = out.LastEvaluatedKey?.gsi1sk;
  return { items, ...(typeof last === 'string' && GSI_SK.test(last) ? { cursor: Buffer.from(last, 'utf8').toString('base64url') } : {}) };
}

function startKeyOf(businessId: string, cursor: string): Record<string, string> {
  const gsi1sk = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = GSI_SK.exec(gsi1sk);
  if (!match) throw new InvalidAccountsCursorError('not a cursor from a previous page');
  return { pk: accountPk(match[2]!), sk: CHANNEL_ACCOUNT_SK, gsi1pk: businessGsiPk(businessId), gsi1sk: channelAccountGsiSk(match[1]!, match[2]!) };
}
export { InvalidAccountsCursorError } from '#lambdas/accounts/errors';
