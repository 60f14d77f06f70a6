import * as z from 'zod';
import type { CampaignCounter } from '#lambdas/campaigns/campaign-counts';
import { nextBuildMessage, QUIET_BUILD_MS } from '#lambdas/campaigns/campaign-list-build';
import type { Campaign } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore, ListBuilds, ReleaseTicks } from '#lambdas/campaigns/campaign-ports';
import { DEFAULT_TICK_SECONDS, watchdogVerdict } from '#lambdas/campaigns/campaign-release-decision';

export interface WatchdogDeps {
  store: CampaignStore;
  ticks: ReleaseTicks;
  /** Restarts list builds that went quiet (absent: builds are not watched). */
  builds?: ListBuilds;
  counter: CampaignCounter;
  now?: () => Date;
  tickSeconds?: number;
  /** Milliseconds left in the invocation; the rest of the list waits for the next minute. */
  remainingMs?: () => number;
  /** Campaigns looked at once (default 8). */
  parallelism?: number;
}

export interface WatchdogReport {
  listed: number;
  looked: number;
  kicked: number;
  unlisted: number;
  rolledUp: number;
  /** List builds sent their next step again. */
  buildsKicked: number;
}

const FINISHING_MARGIN_MS = 3_000;

/**
 * Every minute (EventBridge Scheduler): for each campaign on the running list, roll its counts up
 * (their shards move for days after the last release: receipts, replies, opt-outs), start a
 * scheduled one that is due, kick a running one whose loop went quiet, send a list build that went
 * quiet (or a CSV's, staged at upload, that has not started) its step again, and take ended ones
 * off the list once their counts can no longer move. A kick is an ordinary tick with the cursor's current
 * number, so a kick racing a live loop is one of the copies the loop already ignores.
 */
export async function watchCampaigns(deps: WatchdogDeps): Promise<WatchdogReport> {
  const now = (deps.now ?? (() => new Date()))();
  const listed = await deps.store.listRunning();
  const report: WatchdogReport = { listed: listed.length, looked: 0, kicked: 0, unlisted: 0, rolledUp: 0, buildsKicked: 0 };
  const parallelism = Math.max(1, deps.parallelism ?? 8);
  for (let i = 0; i < listed.length; i += parallelism) {
    if (deps.remainingMs && deps.remainingMs() < FINISHING_MARGIN_MS) break;
    await Promise.all(
      listed.slice(i, i + parallelism).map(async ({ businessId, campaignId }) => {
        const [campaign, cursor] = await Promise.all([deps.store.get(businessId, campaignId), deps.store.getRelease(businessId, campaignId)]);
        report.looked++;
        if (campaign && cursor && (await deps.counter.rollUp(businessId, campaignId, cursor.nextSeq))) report.rolledUp++;
        if (deps.builds && campaign && buildIsQuiet(campaign, now)) {
          await deps.builds.schedule(nextBuildMessage(campaign), 0);
          report.buildsKicked++;
          return;
        }
        const verdict = watchdogVerdict(campaign, cursor, now, deps.tickSeconds ?? DEFAULT_TICK_SECONDS);
        if (verdict === 'unlist') {
          await deps.store.unmarkRunning(businessId, campaignId);
          report.unlisted++;
        } else if (verdict === 'kick' && cursor) {
          await deps.ticks.schedule({ businessId, campaignId, tick: cursor.tick }, 0);
          report.kicked++;
        }
      }),
    );
  }
  return report;
}

/** A list being built whose last step is older than QUIET_BUILD_MS (or that has not started: a CSV staged at upload). */
function buildIsQuiet(campaign: Campaign, now: Date): boolean {
  const list = campaign.list;
  if (list?.status !== 'building' || campaign.state === 'cancelled' || campaign.state === 'completed') return false;
  if (list.chunks !== undefined && list.nextChunk === 0 && list.built === 0 && campaign.state === 'draft') return true;
  const since = Date.parse(list.updatedAt ?? campaign.updatedAt);
  return !Number.isFinite(since) || now.getTime() - since > QUIET_BUILD_MS;
}

/** `campaign.changed` as the ticks queue receives it from the bus. */
const campaignChangedSchema = z.looseObject({
  'detail-type': z.string(),
  detail: z.looseObject({
    businessId: z.string().min(1).max(320),
    campaignId: z.string().min(1).max(320),
    state: z.string(),
    previousState: z.string().optional(),
  }),
});

/**
 * A campaign scheduled, or resumed by a person: put it on the running list and tick it now rather
 * than at the watchdog's next minute — or, while its list is being built, send the build its step. The release loop's own moves (started, paused by itself,
 * completed) do not come here (the rule matches scheduled, and running after paused).
 */
export async function kickOnChange(
  envelope: unknown,
  deps: Pick<WatchdogDeps, 'store' | 'ticks' | 'builds'>,
): Promise<'kicked' | 'build_kicked' | 'ignored' | 'invalid'> {
  const parsed = campaignChangedSchema.safeParse(envelope);
  if (!parsed.success) return 'invalid';
  const { businessId, campaignId, state, previousState } = parsed.data.detail;
  const wanted = state === 'scheduled' || (state === 'running' && previousState === 'paused');
  if (!wanted) return 'ignored';
  const campaign = await deps.store.get(businessId, campaignId);
  // Its list is still being built: the build goes on (its first step, or the one it is at); the
  // build's last step publishes `campaign.changed` again, which kicks the loop.
  if (campaign?.list?.status === 'building') {
    if (!deps.builds) return 'ignored';
    await deps.store.markRunning(businessId, campaignId);
    await deps.builds.schedule(nextBuildMessage(campaign), 0);
    return 'build_kicked';
  }
  const cursor = await deps.store.getRelease(businessId, campaignId);
  if (!cursor) return 'ignored';
  await deps.store.markRunning(businessId, campaignId);
  await deps.ticks.schedule({ businessId, campaignId, tick: cursor.tick }, 0);
  return 'kicked';
}
