import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, type DocumentClient } from '#lambdas/adapters/dynamodb';
import {
  type AccountStatus,
  type BusinessAccount,
  businessAccountGsiSk,
  businessAccountKey,
  businessAccountSchema,
  businessGsiPk,
  type ChannelAccount,
  channelAccountGsiSk,
  channelAccountKey,
  channelAccountSchema,
} from '#lambdas/accounts/channel-account';
import { accountPk } from '#lambdas/conversation/table-keys';
import { OnboardingConflictError } from '#lambdas/onboarding/errors';

/**
 * The channel account registry in the table (items and keys described in channel-account.ts):
 * reading an account or a WABA, registering and updating them, onboarding's conditional claims,
 * and the health changes Meta's webhooks bring.
 */

/** Reads one account; `undefined` when it is not registered (or the item is not a registry entry). */
export async function getChannelAccount(
  db: DocumentClient,
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
  db: DocumentClient,
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
  db: DocumentClient,
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

async function ensureWabaOf(db: DocumentClient, tableName: string, account: Omit<ChannelAccount, 'createdAt' | 'updatedAt'>, now: Date): Promise<void> {
  if (account.channel !== 'whatsapp' || !account.wabaId) return;
  await ensureBusinessAccount(db, tableName, { wabaId: account.wabaId, businessId: account.businessId, status: account.status }, now);
}

/** Registers an account only if it is not there yet (seeding); an existing entry is left as is. */
export async function registerChannelAccountIfAbsent(
  db: DocumentClient,
  tableName: string,
  account: Omit<ChannelAccount, 'createdAt' | 'updatedAt'>,
  now: Date = new Date(),
): Promise<boolean> {
  const at = now.toISOString();
  const registered = await conditionalWrite(
    db.send(
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
    ),
  );
  await ensureWabaOf(db, tableName, account, now);
  return registered;
}

/** Reads one WABA item; `undefined` when it is not registered. */
export async function getBusinessAccount(
  db: DocumentClient,
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
  db: DocumentClient,
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

// ---------------------------------------------------------------------------------------------
// Onboarding's writes: conditional on the item being nobody's yet or already the business's.
// ---------------------------------------------------------------------------------------------

export interface BusinessAccountFields {
  wabaId: string;
  businessId: string;
  tokenSecretId?: string;
  /** Our app is subscribed to the WABA's webhooks. */
  subscribed?: boolean;
}

/**
 * Updates the WABA item of the registry (`WABA#<waba id>` / `WABA`) with the fields onboarding
 * knows, leaving what other writers keep there (templates) untouched. Only the business that owns
 * the item (or nobody yet) may write it: the write is conditional, never a read then a write.
 */
export async function upsertBusinessAccount(db: DocumentClient, tableName: string, fields: BusinessAccountFields, now: Date = new Date()): Promise<void> {
  const at = now.toISOString();
  const set = Object.entries({
    entity: 'BusinessAccount',
    gsi1pk: businessGsiPk(fields.businessId),
    gsi1sk: businessAccountGsiSk(fields.wabaId),
    wabaId: fields.wabaId,
    tokenSecretId: fields.tokenSecretId,
    subscribed: fields.subscribed,
    updatedAt: at,
  }).filter(([, v]) => v !== undefined);
  const written = await conditionalWrite(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: businessAccountKey(fields.wabaId),
        UpdateExpression: `SET businessId = :mine, ${set.map((_, i) => `#f${i} = :f${i}`).join(', ')}, createdAt = if_not_exists(createdAt, :at)`,
        ConditionExpression: 'attribute_not_exists(pk) OR businessId = :mine',
        ExpressionAttributeNames: Object.fromEntries(set.map(([k], i) => [`#f${i}`, k])),
        ExpressionAttributeValues: { ':mine': fields.businessId, ':at': at, ...Object.fromEntries(set.map(([, v], i) => [`:f${i}`, v])) },
      }),
    ),
  );
  if (!written) throw new OnboardingConflictError(`WhatsApp Business Account ${fields.wabaId} belongs to another business`);
}

/*
 * The registry claims of onboarding: the items of the accounts a business proved it may onboard
 * become that business's, in one transaction whose every write is conditional on the item being
 * absent or already the business's (`attribute_not_exists(pk) OR businessId = :mine`). A claim
 * never reads first: two businesses racing for the same account cannot both win, and a refused
 * claim changes nothing. Only after the claim succeeds does onboarding write the token secret.
 */

const OWNED_BY_NOBODY_OR_ME = 'attribute_not_exists(pk) OR businessId = :mine';

