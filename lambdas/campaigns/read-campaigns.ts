import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import type { Campaign, CampaignRecipient, RecipientState } from '#lambdas/campaigns/campaign-model';
import type { Page } from '#lambdas/campaigns/campaign-ports';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

/** A wa_id as a supervisor sees it: the country code and the last two digits (`55*********21`). */
/** A recipient's variables with their values withheld (names, codes: a customer's data), keeping which ones are set. */
export function withheldVariables(variables: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(variables).map((name) => [name, WITHHELD]));
}

/** What a withheld value reads as. */
export const WITHHELD = '•••';

export function maskWaId(waId: string): string {
  if (waId.length <= 4) return '*'.repeat(waId.length);
  return `${waId.slice(0, 2)}${'*'.repeat(waId.length - 4)}${waId.slice(-2)}`;
}

export async function getCampaign(deps: Pick<CampaignAdminDeps, 'store'>, businessId: string, campaignId: string): Promise<Campaign> {
  const campaign = await deps.store.get(businessId, campaignId);
  if (!campaign) throw new CampaignRequestError(404, 'campaign_not_found', 'No campaign with that id in your business');
  return campaign;
}

export async function listCampaigns(
  deps: Pick<CampaignAdminDeps, 'store'>,
  businessId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<Campaign>> {
  return deps.store.list(businessId, page);
}

/**
 * A campaign's recipients in list order, optionally in one state. `maskNumbers` for callers who
 * may read campaigns but not customers' data (supervisors): each wa_id is masked and the values of
 * the recipient's variables (names, codes) are withheld.
 */
export async function listCampaignRecipients(
  deps: Pick<CampaignAdminDeps, 'store'>,
  businessId: string,
  campaignId: string,
  filter: { state?: RecipientState; limit: number; cursor?: string },
  options: { maskNumbers: boolean },
): Promise<Page<CampaignRecipient>> {
  await getCampaign(deps, businessId, campaignId);
  const page = await deps.store.listRecipients(businessId, campaignId, filter);
  if (!options.maskNumbers) return page;
  // The message id and conversation key name the customer's number too (campaign-keys.ts, conversation keys).
  return {
    ...page,
    items: page.items.map((r) => {
      const masked = maskWaId(r.waId);
      return {
        ...r,
        waId: masked,
        variables: withheldVariables(r.variables),
        ...(r.messageId ? { messageId: r.messageId.split(r.waId).join(masked) } : {}),
        ...(r.conversationKey ? { conversationKey: r.conversationKey.split(r.waId).join(masked) } : {}),
      };
    }),
  };
}
