import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { campaignChangedEvent } from '#lambdas/campaigns/campaign-events';
import { campaignActionSchema, parseBody, unwrap } from '#lambdas/campaigns/campaign-input';
import type { Campaign } from '#lambdas/campaigns/campaign-model';
import { currentStanding, refuseWhilePauseCauseHolds } from '#lambdas/campaigns/campaign-sending';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

/**
 * An operator's pause, resume and cancel. Each is one conditional move of the campaign's state (at
 * the version the operator read, when given), then `campaign.changed` with ids, state and reason.
 * The release loop reads the state on every tick, so a pause stops releases from its next tick;
 * messages already handed to the sender go out.
 */

const now = (deps: Pick<CampaignAdminDeps, 'now'>) => (deps.now ?? (() => new Date()))();

/** Pause a scheduled or running campaign (reason `operator`). */
export async function pauseCampaign(deps: CampaignAdminDeps, businessId: string, campaignId: string, body: unknown): Promise<Campaign> {
  const { expectedVersion } = parseBody(campaignActionSchema, body);
  const before = await existing(deps, businessId, campaignId);
  const at = now(deps).toISOString();
  const paused = unwrap(
    await deps.store.transition(businessId, campaignId, ['scheduled', 'running'], 'paused', at, {
      pauseReason: 'operator',
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    }),
  );
  await deps.publisher.publish([
    campaignChangedEvent({ businessId, campaignId, state: 'paused', previousState: before.state, reason: 'operator', version: paused.version, at }),
  ]);
  return paused;
}

/**
 * Resume a paused campaign: refused, with the reason, while anything that would make it pause
 * itself still holds (the number's quality is RED or it cannot send, the template is paused or
 * disabled, the month's budget is spent), whoever paused it. A campaign paused before it started
 * goes back to `scheduled` (it starts at its time), one that had started to `running`.
 */
export async function resumeCampaign(deps: CampaignAdminDeps, businessId: string, campaignId: string, body: unknown): Promise<Campaign> {
  const { expectedVersion } = parseBody(campaignActionSchema, body);
  const current = await existing(deps, businessId, campaignId);
  if (current.state !== 'paused') throw new CampaignRequestError(409, 'wrong_state', `The campaign is ${current.state}, not paused`);
  const when = now(deps);
  await refuseWhilePauseCauseHolds(deps, businessId, await currentStanding(deps, current), when);
  const to = current.startedAt ? 'running' : 'scheduled';
  const at = when.toISOString();
  const resumed = unwrap(
    await deps.store.transition(businessId, campaignId, ['paused'], to, at, { ...(expectedVersion !== undefined ? { expectedVersion } : {}) }),
  );
  await deps.store.markRunning(businessId, campaignId);
  await deps.publisher.publish([campaignChangedEvent({ businessId, campaignId, state: to, previousState: 'paused', version: resumed.version, at })]);
  return resumed;
}

/** Cancel a campaign that has not ended: nothing more is released (what was released still goes out). */
export async function cancelCampaign(deps: CampaignAdminDeps, businessId: string, campaignId: string, body: unknown): Promise<Campaign> {
  const { expectedVersion } = parseBody(campaignActionSchema, body);
  const before = await existing(deps, businessId, campaignId);
  const at = now(deps).toISOString();
  const cancelled = unwrap(
    await deps.store.transition(businessId, campaignId, ['draft', 'scheduled', 'running', 'paused'], 'cancelled', at, {
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    }),
  );
  await deps.publisher.publish([
    campaignChangedEvent({ businessId, campaignId, state: 'cancelled', previousState: before.state, version: cancelled.version, at }),
  ]);
  return cancelled;
}

async function existing(deps: CampaignAdminDeps, businessId: string, campaignId: string): Promise<Campaign> {
  const campaign = await deps.store.get(businessId, campaignId);
  if (!campaign) throw new CampaignRequestError(404, 'campaign_not_found', 'No campaign with that id in your business');
  return campaign;
}
