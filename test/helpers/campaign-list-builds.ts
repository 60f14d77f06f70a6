import { buildListStep, nextBuildMessage, type ListBuildDeps, type ListBuildOutcome } from '#lambdas/campaigns/campaign-list-build';
import type { CampaignLookups } from '#lambdas/campaigns/campaign-admin-deps';
import type { ListBuilds } from '#lambdas/campaigns/campaign-ports';
import type { ReleaseSources } from '#lambdas/campaigns/campaign-release-sources';

export interface BuildMessage {
  kind: 'build';
  businessId: string;
  campaignId: string;
  chunk: number;
  step?: number;
}

/** List build messages kept in memory, as the ticks queue would hold them. */
export function queuedListBuilds(): ListBuilds & { messages: BuildMessage[] } {
  const messages: BuildMessage[] = [];
  return {
    messages,
    schedule: async (b) =>
      void messages.push({
        kind: 'build',
        businessId: b.businessId,
        campaignId: b.campaignId,
        chunk: b.chunk,
        ...(b.step !== undefined ? { step: b.step } : {}),
      }),
  };
}

/** The admin use cases' lookups as the release function's sources (the same reads). */
export const sourcesOf = (lookups: Pick<CampaignLookups, 'account' | 'template'>) => lookups as unknown as Pick<ReleaseSources, 'account' | 'template'>;

/**
 * Runs a campaign's list build as the release function would: the step its list expects, then every
 * message the steps send, until none is left. Returns each step's outcome.
 */
export async function runListBuild(deps: Omit<ListBuildDeps, 'builds'>, businessId: string, campaignId: string, maxSteps = 1_000): Promise<ListBuildOutcome[]> {
  const builds = queuedListBuilds();
  const campaign = await deps.store.get(businessId, campaignId);
  builds.messages.push({ kind: 'build', ...(campaign ? nextBuildMessage(campaign) : { businessId, campaignId, chunk: 0 }) });
  const outcomes: ListBuildOutcome[] = [];
  for (let step = 0; step < maxSteps && builds.messages.length > 0; step++) outcomes.push(await buildListStep(builds.messages.shift(), { ...deps, builds }));
  return outcomes;
}
