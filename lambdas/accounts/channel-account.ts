import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import { accountPk } from '#lambdas/conversation/table-keys';

/**
 * The channel account registry: one item per business-side account (WhatsApp phone number,
 * Instagram professional account, Facebook Page), saying which business (tenant) owns it, where
 * its access token lives and how fast it may send. One WABA item per WhatsApp Business Account
 * holds what is shared by its numbers (token reference, webhook subscription, templates under it).
 *
 *   pk                 sk        entity          gsi1pk                gsi1sk
 *   ACCT#<account id>  ACCOUNT   ChannelAccount  BUSINESS#<business>   ACCOUNT#<channel>#<account id>
 *   WABA#<waba id>     WABA      BusinessAccount BUSINESS#<business>   WABA#<waba id>
 *
 * Account ids are Meta's: WhatsApp `phone_number_id`, Instagram account id, Page id — the ids the
 * webhooks carry in `metadata.phone_number_id` / `recipient.id`, so a lookup needs no mapping.
 */
export const CHANNEL_ACCOUNT_SK = 'ACCOUNT';
export const BUSINESS_ACCOUNT_SK = 'WABA';
export const wabaPk = (wabaId: string) => `WABA#${wabaId}`;
export const businessGsiPk = (businessId: string) => `BUSINESS#${businessId}`;
export const channelAccountGsiSk = (channel: string, accountId: string) => `ACCOUNT#${channel}#${accountId}`;
export const businessAccountGsiSk = (wabaId: string) => `WABA#${wabaId}`;

export const accountChannelSchema = z.enum(['whatsapp', 'instagram', 'messenger']);

/**
 * - `onboarding`: Embedded Signup started, not every step done; nothing is sent from it yet.
 * - `active`: serving customers.
 * - `needs_reauthorisation`: Meta refused its token (190); sends wait for a new token.
 * - `restricted` / `disabled`: Meta restricted or disabled the account (account_update).
 * - `offboarded`: removed by the platform team; its events are quarantined like an unknown account's.
 */
export const accountStatusSchema = z.enum(['onboarding', 'active', 'needs_reauthorisation', 'restricted', 'disabled', 'offboarded']);

/**
 * Which Meta API an Instagram account is served through:
 * - `messenger_platform` (the default when absent): the Messenger API for Instagram, through the
 *   Facebook Page the account is linked to, on graph.facebook.com with the Page's token;
 * - `instagram_login`: the Instagram API with Instagram Login (no Page), on graph.instagram.com
 *   with the account's own long-lived Instagram user token, refreshed before its 60 days end.
 */
export const instagramApiSchema = z.enum(['instagram_login', 'messenger_platform']);
export type InstagramApi = z.infer<typeof instagramApiSchema>;

