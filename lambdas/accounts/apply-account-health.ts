import { z } from 'zod';
import type { AccountHealthStore, HealthChange, RegistryKey } from '#lambdas/accounts/account-registry-store';
import { businessAccountKey, channelAccountKey } from '#lambdas/accounts/channel-account';

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
  /** The registry (account-registry-store.ts): the notification, the items and their health. */
  registry: AccountHealthStore;
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
  const note = await deps.registry.notification(accountId, eventId);
  if (!note || typeof note.occurredAt !== 'string') return { outcome: 'invalid', issues: 'notification_not_found' };
  // Newest wins: Meta's time, then the event id, so two changes within one second still order one way.
  const version = `${note.occurredAt}#${eventId}`;
  if (topic === 'whatsapp.account_update') return applyAccountUpdate(note, accountId, version, deps);
  const key = await numberKey(note, accountId, deps);
  if (!key) return { outcome: 'no_account' };
  const facet = topic === 'whatsapp.phone_number_quality_update' ? qualityFacet(note) : nameFacet(note);
  return (await deps.registry.applyHealthChange(key, facet, version, note.occurredAt)) ? { outcome: 'applied', targets: [key.pk] } : { outcome: 'stale' };
}

/** One kind of health change; `versionAttribute` holds the version of the last change of this kind applied. */
type Facet = HealthChange;

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
  const keys: RegistryKey[] = [];
  if (await deps.registry.findWaba(accountId)) keys.push(businessAccountKey(accountId));
  if (await deps.registry.findAccount(accountId)) keys.push(channelAccountKey(accountId));
  if (keys.length === 0) return { outcome: 'no_account' };
  const applied: string[] = [];
  for (const key of keys) {
    if (!(await deps.registry.applyHealthChange(key, change.facet, version, note.occurredAt as string))) continue;
    applied.push(key.pk);
    // The registry status follows Meta's verdict, but only between the states Meta decides
    // (active, restricted, disabled): an account onboarding, offboarded or waiting for a new token
    // keeps the status the platform team or the sender gave it. Only the newest change moves it.
    await deps.registry.followStanding(key, version, STANDING_STATUS[change.standing]);
  }
  return applied.length > 0 ? { outcome: 'applied', targets: applied } : { outcome: 'stale' };
}

const digits = (value: unknown): string => (typeof value === 'string' ? value.replace(/\D/g, '') : '');

/**
 * The registry item of the number a number-level change is about. Quality and name updates name
 * the WABA (entry id) and the number's display phone number, not its id, so the WABA's numbers
 * are listed (through its business on gsi1) and matched by display number.
 */
async function numberKey(note: Note, accountId: string, deps: HealthDeps): Promise<RegistryKey | undefined> {
  // Already a number (a payload carrying metadata.phone_number_id).
  if (note.accountId !== note.businessAccountId && (await deps.registry.findAccount(accountId))) return channelAccountKey(accountId);
  const display = digits(note.detail_display_phone_number);
  if (!display) return undefined;
  const waba = await deps.registry.findWaba(accountId);
  if (!waba) return undefined;
  for await (const page of deps.registry.wabaNumberPages(waba.businessId, accountId)) {
    const match = page.find((item) => digits(item.displayPhoneNumber) === display);
    if (match && typeof match.accountId === 'string') return channelAccountKey(match.accountId);
  }
  return undefined;
}
