import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { SKIP_REASONS, type AudienceChunk, type AudienceRecipient, type SkipReason } from '#lambdas/campaigns/audience/audience-types';
import { campaignChangedEvent } from '#lambdas/campaigns/campaign-events';
import { planListChunks } from '#lambdas/campaigns/campaign-list-chunks';
import { decideListStep, type DecidingLimits } from '#lambdas/campaigns/campaign-list-decide';
import type { Campaign, CampaignList } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore, ListBuilds, ListDecidingStep } from '#lambdas/campaigns/campaign-ports';
import type { ReleaseSources } from '#lambdas/campaigns/campaign-release-sources';
import type { ContactStore } from '#lambdas/contacts/contact-ports';

export { CHUNK_BYTES, CHUNK_RECIPIENTS, planListChunks } from '#lambdas/campaigns/campaign-list-chunks';

/** A CSV audience with at most this many recipients is written within the create request (a few seconds); a larger one in the background. */
export const DIRECT_WRITE_MAX = 2_000;
/** A build that has not moved for this long is kicked again by the watchdog (a chunk takes seconds). */
export const QUIET_BUILD_MS = 60_000;

/**
 * A build message on the ticks queue: write chunk `chunk` of the campaign's list, or, while its
 * audience is being decided, take deciding step `step` (a message without `step` for an undecided
 * list takes the step the list is at).
 */
export const listBuildSchema = z.strictObject({
  kind: z.literal('build'),
  businessId: z.string().min(1).max(320),
  campaignId: z.string().min(1).max(320),
  chunk: z.number().int().min(0).max(1_000_000),
  step: z.number().int().min(0).max(1_000_000).optional(),
});

/** The message that moves a list being built on from where it is (a kick: the watchdog, `campaign.changed`). */
export function nextBuildMessage(campaign: Pick<Campaign, 'businessId' | 'campaignId' | 'list'>): {
  businessId: string;
  campaignId: string;
  chunk: number;
  step?: number;
} {
  const list = campaign.list;
  const base = { businessId: campaign.businessId, campaignId: campaign.campaignId, chunk: list?.nextChunk ?? 0 };
  return list && list.chunks === undefined ? { ...base, step: list.deciding?.step ?? 0 } : base;
}

export interface DecidedAudience {
  recipients: AudienceRecipient[];
  skipped: Partial<Record<SkipReason, number>>;
}

/** Walks a whole audience in memory (reads only): who goes on the list, in order, and who is left off. */
export async function decideAudience(audience: AsyncIterable<AudienceChunk>): Promise<DecidedAudience> {
  const recipients: AudienceRecipient[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  for await (const chunk of audience) {
    for (const reason of SKIP_REASONS) if (chunk.skipped[reason]) skipped[reason] = (skipped[reason] ?? 0) + chunk.skipped[reason]!;
    for (const r of chunk.recipients) recipients.push(r);
  }
  return { recipients, skipped };
}

/** The staged chunks of a decided audience for a campaign item not yet written (a CSV's create): the list it starts with. */
export async function stageForNewCampaign(
  store: Pick<CampaignStore, 'putListChunk'>,
  businessId: string,
  campaignId: string,
  decided: DecidedAudience,
  at: string,
): Promise<CampaignList> {
  return putChunks(store, businessId, campaignId, decided, randomUUID().replaceAll('-', ''), at);
}

async function putChunks(
  store: Pick<CampaignStore, 'putListChunk'>,
  businessId: string,
  campaignId: string,
  decided: DecidedAudience,
  attempt: string,
  at: string,
): Promise<CampaignList> {
  const chunks = planListChunks(decided.recipients);
  for (let i = 0; i < chunks.length; i += 4)
    await Promise.all(chunks.slice(i, i + 4).map((c, j) => store.putListChunk(businessId, campaignId, attempt, i + j, c)));
  return { status: 'building', built: 0, chunks: chunks.length, nextChunk: 0, attempt, updatedAt: at };
}

export interface ListBuildDeps {
  store: CampaignStore;
  contacts: Pick<ContactStore, 'listPage'>;
  sources: Pick<ReleaseSources, 'account' | 'template'>;
  builds: ListBuilds;
  publisher: EventPublisher;
  now?: () => Date;
  newAttempt?: () => string;
  /** How much one deciding step takes on (campaign-list-decide.ts; tests make steps small). */
  decidingLimits?: Partial<DecidingLimits>;
  /** Milliseconds for a deciding step's time limit (Date.now unless a test drives it). */
  clock?: () => number;
}

export type ListBuildOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'deciding'; step: number; listed: number; read: number }
  | { outcome: 'decided'; targeted: number; chunks: number }
  | { outcome: 'written'; chunk: number; built: number }
  | { outcome: 'ready'; targeted: number }
  | { outcome: 'failed'; reason: string };

/**
 * One step of a campaign's list build, from a `{ kind: 'build', chunk, step? }` message on the ticks queue.
 *
 * - An undecided list (a contacts audience just scheduled): a deciding step (campaign-list-decide.ts)
 *   walks the next slice of the business's contacts as they are (reads only: filters, consent,
 *   duplicates, variables), stages who goes on the list in chunks and sends the message for the
 *   next step; the step that reaches the end of the contacts sets the counts and sends the message
 *   for chunk 0. An audience with nobody in it, or more than a campaign may reach, sends the
 *   campaign back to `draft` with the list `failed`.
 * - Otherwise write the chunk the list expects to the list, move `list.nextChunk` on (only from the
 *   chunk read: of two copies of a message one moves it), and send the message for the next.
 * - After the last chunk: the release cursor at the list's start, the list `ready`, and
 *   `campaign.changed` (a scheduled campaign's release loop is kicked by it).
 *
 * Every step is safe to repeat: a message for another step or chunk than the list's next does
 * nothing, a deciding step commits all it decided in one transaction or nothing, a chunk written
 * again (a crash after its writes, a copy) finds its recipients at their places, and the watchdog
 * sends the message again for a build that went quiet (a crash after moving on and before sending
 * the next message).
 */