export const channelAccountSchema = z.object({
  accountId: z.string().check(z.minLength(1)),
  channel: accountChannelSchema,
  /** The tenant: the business that owns the account. Never shown to customers. */
  businessId: z.string().check(z.minLength(1)),
  /** WhatsApp only: the WhatsApp Business Account the number belongs to. */
  wabaId: z.optional(z.string().check(z.minLength(1))),
  /**
   * Secrets Manager id (name or ARN) of the secret holding this account's access token, as
   * `{ "accessToken": "..." }`. Absent: the token is looked up by account id in the shared
   * access-token secret (single-business deployments).
   */
  tokenSecretId: z.optional(z.string().check(z.minLength(1))),
  /** Messages per second Meta allows the number; absent means Meta's default (80, or 20 for coexistence). */
  throughputPerSecond: z.optional(z.number().check(z.positive())),
  /** A WhatsApp number shared with the WhatsApp Business App. */
  coexistence: z.optional(z.boolean()),
  status: accountStatusSchema,
  displayPhoneNumber: z.optional(z.string()),
  displayName: z.optional(z.string()),
  /** WhatsApp number quality: GREEN, YELLOW, RED, UNKNOWN. */
  qualityRating: z.optional(z.string()),
  /** Instagram only: the API the account is served through; absent means `messenger_platform`. */
  api: z.optional(instagramApiSchema),
  /** Instagram Login: when the account's long-lived token expires and when it was issued (ISO times). */
  tokenExpiresAt: z.optional(z.string()),
  tokenIssuedAt: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type ChannelAccount = z.infer<typeof channelAccountSchema>;
export type AccountStatus = z.infer<typeof accountStatusSchema>;

export function channelAccountKey(accountId: string) {
  return { pk: accountPk(accountId), sk: CHANNEL_ACCOUNT_SK };
}

/** Reads one account; `undefined` when it is not registered (or the item is not a registry entry). */
export async function getChannelAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  options: { consistentRead?: boolean } = {},
): Promise<(ChannelAccount & Record<string, unknown>) | undefined> {
  const out = await db.send(new GetCommand({ TableName: tableName, Key: channelAccountKey(accountId), ConsistentRead: options.consistentRead ?? false }));
  if (!out.Item) return undefined;
  const parsed = channelAccountSchema.safeParse(out.Item);
  return parsed.success ? { ...out.Item, ...parsed.data } : undefined;
}

/**
 * Creates or updates the registry fields of an account without touching what other writers keep
 * on the same item (health from webhooks, needsReauthorisation from sends, onboarding progress).
 * `createdAt` is set once.
 */
export async function upsertChannelAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  account: Omit<ChannelAccount, 'createdAt' | 'updatedAt'>,
  now: Date = new Date(),
): Promise<void> {
  await setKeepingCreatedAt(
    db,
    tableName,
    channelAccountKey(account.accountId),
    {
      entity: 'ChannelAccount',
      gsi1pk: businessGsiPk(account.businessId),
      gsi1sk: channelAccountGsiSk(account.channel, account.accountId),
      ...account,
    },
    now,
  );
  await ensureWabaOf(db, tableName, account, now);
}

/**
 * Sets the given fields (undefined ones skipped) and `updatedAt` on one registry item, creating it
 * if needed, without touching anything else kept there; `createdAt` is set once.
 */
export async function setKeepingCreatedAt(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; sk: string },
  fields: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  const set = { ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)), updatedAt: at };
  const names: Record<string, string> = { '#createdAt': 'createdAt' };
  const values: Record<string, unknown> = { ':createdAt': at };
  const clauses = Object.entries(set).map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:f${i}`] = v;
    return `#f${i} = :f${i}`;
  });
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: `SET ${clauses.join(', ')}, #createdAt = if_not_exists(#createdAt, :createdAt)`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

async function ensureWabaOf(db: DynamoDBDocumentClient, tableName: string, account: Omit<ChannelAccount, 'createdAt' | 'updatedAt'>, now: Date): Promise<void> {
  if (account.channel !== 'whatsapp' || !account.wabaId) return;
  await ensureBusinessAccount(db, tableName, { wabaId: account.wabaId, businessId: account.businessId, status: account.status }, now);
}

/** Registers an account only if it is not there yet (seeding); an existing entry is left as is. */
export async function registerChannelAccountIfAbsent(
  db: DynamoDBDocumentClient,
  tableName: string,
  account: Omit<ChannelAccount, 'createdAt' | 'updatedAt'>,
  now: Date = new Date(),
): Promise<boolean> {
  const at = now.toISOString();
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...channelAccountKey(account.accountId),
          entity: 'ChannelAccount',
          gsi1pk: businessGsiPk(account.businessId),
          gsi1sk: channelAccountGsiSk(account.channel, account.accountId),
          ...Object.fromEntries(Object.entries(account).filter(([, v]) => v !== undefined)),
          createdAt: at,
          updatedAt: at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await ensureWabaOf(db, tableName, account, now);
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      await ensureWabaOf(db, tableName, account, now);
      return false;
    }
    throw err;
  }
}

