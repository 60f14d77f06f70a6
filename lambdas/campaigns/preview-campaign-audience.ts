import { SKIP_REASONS, type SkipReason } from '#lambdas/campaigns/audience/audience-types';
import { contactsAudience } from '#lambdas/campaigns/audience/contacts-audience';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { sendingSetup } from '#lambdas/campaigns/campaign-sending';
import { maskWaId, withheldVariables } from '#lambdas/campaigns/read-campaigns';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

export interface AudiencePreview {
  /** Customers the list would hold (or holds). */
  count: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** The first few, numbers masked. */
  sample: Array<{ waId: string; variables: Record<string, string> }>;
  /** False when the walk stopped at PREVIEW_MAX_CONTACTS: the counts are then a lower bound. */
  complete: boolean;
  /** Contacts (or rows) looked at. */
  read: number;
}

/** Contacts a preview looks at at most, so that it answers within the API's time. */
export const PREVIEW_MAX_CONTACTS = 20_000;
const SAMPLE_SIZE = 10;

/**
 * Who a campaign would reach, without scheduling it. A draft of contacts walks the audience as
 * scheduling would (filters, consent for the template's current category, variables) up to
 * PREVIEW_MAX_CONTACTS; a campaign whose list is built (a CSV one, or one scheduled) reads it.
 */
export async function previewCampaignAudience(
  deps: CampaignAdminDeps,
  businessId: string,
  campaignId: string,
  options: { maxContacts?: number; withholdVariables?: boolean } = {},
): Promise<AudiencePreview> {
  const campaign = await deps.store.get(businessId, campaignId);
  if (!campaign) throw new CampaignRequestError(404, 'campaign_not_found', 'No campaign with that id in your business');
  // Numbers are always masked; a caller who may not change campaigns (a supervisor) sees which variables are set, not their values.
  const mask = (r: { waId: string; variables: Record<string, string> }) => ({
    waId: maskWaId(r.waId),
    variables: options.withholdVariables ? withheldVariables(r.variables) : r.variables,
  });

  if (campaign.audience.kind === 'csv' || campaign.state !== 'draft') {
    const first = await deps.store.recipientsFrom(businessId, campaignId, 0, SAMPLE_SIZE);
    return { count: campaign.counts.targeted, skipped: campaign.counts.skipped, sample: first.map(mask), complete: true, read: campaign.counts.targeted };
  }

  const setup = await sendingSetup(deps, businessId, campaign);
  const max = options.maxContacts ?? PREVIEW_MAX_CONTACTS;
  const preview: AudiencePreview = { count: 0, skipped: {}, sample: [], complete: true, read: 0 };
  const walk = contactsAudience({
    businessId,
    audience: campaign.audience,
    template: {
      template: setup.template,
      category: setup.category,
      ...(campaign.template.headerMediaLink ? { headerMediaLink: campaign.template.headerMediaLink } : {}),
    },
    contacts: deps.contacts,
    maxRecipients: Number.POSITIVE_INFINITY,
  });
  for await (const chunk of walk) {
    preview.count += chunk.recipients.length;
    for (const reason of SKIP_REASONS) if (chunk.skipped[reason]) preview.skipped[reason] = (preview.skipped[reason] ?? 0) + chunk.skipped[reason]!;
    for (const r of chunk.recipients) if (preview.sample.length < SAMPLE_SIZE) preview.sample.push(mask(r));
    preview.read += chunk.contactsRead ?? 0;
    if (preview.read >= max) {
      preview.complete = false;
      break;
    }
  }
  return preview;
}
