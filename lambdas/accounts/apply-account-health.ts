import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { businessAccountKey, businessGsiPk, channelAccountKey, getBusinessAccount, getChannelAccount } from '#lambdas/accounts/channel-account';
import { accountPk } from '#lambdas/conversation/table-keys';

/** The notification topics (as the WhatsApp normalizer names them) this module keeps on registry items. */
export const ACCOUNT_HEALTH_TOPICS = ['whatsapp.account_update', 'whatsapp.phone_number_quality_update', 'whatsapp.phone_number_name_update'] as const;

/** Meta's higher throughput level: "up to 1,000 mps by automatic upgrade" (WhatsApp Cloud API throughput). */
export const HIGHER_THROUGHPUT_PER_SECOND = 1_000;

const detailSchema = z.looseObject({
  accountId: z.string().min(1),
  eventId: z.string().min(1),
  topic: z.enum(ACCOUNT_HEALTH_TOPICS),
});

export interface HealthDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * - `applied`: the change is now on the item(s) named in `targets`.
 * - `stale`: a newer change of the same kind is already there (events arrive unordered and twice).
 * - `not_health`: an account_update that says nothing about the account's health (partner added…).
 * - `no_account`: nothing registered to put it on (the number is not in the registry).
 * - `invalid`: the wake-up call names no health topic, or its notification is not in the table.
 */
export type HealthOutcome =
  | { outcome: 'applied'; targets: string[] }
  | { outcome: 'stale' | 'not_health' | 'no_account' }
  | { outcome: 'invalid'; issues: string };

type Note = Record<string, unknown>;

/** Reads the notification the event names and keeps what it says about health on the registry. */
export async function applyAccountHealth(detail: unknown, deps: HealthDeps): Promise<HealthOutcome> {
  const parsed = detailSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}:${i.code}`).join(',') };
  const { accountId, eventId, topic } = parsed.data;
  const out = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: { pk: accountPk(accountId), sk: `NOTE#${eventId}` } }));
  const note = out.Item;
  if (!note || typeof note.occurredAt !== 'string') return { outcome: 'invalid', issues: 'notification_not_found' };
  // Newest wins: Meta's time, then the event id, so two changes within one second still order one way.
  const version = `${note.occurredAt}#${eventId}`;
  if (topic === 'whatsapp.account_update') return applyAccountUpdate(note, accountId, version, deps);
  const key = await numberKey(note, accountId, deps);
  if (!key) return { outcome: 'no_account' };
  const facet = topic === 'whatsapp.phone_number_quality_update' ? qualityFacet(note) : nameFacet(note);
  return (await updateFacet(key, facet, version, note.occurredAt, deps)) ? { outcome: 'applied', targets: [key.pk] } : { outcome: 'stale' };
}

interface Facet {
  /** Attribute holding the version of the last change of this kind applied. */
  versionAttribute: string;
  set: Record<string, string | number | boolean>;
  remove?: string[];
}

function str(note: Note, name: string): string | undefined {
  const v = note[`detail_${name}`];
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
}

function qualityFacet(note: Note): Facet {
  const event = str(note, 'event')?.toUpperCase();
  const limit = str(note, 'current_limit')?.toUpperCase();
  const set: Facet['set'] = {};
  if (event) set.qualityEvent = event;
  if (event === 'FLAGGED') set.qualityFlagged = true;
  if (event === 'UNFLAGGED' || event === 'UPGRADE') set.qualityFlagged = false;
  // THROUGHPUT_UPGRADE's current_limit (TIER_UNLIMITED) speaks of messages per second, not of
  // Meta's messaging limit (unique customers a day): it must not lift the campaigns' daily ceiling.
  if (limit && event !== 'THROUGHPUT_UPGRADE') set.messagingLimitTier = limit;
  const maxDaily = str(note, 'max_daily_conversations_per_business') ?? str(note, 'max_daily_conversation_per_phone');
  if (maxDaily) set.maxDailyConversations = maxDaily;
  // Meta upgrades a number to its higher throughput level by itself and says so with
  // THROUGHPUT_UPGRADE (current_limit TIER_UNLIMITED); messaging-limit changes leave throughput alone.
  if (event === 'THROUGHPUT_UPGRADE') set.throughputPerSecond = HIGHER_THROUGHPUT_PER_SECOND;
  return { versionAttribute: 'qualityVersion', set };
}

function nameFacet(note: Note): Facet {
  const decision = str(note, 'decision')?.toUpperCase();
  const requested = str(note, 'requested_verified_name');
  const set: Facet['set'] = {};
  const remove: string[] = [];
  if (decision) set.displayNameStatus = decision;
  if (requested) set.requestedDisplayName = requested;
  if (decision === 'APPROVED' && requested) set.displayName = requested;
  const reason = str(note, 'rejection_reason');
  if (reason) set.displayNameRejectionReason = reason;
  else remove.push('displayNameRejectionReason');
  return { versionAttribute: 'nameVersion', set, remove };
}

/**
 * The account's standing with Meta from `account_update`:
 * ACCOUNT_RESTRICTION → restricted (with the restriction types), ACCOUNT_VIOLATION → restricted
 * (with the violation type), DISABLED_UPDATE → disabled / scheduled_for_disable / ok (reinstated).
 */
