import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { AudienceTooLargeError, SKIP_REASONS, type AudienceChunk, type AudienceRecipient, type SkipReason } from '#lambdas/campaigns/audience/audience-types';
import { contactsAudience } from '#lambdas/campaigns/audience/contacts-audience';
import { campaignChangedEvent } from '#lambdas/campaigns/campaign-events';
import type { Campaign, CampaignList } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore, ListBuilds, StagedChunk } from '#lambdas/campaigns/campaign-ports';
import type { ReleaseSources } from '#lambdas/campaigns/campaign-release-sources';
import type { ContactStore } from '#lambdas/contacts/contact-ports';

/**
 * Recipients one build message writes at most. DynamoDB Local on a loaded 2-core machine writes
 * about 150 a second (about 7 s a chunk); real DynamoDB far more: either way well inside the
 * release function's minute.
 */
export const CHUNK_RECIPIENTS = 1_000;
/** A staged chunk's recipients as JSON at most (the item must stay under DynamoDB's 400 KB). */
export const CHUNK_BYTES = 300_000;
/** A CSV audience with at most this many recipients is written within the create request (a few seconds); a larger one in the background. */
export const DIRECT_WRITE_MAX = 2_000;
/** A build that has not moved for this long is kicked again by the watchdog (a chunk takes seconds). */
export const QUIET_BUILD_MS = 60_000;

/** A build message on the ticks queue: write chunk `chunk` of the campaign's list (chunk 0 of an undecided list decides it first). */
export const listBuildSchema = z.strictObject({
  kind: z.literal('build'),
  businessId: z.string().min(1).max(320),
  campaignId: z.string().min(1).max(320),
  chunk: z.number().int().min(0).max(1_000_000),
});

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

/**
 * Cuts a decided audience into the chunks its build writes, in list order: at most `maxRecipients`
 * and `maxBytes` of JSON each (a recipient's variables can be long). Each chunk starts at the list
 * position after the previous one, so writing a chunk again puts the same recipients at the same
 * places (the store's guards make the repeat add nothing).
 */
