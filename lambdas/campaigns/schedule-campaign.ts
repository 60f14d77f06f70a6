import { AudienceTooLargeError } from '#lambdas/campaigns/audience/audience-types';
import { contactsAudience } from '#lambdas/campaigns/audience/contacts-audience';
import { CampaignRequestError, type CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { campaignChangedEvent } from '#lambdas/campaigns/campaign-events';
import { campaignActionSchema, parseBody, unwrap } from '#lambdas/campaigns/campaign-input';
import { buildRecipientList } from '#lambdas/campaigns/campaign-list-builder';
import type { Campaign } from '#lambdas/campaigns/campaign-model';
import { refuseWhilePauseCauseHolds, sendingSetup } from '#lambdas/campaigns/campaign-sending';
import { RecipientListChangedError } from '#lambdas/campaigns/campaign-store-rules';

/**
 * Schedules a draft: checks its number and template again (still approved, the number not RED,
 * the month's budget not spent), builds its list (a contacts audience is walked now; a CSV one was
 * listed when uploaded), sets the release cursor at the list's start and moves it to `scheduled`
 * with the template's category and the counts, at the version the admin read. The campaign then
 * goes on the running list and `campaign.changed` tells the release loop (campaign-release.ts),
 * which starts it at `startAt` (or at once).
 *
 * Safe to repeat: a build that failed half way goes on from where the list ends, and a campaign
 * already scheduled is answered as it is (put back on the running list, told again).
 */
export async function scheduleCampaign(deps: CampaignAdminDeps, businessId: string, campaignId: string, body: unknown): Promise<Campaign> {
  const { expectedVersion } = parseBody(campaignActionSchema, body);
  const now = (deps.now ?? (() => new Date()))();
  const at = now.toISOString();
  const current = await deps.store.get(businessId, campaignId);
  if (!current) throw new CampaignRequestError(404, 'campaign_not_found', 'No campaign with that id in your business');
  if (current.state === 'scheduled') {
    await deps.store.markRunning(businessId, campaignId);
    await deps.publisher.publish([campaignChangedEvent({ businessId, campaignId, state: 'scheduled', previousState: 'draft', version: current.version, at })]);
    return current;
  }
  if (current.state !== 'draft') throw new CampaignRequestError(409, 'wrong_state', `The campaign is ${current.state}; only a draft can be scheduled`);
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw new CampaignRequestError(409, 'version_conflict', `The campaign changed meanwhile: at version ${current.version}, not ${expectedVersion}; reload and try again`, { currentVersion: current.version });
  }

  const setup = await sendingSetup(deps, businessId, current);
  await refuseWhilePauseCauseHolds(deps, businessId, setup, now);
  const template = { ...current.template, category: setup.category };

  let counts: Pick<Campaign['counts'], 'targeted' | 'skipped'> | undefined;
  if (current.audience.kind === 'csv') {
    if (current.template.category && current.template.category !== setup.category) {
      throw new CampaignRequestError(409, 'template_category_changed', `Meta moved the template from ${current.template.category} to ${setup.category} since the file was uploaded; create the campaign again so consent is checked for ${setup.category}`);
    }
  } else {
    try {
      const built = await buildRecipientList(
        deps.store,
        businessId,
        campaignId,
        contactsAudience({
          businessId,
          audience: current.audience,
          template: { template: setup.template, category: setup.category, ...(current.template.headerMediaLink ? { headerMediaLink: current.template.headerMediaLink } : {}) },
          contacts: deps.contacts,
        }),
      );
      if (built.targeted === 0) {
        throw new CampaignRequestError(409, 'empty_audience', 'Nobody in the audience can be sent this template (see skipped); change the filters or the template', { skipped: built.skipped });
      }
      counts = { targeted: built.targeted, skipped: { ...built.skipped } as Record<string, number> };
    } catch (err) {
      if (err instanceof AudienceTooLargeError) throw new CampaignRequestError(409, 'audience_too_large', err.message);
      if (err instanceof RecipientListChangedError) throw new CampaignRequestError(409, 'being_scheduled', 'The campaign is being scheduled by another request; wait a moment and look at it again');
      throw err;
    }
  }

  const total = await deps.store.listEnd(businessId, campaignId);
  await deps.store.putRelease(businessId, campaignId, { nextSeq: 0, total, tick: 0 });
  const scheduled = unwrap(
    await deps.store.transition(businessId, campaignId, ['draft'], 'scheduled', at, {
      ...(expectedVersion !== undefined ? { expectedVersion } : { expectedVersion: current.version }),
      template,
      ...(counts ? { counts } : {}),
    }),
  );
  await deps.store.markRunning(businessId, campaignId);
  await deps.publisher.publish([campaignChangedEvent({ businessId, campaignId, state: 'scheduled', previousState: 'draft', version: scheduled.version, at })]);
  return scheduled;
}
