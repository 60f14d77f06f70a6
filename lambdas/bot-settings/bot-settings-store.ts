import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancelledOnlyByConditions } from '#lambdas/adapters/dynamodb';
import { parseBusinessFlows, type BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { BotSettingsConflictError, StoredBotSettingsInvalidError } from '#lambdas/bot-settings/errors';

/**
 * Each business's bot settings (greeting, menu, FAQ, hours, handoff and opt-out words, CSAT texts,
 * the assistant's use case), versioned, in the single table:
 *
 *   pk                    sk                  entity              holds
 *   BUSINESS#<business>   BOT#CURRENT         BotSettings         the current version: number, settings, who, when
 *   BUSINESS#<business>   BOT#v<0000000001>   BotSettingsVersion  one version as it was saved (kept for good)
 *
 * A save writes version n+1 and moves BOT#CURRENT to it in one transaction, on condition that the
 * version item is new and BOT#CURRENT still holds version n (or is absent, for the first): two
 * saves racing from the same version cannot both win, and a save made from a stale version is
 * refused rather than silently overwriting what someone else saved. The current item carries a
 * copy of the settings so the agent reads one item. Versions sort by sk (zero-padded), newest first
 * when read backwards. Items have no `expiresAt`: the history is the audit trail of the bot's words.
 *
 * The registry's business id is the key (the registry's GSI uses `BUSINESS#<business>` as gsi1pk,
 * a different key space; no table item has it as pk but these).
 */
export const botSettingsPk = (businessId: string) => `BUSINESS#${businessId}`;
export const BOT_SETTINGS_CURRENT_SK = 'BOT#CURRENT';
const VERSION_SK_PREFIX = 'BOT#v';
const VERSION_DIGITS = 10;
export const MAX_BOT_SETTINGS_VERSION = 10 ** VERSION_DIGITS - 1;
export const botSettingsVersionSk = (version: number) => `${VERSION_SK_PREFIX}${String(version).padStart(VERSION_DIGITS, '0')}`;

/** Business ids as tokens and the registry carry them; anything else never reaches a key. */
const BUSINESS_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const isBusinessId = (value: unknown): value is string => typeof value === 'string' && BUSINESS_ID.test(value);

/** Settings are kept well under DynamoDB's 400 KB item limit (the item also holds keys and who/when). */
export const MAX_SETTINGS_BYTES = 300_000;
const MAX_ACTOR_CHARS = 200;

export interface BotSettingsStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

/** Who saved a version and when. */
export interface BotSettingsVersionInfo {
  businessId: string;
  version: number;
  changedBy: string;
  changedAt: string;
}

export interface StoredBotSettings extends BotSettingsVersionInfo {
  settings: BusinessFlows;
}

function requireBusinessId(businessId: string): void {
  if (!isBusinessId(businessId)) throw new RangeError('not a business id');
}

function fromItem(businessId: string, item: Record<string, unknown>): StoredBotSettings {
  const version = typeof item.version === 'number' ? item.version : undefined;
  const parsed = parseBusinessFlows(item.settings);
  if (!parsed.ok || version === undefined) {
    throw new StoredBotSettingsInvalidError(businessId, version, parsed.ok ? [{ path: 'version', message: 'missing' }] : parsed.problems);
  }
  return { businessId, version, changedBy: String(item.changedBy ?? ''), changedAt: String(item.changedAt ?? ''), settings: parsed.settings };
}

/** The business's current settings; `undefined` when it has none. */
export async function getCurrentBotSettings(
  deps: BotSettingsStoreDeps,
  businessId: string,
  options: { consistentRead?: boolean } = {},
): Promise<StoredBotSettings | undefined> {
  requireBusinessId(businessId);
  const out = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { pk: botSettingsPk(businessId), sk: BOT_SETTINGS_CURRENT_SK },
      ConsistentRead: options.consistentRead ?? false,
    }),
  );
  return out.Item ? fromItem(businessId, out.Item) : undefined;
}

/** One saved version; `undefined` when the business has no such version. */
export async function getBotSettingsVersion(deps: BotSettingsStoreDeps, businessId: string, version: number): Promise<StoredBotSettings | undefined> {
  requireBusinessId(businessId);
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_BOT_SETTINGS_VERSION) return undefined;
  const out = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: { pk: botSettingsPk(businessId), sk: botSettingsVersionSk(version) } }));
  return out.Item ? fromItem(businessId, out.Item) : undefined;
}

/**
 * The business's versions, newest first, who saved each and when (without the settings).
 * `before` continues a listing: versions below it.
 */
