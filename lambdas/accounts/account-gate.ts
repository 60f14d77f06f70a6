import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { AccountStatus } from '#lambdas/accounts/channel-account';
import type { Channel, NormalizedEvent, QuarantineEvent } from '#lambdas/conversation/model';

export const UNKNOWN_ACCOUNT_REASON = 'unknown_account';
/** The account is registered, but for another channel than the event's (never answered with its token). */
export const CHANNEL_MISMATCH_REASON = 'channel_mismatch';
const MAX_ACCOUNT_ID_CHARS = 256;

/**
 * - `admitted`: the account is registered; `status` says what it may do (an `onboarding` account's
 *   events are recorded, but customers are not answered from it yet).
 * - `quarantined`: nobody registered the account, or it was offboarded (`unknown_account`), or
 *   it is registered for another channel than the event's (`channel_mismatch`).
 * - `not_applicable`: the event names no business account (it is already a quarantine).
 */
export type GateVerdict =
  | { verdict: 'admitted'; status: AccountStatus; level: 'account' | 'waba' }
  | { verdict: 'quarantined'; quarantine: QuarantineEvent }
  | { verdict: 'not_applicable' };

/**
 * Checks the business account an event names against the registry. WhatsApp account-level
 * changes (account_update, template updates…) carry no phone number id: the normalizer puts the
 * WABA id (the entry id) in both `accountId` and `businessAccountId`, so those are checked against
 * the WABA item, which exists as soon as one of its numbers is registered.
 *
 * An account is admitted only for its own channel: an Instagram body naming a WhatsApp number's
 * id must not be recorded under that number, nor answered with its token.
 */
export async function gateByAccount(event: NormalizedEvent, accounts: AccountReader): Promise<GateVerdict> {
  if (event.kind === 'quarantine') return { verdict: 'not_applicable' };
  const wabaLevel = event.channel === 'whatsapp' && event.accountId === event.businessAccountId;
  // Meta's ids are short; one too long for a DynamoDB key cannot be registered (nor read).
  const found = event.accountId.length <= MAX_ACCOUNT_ID_CHARS ? await registeredAs(event.accountId, wabaLevel, accounts) : undefined;
  if (found && found.channel === event.channel) return { verdict: 'admitted', status: found.status, level: found.level };
  const mismatch = found !== undefined;
  return {
    verdict: 'quarantined',
    quarantine: {
      kind: 'quarantine',
      channel: event.channel,
      conversationKey: event.conversationKey,
      eventId: event.eventId,
      occurredAt: event.occurredAt,
      reason: mismatch ? CHANNEL_MISMATCH_REASON : UNKNOWN_ACCOUNT_REASON,
      detail: mismatch
        ? `${event.kind} on ${event.channel} for ${found.channel} account ${event.accountId.slice(0, MAX_ACCOUNT_ID_CHARS)}`
        : `${event.kind} for ${wabaLevel ? 'WhatsApp Business Account' : `${event.channel} account`} ${event.accountId.slice(0, MAX_ACCOUNT_ID_CHARS)}`,
      ...(event.rawIds ? { rawIds: event.rawIds } : {}),
    },
  };
}

interface Registration {
  status: AccountStatus;
  level: 'account' | 'waba';
  /** The channel the account was registered for (a WABA is WhatsApp's). */
  channel: Channel;
}

/** The serving status and channel of the account or WABA an id names, when registered and not offboarded. */
async function registeredAs(id: string, wabaLevel: boolean, accounts: AccountReader): Promise<Registration | undefined> {
  if (wabaLevel) {
    const waba = await accounts.waba(id);
    if (waba && waba.status !== 'offboarded') return { status: waba.status, level: 'waba', channel: 'whatsapp' };
  }
  // A WABA whose id was registered as an account id (older registrations) counts too.
  const account = await accounts.account(id);
  if (!account || account.status === 'offboarded') return undefined;
  return { status: account.status, level: 'account', channel: account.channel };
}

/**
 * Whether the agent may be woken for an admitted event: an `onboarding` account receives and
 * keeps its customers' messages but does not answer them until the platform team activates it.
 */
export function answersCustomers(status: AccountStatus): boolean {
  return status !== 'onboarding';
}
