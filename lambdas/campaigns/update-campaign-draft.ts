import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { campaignUpdateSchema, normalisedAudience, parseBody, unwrap } from '#lambdas/campaigns/campaign-input';
import type { Campaign } from '#lambdas/campaigns/campaign-model';
import { checkVariableSources, sendingSetup } from '#lambdas/campaigns/campaign-sending';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

/**
 * Changes a draft: the fields given replace the stored ones, at the version the admin read. A
 * contacts campaign may change anything (checked again as when created). A CSV campaign's list
 * was built from its file against its template, so only its name, start, pace and header media
 * link may change; another file, number or template is a new campaign.
 */
export async function updateCampaignDraft(deps: CampaignAdminDeps, businessId: string, campaignId: string, body: unknown): Promise<Campaign> {
  const change = parseBody(campaignUpdateSchema, body);
  const current = await deps.store.get(businessId, campaignId);
  if (!current) throw new CampaignRequestError(404, 'campaign_not_found', 'No campaign with that id in your business');
  if (current.state !== 'draft') throw new CampaignRequestError(409, 'wrong_state', `The campaign is ${current.state}; only a draft can be edited`);
  if (current.version !== change.expectedVersion) {
    throw new CampaignRequestError(
      409,
      'version_conflict',
      `The campaign changed meanwhile: at version ${current.version}, not ${change.expectedVersion}; reload and try again`,
      { currentVersion: current.version },
    );
  }

  const accountId = change.accountId ?? current.accountId;
  const template = change.template ?? {
    name: current.template.name,
    language: current.template.language,
    ...(current.template.headerMediaLink ? { headerMediaLink: current.template.headerMediaLink } : {}),
  };
  let audience: Campaign['audience'] = current.audience;
  if (current.audience.kind === 'csv') {
    const fixed =
      change.audience !== undefined ||
      accountId !== current.accountId ||
      template.name !== current.template.name ||
      template.language !== current.template.language;
    if (fixed) {
      throw new CampaignRequestError(
        409,
        'csv_audience_fixed',
        "A CSV campaign's file, number and template are fixed once uploaded; create a new campaign to change them",
      );
    }
  } else if (change.audience) {
    if (change.audience.kind !== 'contacts') {
      throw new CampaignRequestError(409, 'csv_audience_fixed', 'A contacts campaign cannot become a CSV one; create a new campaign with the file');
    }
    audience = normalisedAudience(change.audience);
  }

  const setup = await sendingSetup(deps, businessId, { accountId, template });
  if (audience.kind === 'contacts') checkVariableSources(setup.template, audience);
  if (current.audience.kind === 'csv' && current.template.category && setup.category !== current.template.category) {
    throw new CampaignRequestError(
      409,
      'template_category_changed',
      `Meta moved the template from ${current.template.category} to ${setup.category}; create the campaign again so consent is checked for ${setup.category}`,
    );
  }
  const startAt = change.startAt !== undefined ? new Date(Date.parse(change.startAt)).toISOString() : current.startAt;
  const at = (deps.now ?? (() => new Date()))().toISOString();
  return unwrap(
    await deps.store.updateDraft(
      businessId,
      campaignId,
      change.expectedVersion,
      {
        name: change.name ?? current.name,
        accountId,
        template: { ...template, category: setup.category },
        audience,
        rateShare: change.rateShare ?? current.rateShare,
        ...(startAt ? { startAt } : {}),
      },
      at,
    ),
  );
}