/** The API an account is served through: Instagram Login only when the registry says so. */
export function instagramApiOf(account: Pick<ChannelAccount, 'channel' | 'api'> | undefined): InstagramApi | undefined {
  if (account?.channel !== 'instagram') return undefined;
  return account.api ?? 'messenger_platform';
}

/** Accounts that may receive and send: registered and neither offboarded nor still onboarding. */
export function isServing(account: Pick<ChannelAccount, 'status'> | undefined): boolean {
  return account !== undefined && account.status !== 'offboarded' && account.status !== 'onboarding';
}

/**
 * Name of the per-owner access-token secret created at onboarding (`{ "accessToken": "..." }`),
 * under the stack's secret name prefix (the stack name), so IAM can grant `<prefix>/account-tokens/*`.
 * The owner is the WABA for WhatsApp (one business integration token serves all its numbers) and
 * the account id for Instagram and Messenger.
 */
export const accountTokenSecretName = (secretNamePrefix: string, ownerId: string) => `${secretNamePrefix}/account-tokens/${ownerId}`;
export const ACCOUNT_TOKENS_SECRET_PATH = 'account-tokens';

/** The WhatsApp Business Account item: what its numbers share. Account-level webhooks name it. */
export const businessAccountSchema = z.object({
  wabaId: z.string().check(z.minLength(1)),
  businessId: z.string().check(z.minLength(1)),
  /** Secret of the WABA's business integration token, when onboarding created one. */
  tokenSecretId: z.optional(z.string().check(z.minLength(1))),
  /** Absent on items written before any number of the WABA was registered: taken as active. */
  status: z._default(accountStatusSchema, 'active'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type BusinessAccount = z.infer<typeof businessAccountSchema>;

export function businessAccountKey(wabaId: string) {
  return { pk: wabaPk(wabaId), sk: BUSINESS_ACCOUNT_SK };
}

/** Reads one WABA item; `undefined` when it is not registered. */
export async function getBusinessAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  wabaId: string,
  options: { consistentRead?: boolean } = {},
): Promise<(BusinessAccount & Record<string, unknown>) | undefined> {
  const out = await db.send(new GetCommand({ TableName: tableName, Key: businessAccountKey(wabaId), ConsistentRead: options.consistentRead ?? false }));
  if (!out.Item) return undefined;
  const parsed = businessAccountSchema.safeParse(out.Item);
  return parsed.success ? { ...out.Item, ...parsed.data } : undefined;
}

/**
 * Makes sure the WABA of a WhatsApp number has its item, so account-level webhooks (which name
 * the WABA, not a number) are recognised as soon as one of its numbers is registered. Fields
 * already there (status, token, owner) are kept; only a missing item is filled in.
 */
export async function ensureBusinessAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  waba: { wabaId: string; businessId: string; status?: AccountStatus; tokenSecretId?: string },
  now: Date = new Date(),
): Promise<void> {
  const at = now.toISOString();
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: businessAccountKey(waba.wabaId),
      UpdateExpression:
        'SET entity = :entity, wabaId = :wabaId, businessId = if_not_exists(businessId, :businessId), ' +
        '#status = if_not_exists(#status, :status), gsi1pk = if_not_exists(gsi1pk, :gsi1pk), gsi1sk = :gsi1sk, ' +
        'createdAt = if_not_exists(createdAt, :at), updatedAt = if_not_exists(updatedAt, :at)' +
        (waba.tokenSecretId ? ', tokenSecretId = if_not_exists(tokenSecretId, :token)' : ''),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':entity': 'BusinessAccount',
        ':wabaId': waba.wabaId,
        ':businessId': waba.businessId,
        ':status': waba.status ?? 'active',
        ':gsi1pk': businessGsiPk(waba.businessId),
        ':gsi1sk': businessAccountGsiSk(waba.wabaId),
        ':at': at,
        ...(waba.tokenSecretId ? { ':token': waba.tokenSecretId } : {}),
      },
    }),
  );
}
