import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import { promiseCache } from '#lambdas/shared/promise-cache';
import {
  businessToolsConfigSchema,
  businessToolsSecretName,
  type BusinessToolsConfig,
  type OrderApiConfig,
} from '#lambdas/agent/assistant/business-tools-config';
import type { Channel } from '#lambdas/conversation/model';

/**
 * Who is asking: the conversation's channel, the business-side account the customer wrote to, and
 * the customer's id on that channel (WhatsApp wa_id, or the business-scoped user id when Meta sent
 * no wa_id; Instagram IGSID; Messenger PSID). IGSIDs and PSIDs are scoped to the account, so the
 * three together identify the customer. Taken from the stored conversation, never from the model.
 */
export interface ConversationCustomer {
  channel: Channel;
  accountId: string;
  customerId: string;
}

/** The business tools one conversation may use, bound to its business and customer. */
export interface BusinessToolsAccess {
  businessId: string;
  customer: ConversationCustomer;
  orderApi?: OrderApiConfig;
}

export interface BusinessToolsSource {
  /** `undefined`: the account is not registered to a business, or the business has no tools. */
  forConversation(customer: ConversationCustomer): Promise<BusinessToolsAccess | undefined>;
}

/** The raw secret string, or `undefined` when the business has no such secret. */
export type ReadBusinessSecret = (secretName: string) => Promise<string | undefined>;

export const BUSINESS_TOOLS_TTL_MS = 60_000;

export interface BusinessToolsSourceOptions {
  accounts: AccountReader;
  /** `<stack name>/business-tools`. */
  secretNamePrefix: string;
  readSecret: ReadBusinessSecret;
  /** How long a business's settings (or their absence) are kept in memory. */
  ttlMs?: number;
  maxEntries?: number;
  nowMs?: () => number;
  /** A secret that is there but unusable; told the field paths only, never the values. */
  onInvalid?: (businessId: string, problems: string[]) => void;
}

/**
 * Business of the conversation's account (the channel account registry), then that business's
 * own secret, kept per business for a minute so a warm agent reads Secrets Manager rarely and a
 * changed setting is seen soon. A failed read is not kept: the next message tries again.
 */
export function businessToolsSource(options: BusinessToolsSourceOptions): BusinessToolsSource {
  const cache = promiseCache<BusinessToolsConfig | undefined>({
    ttlMs: options.ttlMs ?? BUSINESS_TOOLS_TTL_MS,
    maxEntries: options.maxEntries ?? 500,
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });

  async function load(businessId: string, secretName: string): Promise<BusinessToolsConfig | undefined> {
    const raw = await options.readSecret(secretName);
    if (raw === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      options.onInvalid?.(businessId, ['(not JSON)']);
      return undefined;
    }
    const parsed = businessToolsConfigSchema.safeParse(json);
    if (!parsed.success) {
      options.onInvalid?.(
        businessId,
        parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`),
      );
      return undefined;
    }
    return parsed.data;
  }

  function configOf(businessId: string, secretName: string): Promise<BusinessToolsConfig | undefined> {
    return cache.get(businessId, () => load(businessId, secretName));
  }

  return {
    async forConversation(customer) {
      // A WhatsApp group is shared by several people: no one customer's data is looked up there.
      if (customer.channel === 'whatsapp' && customer.customerId.startsWith('g.')) return undefined;
      const account = await options.accounts.account(customer.accountId);
      if (!account || account.channel !== customer.channel || account.status === 'offboarded') return undefined;
      const secretName = businessToolsSecretName(options.secretNamePrefix, account.businessId);
      if (!secretName) return undefined;
      const config = await configOf(account.businessId, secretName);
      if (!config?.orderApi) return undefined;
      return { businessId: account.businessId, customer, orderApi: config.orderApi };
    },
  };
}

const errorName = (err: unknown): string | undefined => (err as { name?: string } | null)?.name;

/**
 * Secrets Manager through Powertools (cached for the same minute). A secret that does not exist
 * is "no tools"; any other failure propagates.
 */
export function secretsManagerBusinessSecret(maxAgeSeconds = BUSINESS_TOOLS_TTL_MS / 1000): ReadBusinessSecret {
  return async (secretName) => {
    try {
      const value = await getSecret<string>(secretName, { maxAge: maxAgeSeconds });
      return typeof value === 'string' ? value : undefined;
    } catch (err) {
      const cause = (err as { cause?: unknown } | null)?.cause;
      if (errorName(err) === 'ResourceNotFoundException' || errorName(cause) === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  };
}