export async function buildListStep(body: unknown, deps: ListBuildDeps): Promise<ListBuildOutcome> {
  const parsed = listBuildSchema.safeParse(body);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const { businessId, campaignId, chunk, step } = parsed.data;
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const campaign = await deps.store.get(businessId, campaignId);
  if (!campaign) return { outcome: 'ignored', reason: 'no_campaign' };
  const list = campaign.list;
  if (list?.status !== 'building') return { outcome: 'ignored', reason: 'not_building' };
  if (campaign.state === 'cancelled' || campaign.state === 'completed') return { outcome: 'ignored', reason: `campaign_${campaign.state}` };

  if (list.chunks === undefined) return decide(campaign, step, at, deps);
  // A deciding step's message (a copy, or one that lost its race) after the audience was decided.
  if (step !== undefined) return { outcome: 'ignored', reason: 'stale_step' };
  if (chunk !== list.nextChunk) return { outcome: 'ignored', reason: 'stale_chunk' };
  if (chunk >= list.chunks) return finish(campaign, list, at, deps);

  const staged = list.attempt ? await deps.store.listChunk(businessId, campaignId, list.attempt, chunk) : undefined;
  if (!staged) return fail(campaign, 'chunk_missing', at, deps);
  const written = await deps.store.addRecipients(businessId, campaignId, staged.firstSeq, staged.recipients);
  const next: CampaignList = { ...list, built: written.nextSeq, nextChunk: chunk + 1, updatedAt: at };
  if (!(await deps.store.setList(businessId, campaignId, next, { when: { nextChunk: chunk } }))) return { outcome: 'ignored', reason: 'overtaken' };
  if (chunk + 1 >= list.chunks) return finish(campaign, next, at, deps);
  await deps.builds.schedule({ businessId, campaignId, chunk: chunk + 1 }, 0);
  return { outcome: 'written', chunk, built: written.nextSeq };
}

async function decide(campaign: Campaign, step: number | undefined, at: string, deps: ListBuildDeps): Promise<ListBuildOutcome> {
  const outcome = await decideListStep(campaign, step, at, {
    store: deps.store,
    contacts: deps.contacts,
    sources: deps.sources,
    builds: deps.builds,
    ...(deps.newAttempt ? { newAttempt: deps.newAttempt } : {}),
    ...(deps.decidingLimits ? { limits: deps.decidingLimits } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  if (outcome.outcome !== 'refused') return outcome;
  return fail(campaign, outcome.reason, at, deps, outcome.skipped, outcome.at);
}

async function finish(campaign: Campaign, list: CampaignList, at: string, deps: ListBuildDeps): Promise<ListBuildOutcome> {
  const { businessId, campaignId } = campaign;
  const total = await deps.store.listEnd(businessId, campaignId);
  // A copy of the last step finishing again must not move a cursor the release loop already moved.
  if (!(await deps.store.getRelease(businessId, campaignId))) await deps.store.putRelease(businessId, campaignId, { nextSeq: 0, total, tick: 0 });
  await deps.store.setList(businessId, campaignId, { ...list, status: 'ready', built: total, updatedAt: at }, { when: { nextChunk: list.nextChunk ?? 0 } });
  const now = await deps.store.get(businessId, campaignId);
  // The state as it is now (scheduled, or paused or still a draft): a scheduled one's loop is kicked by it.
  if (now) await deps.publisher.publish([campaignChangedEvent({ businessId, campaignId, state: now.state, version: now.version, at })]);
  return { outcome: 'ready', targeted: total };
}

/**
 * The audience cannot be listed: the list `failed` with the reason and the campaign back to `draft`
 * to be changed. While deciding, only if the list is still at the step that found it (`deciding`):
 * a copy of the step that lost its race changes nothing.
 */
async function fail(
  campaign: Campaign,
  reason: string,
  at: string,
  deps: ListBuildDeps,
  skipped: Partial<Record<SkipReason, number>> = {},
  deciding?: ListDecidingStep,
): Promise<ListBuildOutcome> {
  const { businessId, campaignId } = campaign;
  const failed = await deps.store.setList(
    businessId,
    campaignId,
    { status: 'failed', built: 0, reason, updatedAt: at },
    {
      counts: { targeted: 0, skipped: { ...skipped } as Record<string, number> },
      ...(deciding ? { when: { deciding } } : {}),
    },
  );
  if (!failed) return { outcome: 'ignored', reason: 'decided_meanwhile' };
  if (campaign.state === 'scheduled' || campaign.state === 'paused') {
    const back = await deps.store.transition(businessId, campaignId, ['scheduled', 'paused'], 'draft', at);
    if (back.ok)
      await deps.publisher.publish([
        campaignChangedEvent({ businessId, campaignId, state: 'draft', previousState: campaign.state, version: back.value.version, at }),
      ]);
  }
  await deps.store.unmarkRunning(businessId, campaignId);
  return { outcome: 'failed', reason };
}
