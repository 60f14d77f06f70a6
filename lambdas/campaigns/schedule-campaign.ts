import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { campaignChangedEvent } from '#lambdas/campaigns/campaign-events';
import { campaignActionSchema, parseBody, unwrap } from '#lambdas/campaigns/campaign-input';
import type { Campaign, CampaignList } from '#lambdas/campaigns/campaign-model';
import { refuseWhilePauseCauseHolds, sendingSetup } from '#lambdas/campaigns/campaign-sending';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

/**
 * Schedules a draft: checks its number and template again (still approved, the number not RED,
 * the month's budget not spent) and moves it to `scheduled` with the template's category, at the
 * version the admin read, answering at once. A contacts audience's list is built off the request
 * (campaign-list-build.ts): the campaign is scheduled with `list.status = building`, and the
 * `campaign.changed` this publishes starts the build in the release function, which kicks the
 * release loop once the list is ready. A CSV audience was decided when uploaded (its list is ready,
 * or still being written: the release loop waits for it). The campaign goes on the running list,
 * whose watchdog also restarts a build that went quiet.
 *
 * Safe to repeat: a campaign already scheduled is answered as it is (put back on the running list,
 * told again, which kicks its build or its loop).
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
    throw new CampaignRequestError(
      409,
      'version_conflict',
      `The campaign changed meanwhile: at version ${current.version}, not ${expectedVersion}; reload and try again`,
      { currentVersion: current.version },
    );
  }

  const setup = await sendingSetup(deps, businessId, current);
  await refuseWhilePauseCauseHolds(deps, businessId, setup, now);
  const template = { ...current.template, category: setup.category };

  let list: CampaignList | undefined;
  if (current.audience.kind === 'csv') {
    if (current.template.category && current.template.category !== setup.category) {
      throw new CampaignRequestError(
        409,
        'template_category_changed',
        `Meta moved the template from ${current.template.category} to ${setup.category} since the file was uploaded; create the campaign again so consent is checked for ${setup.category}`,
      );
    }
    // A list written at upload (or before lists had a build): the release loop's cursor now.
    if (!current.list || current.list.status === 'ready') {
      const total = await deps.store.listEnd(businessId, campaignId);
      await deps.store.putRelease(businessId, campaignId, { nextSeq: 0, total, tick: 0 });
    }
  } else {
    // Decided and written by the release function; counts are set when the audience is decided.
    list = { status: 'building', built: 0, updatedAt: at };
  }

  const scheduled = unwrap(
    await deps.store.transition(businessId, campaignId, ['draft'], 'scheduled', at, {
      ...(expectedVersion !== undefined ? { expectedVersion } : { expectedVersion: current.version }),
      template,
      ...(list ? { list, counts: { targeted: 0, skipped: {} } } : {}),
    }),
  );
  await deps.store.markRunning(businessId, campaignId);
  await deps.publisher.publish([campaignChangedEvent({ businessId, campaignId, state: 'scheduled', previousState: 'draft', version: scheduled.version, at })]);
  return scheduled;
}