function accountFacet(note: Note): { facet: Facet; standing: 'ok' | 'restricted' | 'scheduled_for_disable' | 'disabled' } | undefined {
  const event = str(note, 'event')?.toUpperCase();
  const set: Facet['set'] = {};
  const remove: string[] = [];
  let standing: 'ok' | 'restricted' | 'scheduled_for_disable' | 'disabled';
  if (event === 'ACCOUNT_RESTRICTION') {
    standing = 'restricted';
    const types = str(note, 'restriction_types');
    if (types) set.restrictionTypes = types;
  } else if (event === 'ACCOUNT_VIOLATION') {
    standing = 'restricted';
    const type = str(note, 'violation_type');
    if (type) set.violationType = type;
  } else if (event === 'DISABLED_UPDATE') {
    const states = (str(note, 'ban_state') ?? '').toUpperCase().split(',').filter(Boolean);
    standing = states.includes('DISABLE')
      ? 'disabled'
      : states.includes('SCHEDULE_FOR_DISABLE')
        ? 'scheduled_for_disable'
        : states.length > 0 && states.every((s) => s === 'REINSTATE')
          ? 'ok'
          : 'disabled';
    const banState = str(note, 'ban_state');
    if (banState) set.banState = banState;
    const banDate = str(note, 'ban_date');
    if (banDate) set.banDate = banDate;
    if (standing === 'ok') remove.push('restrictionTypes', 'violationType', 'banDate');
  } else {
    return undefined;
  }
  set.accountStanding = standing;
  set.accountEvent = event;
  return { facet: { versionAttribute: 'standingVersion', set, remove }, standing };
}

const STANDING_STATUS = { ok: 'active', restricted: 'restricted', scheduled_for_disable: 'restricted', disabled: 'disabled' } as const;

async function applyAccountUpdate(note: Note, accountId: string, version: string, deps: HealthDeps): Promise<HealthOutcome> {
  const change = accountFacet(note);
  if (!change) return { outcome: 'not_health' };
  // Account-level: the WABA item (the notification names the WABA); a registered number with the
  // same id (older single-number registrations) gets it too.
  const keys: Array<{ pk: string; sk: string }> = [];
  if (await getBusinessAccount(deps.db, deps.tableName, accountId)) keys.push(businessAccountKey(accountId));
  if (await getChannelAccount(deps.db, deps.tableName, accountId)) keys.push(channelAccountKey(accountId));
  if (keys.length === 0) return { outcome: 'no_account' };
  const applied: string[] = [];
  for (const key of keys) {
    if (!(await updateFacet(key, change.facet, version, note.occurredAt as string, deps))) continue;
    applied.push(key.pk);
    await followStanding(key, version, STANDING_STATUS[change.standing], deps);
  }
  return applied.length > 0 ? { outcome: 'applied', targets: applied } : { outcome: 'stale' };
}

/**
 * The registry status follows Meta's verdict, but only between the states Meta decides
 * (active, restricted, disabled): an account onboarding, offboarded or waiting for a new token
 * keeps the status the platform team or the sender gave it. Only the newest change moves it.
 */
async function followStanding(key: { pk: string; sk: string }, version: string, status: string, deps: HealthDeps): Promise<void> {
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: 'SET #status = :status',
        ConditionExpression: '#v = :v AND #status IN (:active, :restricted, :disabled)',
        ExpressionAttributeNames: { '#status': 'status', '#v': 'standingVersion' },
        ExpressionAttributeValues: { ':status': status, ':v': version, ':active': 'active', ':restricted': 'restricted', ':disabled': 'disabled' },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** One kind of health change on one item, only when it is newer than the one there; false when stale. */
async function updateFacet(key: { pk: string; sk: string }, facet: Facet, version: string, occurredAt: string, deps: HealthDeps): Promise<boolean> {
  const names: Record<string, string> = { '#v': facet.versionAttribute, '#pk': 'pk' };
  const values: Record<string, unknown> = { ':v': version };
  const sets = ['#v = :v'];
  Object.entries(facet.set).forEach(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  const removes = (facet.remove ?? [])
    .filter((r) => !(r in facet.set))
    .map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        // The item must be a registry entry already: health never creates an account.
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#v) OR #v < :v)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
  await touchHealthUpdatedAt(key, occurredAt, deps);
  return true;
}

/** `healthUpdatedAt`: the time of the newest health change of any kind on the item. */
async function touchHealthUpdatedAt(key: { pk: string; sk: string }, occurredAt: string, deps: HealthDeps): Promise<void> {
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: 'SET healthUpdatedAt = :t',
        ConditionExpression: 'attribute_not_exists(healthUpdatedAt) OR healthUpdatedAt < :t',
        ExpressionAttributeValues: { ':t': occurredAt },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

const digits = (value: unknown): string => (typeof value === 'string' ? value.replace(/\D/g, '') : '');

/**
 * The registry item of the number a number-level change is about. Quality and name updates name
 * the WABA (entry id) and the number's display phone number, not its id, so the WABA's numbers
 * are listed (through its business on gsi1) and matched by display number.
 */
async function numberKey(note: Note, accountId: string, deps: HealthDeps): Promise<{ pk: string; sk: string } | undefined> {
  // Already a number (a payload carrying metadata.phone_number_id).
  if (note.accountId !== note.businessAccountId && (await getChannelAccount(deps.db, deps.tableName, accountId))) return channelAccountKey(accountId);
  const display = digits(note.detail_display_phone_number);
  if (!display) return undefined;
  const waba = await getBusinessAccount(deps.db, deps.tableName, accountId);
  if (!waba) return undefined;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        FilterExpression: 'wabaId = :waba',
        ExpressionAttributeValues: { ':pk': businessGsiPk(waba.businessId), ':prefix': 'ACCOUNT#whatsapp#', ':waba': accountId },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const match = page.Items?.find((item) => digits(item.displayPhoneNumber) === display);
    if (match && typeof match.accountId === 'string') return channelAccountKey(match.accountId);
    start = page.LastEvaluatedKey;
  } while (start);
  return undefined;
}