/** Claims a WhatsApp number and its WABA for a business; a new number waits in `onboarding`. */
export async function claimWhatsAppNumber(
  db: DocumentClient,
  tableName: string,
  claim: { businessId: string; wabaId: string; phoneNumberId: string; coexistence: boolean },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await transact(
    db,
    [
      {
        Update: {
          TableName: tableName,
          Key: businessAccountKey(claim.wabaId),
          UpdateExpression:
            'SET entity = :entity, wabaId = :wabaId, businessId = :mine, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
            '#status = if_not_exists(#status, :onboarding), createdAt = if_not_exists(createdAt, :at), updatedAt = :at',
          ConditionExpression: OWNED_BY_NOBODY_OR_ME,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':entity': 'BusinessAccount',
            ':wabaId': claim.wabaId,
            ':mine': claim.businessId,
            ':gsi1pk': businessGsiPk(claim.businessId),
            ':gsi1sk': businessAccountGsiSk(claim.wabaId),
            ':onboarding': 'onboarding',
            ':at': at,
          },
        },
      },
      channelAccountClaim(
        tableName,
        { accountId: claim.phoneNumberId, channel: 'whatsapp', businessId: claim.businessId, extra: { wabaId: claim.wabaId, coexistence: claim.coexistence } },
        at,
      ),
    ],
    [`WhatsApp Business Account ${claim.wabaId} belongs to another business`, `number ${claim.phoneNumberId} belongs to another business`],
  );
  await markOnboardingUnlessActive(db, tableName, claim.phoneNumberId, claim.businessId, at);
}

/**
 * Claims an Instagram account for a business, refusing when its Page is registered (as a Messenger
 * account) to another business.
 */
