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

/*
 * Reading and writing the registry is the store's (account-registry-store.ts); its functions are
 * also exported from here, where the registry's callers have always found them.
 */
export {
  getBusinessAccount,
  getChannelAccount,
  registerChannelAccountIfAbsent,
  upsertChannelAccount,
} from '#lambdas/accounts/account-registry-store';