export function planListChunks(recipients: readonly AudienceRecipient[], limits: { maxRecipients?: number; maxBytes?: number } = {}): StagedChunk[] {
  const maxRecipients = Math.max(1, limits.maxRecipients ?? CHUNK_RECIPIENTS);
  const maxBytes = Math.max(1, limits.maxBytes ?? CHUNK_BYTES);
  const chunks: StagedChunk[] = [];
  let current: StagedChunk = { firstSeq: 0, recipients: [] };
  let bytes = 2;
  recipients.forEach((r, i) => {
    const size = JSON.stringify(r).length + 1;
    if (current.recipients.length > 0 && (current.recipients.length >= maxRecipients || bytes + size > maxBytes)) {
      chunks.push(current);
      current = { firstSeq: i, recipients: [] };
      bytes = 2;
    }
    current.recipients.push(r);
    bytes += size;
  });
  if (current.recipients.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Stages a decided audience: its chunks first, then the campaign's `list` names them and the
 * counts are set — on condition that no other step decided it first (that step's chunks win;
 * these expire). A crash before the list names them leaves only expiring items.
 */
export async function stageDecidedList(
  store: Pick<CampaignStore, 'putListChunk' | 'setList'>,
  businessId: string,
  campaignId: string,
  decided: DecidedAudience,
  attempt: string,
  at: string,
): Promise<{ won: boolean; list: CampaignList }> {
  const list = await putChunks(store, businessId, campaignId, decided, attempt, at);
  const won = await store.setList(businessId, campaignId, list, { when: { undecided: true }, counts: { targeted: decided.recipients.length, skipped: { ...decided.skipped } as Record<string, number> } });
  return { won, list };
}

/** The staged chunks of a decided audience for a campaign item not yet written (a CSV's create): the list it starts with. */
export async function stageForNewCampaign(store: Pick<CampaignStore, 'putListChunk'>, businessId: string, campaignId: string, decided: DecidedAudience, at: string): Promise<CampaignList> {
  return putChunks(store, businessId, campaignId, decided, randomUUID().replaceAll('-', ''), at);
}

async function putChunks(store: Pick<CampaignStore, 'putListChunk'>, businessId: string, campaignId: string, decided: DecidedAudience, attempt: string, at: string): Promise<CampaignList> {
  const chunks = planListChunks(decided.recipients);
  for (let i = 0; i < chunks.length; i += 4) await Promise.all(chunks.slice(i, i + 4).map((c, j) => store.putListChunk(businessId, campaignId, attempt, i + j, c)));
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
}

export type ListBuildOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'decided'; targeted: number; chunks: number }
  | { outcome: 'written'; chunk: number; built: number }
  | { outcome: 'ready'; targeted: number }
  | { outcome: 'failed'; reason: string };

/**
 * One step of a campaign's list build, from a `{ kind: 'build', chunk }` message on the ticks queue.
 *
 * - An undecided list (a contacts audience just scheduled): walk the business's contacts now, as
 *   they are (reads only: filters, consent, duplicates, variables), stage the decided audience in
 *   chunks and set the counts; then the message for chunk 0. An audience with nobody in it, or
 *   more than a campaign may reach, sends the campaign back to `draft` with the list `failed`.
 * - Otherwise write the chunk the list expects to the list, move `list.nextChunk` on (only from the
 *   chunk read: of two copies of a message one moves it), and send the message for the next.
 * - After the last chunk: the release cursor at the list's start, the list `ready`, and
 *   `campaign.changed` (a scheduled campaign's release loop is kicked by it).
 *
 * Every step is safe to repeat: a message for another chunk than the list's next does nothing, a
 * chunk written again (a crash after its writes, a copy) finds its recipients at their places, and
 * the watchdog sends the message again for a build that went quiet (a crash after moving on and
 * before sending the next message).
 */
export async function buildListStep(body: unknown, deps: ListBuildDeps): Promise<ListBuildOutcome> {
  const parsed = listBuildSchema.safeParse(body);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const { businessId, campaignId, chunk } = parsed.data;
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const campaign = await deps.store.get(businessId, campaignId);
  if (!campaign) return { outcome: 'ignored', reason: 'no_campaign' };
  const list = campaign.list;
  if (!list || list.status !== 'building') return { outcome: 'ignored', reason: 'not_building' };
  if (campaign.state === 'cancelled' || campaign.state === 'completed') return { outcome: 'ignored', reason: `campaign_${campaign.state}` };

  if (list.chunks === undefined) return decide(campaign, at, deps);
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

async function decide(campaign: Campaign, at: string, deps: ListBuildDeps): Promise<ListBuildOutcome> {
  const { businessId, campaignId } = campaign;
  // A CSV's audience is decided when the file is uploaded; only a contacts audience comes here.
  if (campaign.audience.kind !== 'contacts') return fail(campaign, 'no_audience', at, deps);
  const account = await deps.sources.account(campaign.accountId);
  const template = account?.wabaId ? await deps.sources.template(account.wabaId, campaign.template.name, campaign.template.language) : undefined;
  const category = campaign.template.category;
  if (!template || template.status === 'DELETED' || !category) return fail(campaign, 'template_unavailable', at, deps);
  let decided: DecidedAudience;
  try {
    decided = await decideAudience(
      contactsAudience({
        businessId,
        audience: campaign.audience,
        template: { template, category, ...(campaign.template.headerMediaLink ? { headerMediaLink: campaign.template.headerMediaLink } : {}) },
        contacts: deps.contacts,
      }),
    );
  } catch (err) {
    if (err instanceof AudienceTooLargeError) return fail(campaign, 'audience_too_large', at, deps);
    throw err;
  }
  if (decided.recipients.length === 0) return fail(campaign, 'empty_audience', at, deps, decided.skipped);
  const attempt = (deps.newAttempt ?? (() => randomUUID().replaceAll('-', '')))();
  const staged = await stageDecidedList(deps.store, businessId, campaignId, decided, attempt, at);
  if (!staged.won) return { outcome: 'ignored', reason: 'decided_meanwhile' };
  await deps.builds.schedule({ businessId, campaignId, chunk: 0 }, 0);
  return { outcome: 'decided', targeted: decided.recipients.length, chunks: staged.list.chunks! };
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

/** The audience cannot be listed: the list `failed` with the reason and the campaign back to `draft` to be changed. */
async function fail(campaign: Campaign, reason: string, at: string, deps: ListBuildDeps, skipped: Partial<Record<SkipReason, number>> = {}): Promise<ListBuildOutcome> {
  const { businessId, campaignId } = campaign;
  await deps.store.setList(businessId, campaignId, { status: 'failed', built: 0, reason, updatedAt: at }, { counts: { targeted: 0, skipped: { ...skipped } as Record<string, number> } });
  if (campaign.state === 'scheduled' || campaign.state === 'paused') {
    const back = await deps.store.transition(businessId, campaignId, ['scheduled', 'paused'], 'draft', at);
    if (back.ok) await deps.publisher.publish([campaignChangedEvent({ businessId, campaignId, state: 'draft', previousState: campaign.state, version: back.value.version, at })]);
  }
  await deps.store.unmarkRunning(businessId, campaignId);
  return { outcome: 'failed', reason };
}