export async function claimInstagramAccount(
  db: DocumentClient,
  tableName: string,
  claim: { businessId: string; pageId: string; instagramAccountId: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await transact(
    db,
    [
      {
        ConditionCheck: {
          TableName: tableName,
          Key: channelAccountKey(claim.pageId),
          ConditionExpression: OWNED_BY_NOBODY_OR_ME,
          ExpressionAttributeValues: { ':mine': claim.businessId },
        },
      },
      channelAccountClaim(tableName, { accountId: claim.instagramAccountId, channel: 'instagram', businessId: claim.businessId, extra: {} }, at),
    ],
    [`Page ${claim.pageId} belongs to another business`, `Instagram account ${claim.instagramAccountId} belongs to another business`],
  );
  await markOnboardingUnlessActive(db, tableName, claim.instagramAccountId, claim.businessId, at);
}

/**
 * Claims an Instagram account onboarded through Instagram Login (no Page): its registry item only,
 * refused when another business holds it, whichever API that business connected it through.
 */
export async function claimInstagramLoginAccount(
  db: DocumentClient,
  tableName: string,
  claim: { businessId: string; instagramAccountId: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await transact(
    db,
    [channelAccountClaim(tableName, { accountId: claim.instagramAccountId, channel: 'instagram', businessId: claim.businessId, extra: {} }, at)],
    [`Instagram account ${claim.instagramAccountId} belongs to another business`],
  );
  await markOnboardingUnlessActive(db, tableName, claim.instagramAccountId, claim.businessId, at);
}

function channelAccountClaim(
  tableName: string,
  account: { accountId: string; channel: 'whatsapp' | 'instagram'; businessId: string; extra: Record<string, string | boolean> },
  at: string,
) {
  const extra = Object.entries(account.extra);
  return {
    Update: {
      TableName: tableName,
      Key: channelAccountKey(account.accountId),
      UpdateExpression:
        'SET entity = :entity, accountId = :accountId, channel = :channel, businessId = :mine, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
        extra.map((_, i) => `#x${i} = :x${i}, `).join('') +
        '#status = if_not_exists(#status, :onboarding), createdAt = if_not_exists(createdAt, :at), updatedAt = :at',
      ConditionExpression: OWNED_BY_NOBODY_OR_ME,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(extra.map(([k], i) => [`#x${i}`, k])) },
      ExpressionAttributeValues: {
        ':entity': 'ChannelAccount',
        ':accountId': account.accountId,
        ':channel': account.channel,
        ':mine': account.businessId,
        ':gsi1pk': businessGsiPk(account.businessId),
        ':gsi1sk': channelAccountGsiSk(account.channel, account.accountId),
        ':onboarding': 'onboarding',
        ':at': at,
        ...Object.fromEntries(extra.map(([, v], i) => [`:x${i}`, v])),
      },
    },
  };
}

/**
 * An account the business had before that is not serving (offboarded, waiting for a new token,
 * restricted) is `onboarding` until activation; an active one keeps serving while its token is renewed.
 */
async function markOnboardingUnlessActive(db: DocumentClient, tableName: string, accountId: string, businessId: string, at: string): Promise<void> {
  await conditionalWrite(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: channelAccountKey(accountId),
        UpdateExpression: 'SET #status = :onboarding, updatedAt = :at',
        ConditionExpression: 'businessId = :mine AND #status <> :active AND #status <> :onboarding',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':mine': businessId, ':active': 'active', ':onboarding': 'onboarding', ':at': at },
      }),
    ),
  );
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Runs the claim; a refused condition is the other business's ownership, named by item. */
async function transact(db: DocumentClient, items: TransactItems, refusals: readonly string[]): Promise<void> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (err) {
    const reasons = (err as { name?: string; CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    if ((err as { name?: string }).name !== 'TransactionCanceledException') throw err;
    const refused = (reasons ?? []).map((r, i) => (r?.Code === 'ConditionalCheckFailed' ? refusals[i] : undefined)).filter((m): m is string => m !== undefined);
    if (refused.length > 0) throw new OnboardingConflictError(refused.join('; '));
    if (!reasons && /ConditionalCheckFailed/.test((err as Error).message ?? '')) throw new OnboardingConflictError(refusals.join(' or '));
    // Cancelled for another reason (a concurrent transaction on the same items): let the run fail and be re-run.
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Health: what Meta's account, quality and name webhooks say, kept on the registry items.
// ---------------------------------------------------------------------------------------------

export type RegistryKey = { pk: string; sk: string };

/** One kind of health change: the attribute holding its version, what it sets and removes. */
export interface HealthChange {
  versionAttribute: string;
  set: Record<string, string | number | boolean>;
  remove?: string[];
}

/** The statuses Meta's verdict moves an account between; any other status is kept. */
export type MetaDecidedStatus = 'active' | 'restricted' | 'disabled';

/** The registry as the account-health use case reads and writes it. */
export interface AccountHealthStore {
  /** The stored notification (`ACCT#<account>` / `NOTE#<event id>`) the health event names. */
  notification(accountId: string, eventId: string): Promise<Record<string, unknown> | undefined>;
  findAccount(accountId: string): Promise<ChannelAccount | undefined>;
  findWaba(wabaId: string): Promise<BusinessAccount | undefined>;
  /** The WhatsApp numbers of a WABA, from its business's accounts on the by-business index, a page at a time. */
  wabaNumberPages(businessId: string, wabaId: string): AsyncGenerator<Array<Record<string, unknown>>>;
  /**
   * Applies one change to an existing registry item only when it is newer than the one there
   * (then moves `healthUpdatedAt` forward); false when stale or when the item is not there.
   */
  applyHealthChange(key: RegistryKey, change: HealthChange, version: string, occurredAt: string): Promise<boolean>;
  /**
   * Moves the status to Meta's verdict, only while the item's standing is still `version` and its
   * status one Meta decides (active, restricted, disabled). Nothing happens otherwise.
   */
  followStanding(key: RegistryKey, version: string, status: MetaDecidedStatus): Promise<void>;
}

export function createAccountHealthStore(db: DocumentClient, tableName: string): AccountHealthStore {
  return {
    async notification(accountId, eventId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(accountId), sk: `NOTE#${eventId}` } }));
      return out.Item;
    },
    findAccount: (accountId) => getChannelAccount(db, tableName, accountId),
    findWaba: (wabaId) => getBusinessAccount(db, tableName, wabaId),
    async *wabaNumberPages(businessId, wabaId) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
            FilterExpression: 'wabaId = :waba',
            ExpressionAttributeValues: { ':pk': businessGsiPk(businessId), ':prefix': 'ACCOUNT#whatsapp#', ':waba': wabaId },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        yield page.Items ?? [];
        start = page.LastEvaluatedKey;
      } while (start);
    },
    async applyHealthChange(key, change, version, occurredAt) {
      const names: Record<string, string> = { '#v': change.versionAttribute, '#pk': 'pk' };
      const values: Record<string, unknown> = { ':v': version };
      const sets = ['#v = :v'];
      Object.entries(change.set).forEach(([name, value], i) => {
        names[`#s${i}`] = name;
        values[`:s${i}`] = value;
        sets.push(`#s${i} = :s${i}`);
      });
      const removes = (change.remove ?? [])
        .filter((r) => !(r in change.set))
        .map((name, i) => {
          names[`#r${i}`] = name;
          return `#r${i}`;
        });
      const applied = await conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            // The item must be a registry entry already: health never creates an account.
            ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#v) OR #v < :v)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      if (!applied) return false;
      // `healthUpdatedAt`: the time of the newest health change of any kind on the item.
      await conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET healthUpdatedAt = :t',
            ConditionExpression: 'attribute_not_exists(healthUpdatedAt) OR healthUpdatedAt < :t',
            ExpressionAttributeValues: { ':t': occurredAt },
          }),
        ),
      );
      return true;
    },
    async followStanding(key, version, status) {
      await conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET #status = :status',
            ConditionExpression: '#v = :v AND #status IN (:active, :restricted, :disabled)',
            ExpressionAttributeNames: { '#status': 'status', '#v': 'standingVersion' },
            ExpressionAttributeValues: { ':status': status, ':v': version, ':active': 'active', ':restricted': 'restricted', ':disabled': 'disabled' },
          }),
        ),
      );
    },
  };
}
