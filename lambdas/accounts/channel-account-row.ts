import type { AccountChannel } from '#lambdas/accounts/business-accounts-store';

/** A channel account as the admin console lists it: ids, status, health and the token's state. Never the secret. */
export interface ChannelAccountRow {
  accountId: string;
  channel: AccountChannel;
  status: string;
  wabaId?: string;
  displayPhoneNumber?: string;
  displayName?: string;
  coexistence?: boolean;
  /** WhatsApp number quality (GREEN, YELLOW, RED, UNKNOWN) as registered. */
  qualityRating?: string;
  /** The latest quality change Meta reported (FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE…), and whether the number is flagged. */
  qualityEvent?: string;
  qualityFlagged?: boolean;
  /** Meta's messaging limit: its tier (e.g. TIER_1K), else the daily conversations it allows. */
  messagingLimit?: string;
  maxDailyConversations?: number;
  /**
   * `needs_reauthorisation`: Meta refused the token (the registry's status says so, or a send
   * marked the account with `needsReauthorisation`, see `tokenRefusedAt`); `ok` otherwise.
   */
  tokenState: 'ok' | 'needs_reauthorisation';
  /** When a send last found the token refused. */
  tokenRefusedAt?: string;
  /** Where the token is kept: the account's own secret, or the deployment's shared token map. */
  tokenSource: 'account_secret' | 'shared';
  healthUpdatedAt?: string;
  updatedAt?: string;
}

const text = (value: unknown, max = 200): string | undefined => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined);

/** A registry item (with what account health keeps on it) → its row. */
export function channelAccountRow(item: Record<string, unknown> & { accountId: string; channel: AccountChannel }): ChannelAccountRow {
  const status = text(item.status, 40) ?? 'unknown';
  const tier = text(item.messagingLimitTier, 40);
  const maxDaily = typeof item.maxDailyConversations === 'number' && Number.isFinite(item.maxDailyConversations) ? item.maxDailyConversations : undefined;
  const refused = status === 'needs_reauthorisation' || item.needsReauthorisation === true;
  const optional = {
    wabaId: text(item.wabaId),
    displayPhoneNumber: text(item.displayPhoneNumber, 40),
    displayName: text(item.displayName),
    coexistence: typeof item.coexistence === 'boolean' ? item.coexistence : undefined,
    qualityRating: text(item.qualityRating, 40),
    qualityEvent: text(item.qualityEvent, 40),
    qualityFlagged: typeof item.qualityFlagged === 'boolean' ? item.qualityFlagged : undefined,
    messagingLimit: tier ?? (maxDaily !== undefined ? String(maxDaily) : undefined),
    maxDailyConversations: maxDaily,
    tokenRefusedAt: text(item.reauthorisationRequiredAt, 40),
    healthUpdatedAt: text(item.healthUpdatedAt, 40),
    updatedAt: text(item.updatedAt, 40),
  };
  return {
    accountId: item.accountId,
    channel: item.channel,
    status,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    tokenState: refused ? 'needs_reauthorisation' : 'ok',
    tokenSource: typeof item.tokenSecretId === 'string' && item.tokenSecretId.length > 0 ? 'account_secret' : 'shared',
  };
}