export async function listBotSettingsVersions(
  deps: BotSettingsStoreDeps,
  businessId: string,
  options: { limit?: number; before?: number } = {},
): Promise<{ versions: BotSettingsVersionInfo[]; nextBefore?: number }> {
  requireBusinessId(businessId);
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 100);
  const before = options.before;
  if (before !== undefined && (!Number.isSafeInteger(before) || before <= 1)) return { versions: [] };
  // `:` sorts after every digit: without `before`, the range ends after the highest version.
  const upper = before === undefined ? `${VERSION_SK_PREFIX}:` : botSettingsVersionSk(Math.min(before - 1, MAX_BOT_SETTINGS_VERSION));
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': botSettingsPk(businessId), ':from': botSettingsVersionSk(1), ':to': upper },
      ProjectionExpression: 'version, changedBy, changedAt',
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  const versions = (out.Items ?? [])
    .filter((i) => typeof i.version === 'number')
    .map((i) => ({ businessId, version: i.version as number, changedBy: String(i.changedBy ?? ''), changedAt: String(i.changedAt ?? '') }));
  const last = versions.at(-1);
  return { versions, ...(out.LastEvaluatedKey && last && last.version > 1 ? { nextBefore: last.version } : {}) };
}

export interface SaveBotSettingsOptions {
  /** Who saves (an operator's name or a client id), kept with the version. */
  actor: string;
  /**
   * The version the change was made from (0: the business has none yet). Absent: on top of
   * whatever is current, still never overwriting a version saved meanwhile.
   */
  expectedVersion?: number;
  now?: Date;
}

const UNCONDITIONAL_ATTEMPTS = 5;

/**
 * Saves already validated settings as the business's next version and makes it current. Throws
 * `BotSettingsConflictError` when `expectedVersion` is not the current version (or, without it,
 * when other saves kept winning the race).
 */
export async function saveBotSettings(
  deps: BotSettingsStoreDeps,
  businessId: string,
  settings: BusinessFlows,
  options: SaveBotSettingsOptions,
): Promise<BotSettingsVersionInfo> {
  requireBusinessId(businessId);
  if (options.expectedVersion !== undefined) return saveOnTopOf(deps, businessId, settings, options.expectedVersion, options);
  for (let attempt = 1; ; attempt++) {
    const current = await currentBotSettingsVersion(deps, businessId);
    try {
      return await saveOnTopOf(deps, businessId, settings, current, options);
    } catch (err) {
      if (!(err instanceof BotSettingsConflictError) || attempt >= UNCONDITIONAL_ATTEMPTS) throw err;
    }
  }
}

/** The current version number (0: none yet), read consistently. */
export async function currentBotSettingsVersion(deps: BotSettingsStoreDeps, businessId: string): Promise<number> {
  requireBusinessId(businessId);
  const out = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { pk: botSettingsPk(businessId), sk: BOT_SETTINGS_CURRENT_SK },
      ProjectionExpression: 'version',
      ConsistentRead: true,
    }),
  );
  return typeof out.Item?.version === 'number' ? out.Item.version : 0;
}

async function saveOnTopOf(
  deps: BotSettingsStoreDeps,
  businessId: string,
  settings: BusinessFlows,
  previous: number,
  options: SaveBotSettingsOptions,
): Promise<BotSettingsVersionInfo> {
  if (!Number.isSafeInteger(previous) || previous < 0 || previous >= MAX_BOT_SETTINGS_VERSION) {
    throw new BotSettingsConflictError(businessId, previous);
  }
  const info: BotSettingsVersionInfo = {
    businessId,
    version: previous + 1,
    changedBy: options.actor.slice(0, MAX_ACTOR_CHARS),
    changedAt: (options.now ?? new Date()).toISOString(),
  };
  const pk = botSettingsPk(businessId);
  const body = { ...info, settings };
  try {
    await deps.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.tableName,
              Item: { pk, sk: botSettingsVersionSk(info.version), entity: 'BotSettingsVersion', ...body },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: deps.tableName,
              Item: { pk, sk: BOT_SETTINGS_CURRENT_SK, entity: 'BotSettings', ...body },
              ConditionExpression: previous === 0 ? 'attribute_not_exists(pk)' : 'version = :previous',
              ...(previous === 0 ? {} : { ExpressionAttributeValues: { ':previous': previous } }),
            },
          },
        ],
      }),
    );
  } catch (err) {
    if (cancelledOnlyByConditions(err)) throw new BotSettingsConflictError(businessId, previous);
    throw err;
  }
  return info;
}
export { BotSettingsConflictError } from '#lambdas/bot-settings/errors';
export { StoredBotSettingsInvalidError } from '#lambdas/bot-settings/errors';
