import { randomUUID } from 'node:crypto';
import { AudienceMet } from '#lambdas/campaigns/audience/audience-met';
import { addSkipped, MAX_CAMPAIGN_RECIPIENTS, SKIP_REASONS, type AudienceRecipient, type SkipReason } from '#lambdas/campaigns/audience/audience-types';
import { contactsAudience } from '#lambdas/campaigns/audience/contacts-audience';
import { planListChunks, stagedBytes } from '#lambdas/campaigns/campaign-list-chunks';
import type { Campaign, CampaignList, ListDeciding } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore, ListBuilds, ListDecidingStep } from '#lambdas/campaigns/campaign-ports';
import type { ReleaseSources } from '#lambdas/campaigns/campaign-release-sources';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { AudienceTooLargeError } from '#lambdas/campaigns/errors';

/** How much one deciding step takes on. */
export interface DecidingLimits {
  /** Stop reading pages after this long (ms): a step stays far inside the release function's minute. */
  ms: number;
  /** Stop after this many contacts looked at: the step's walk item (12 bytes a contact and a WhatsApp id) stays under DynamoDB's 400 KB. */
  contacts: number;
  /** Staged recipients' bytes a step takes at most: with its walk item and the campaign's update, its transaction stays under DynamoDB's 4 MB. */
  bytes: number;
  /** Contacts index entries a page reads (1–100). */
  pageSize: number;
}

export const DECIDING_LIMITS: DecidingLimits = { ms: 15_000, contacts: 10_000, bytes: 3_000_000, pageSize: 100 };

export interface DecidingDeps {
  store: Pick<CampaignStore, 'commitDecidingStep' | 'decidingWalk'>;
  contacts: Pick<ContactStore, 'listPage'>;
  sources: Pick<ReleaseSources, 'account' | 'template'>;
  builds: ListBuilds;
  newAttempt?: () => string;
  limits?: Partial<DecidingLimits>;
  /** Milliseconds for the step's time limit (Date.now unless a test drives it). */
  clock?: () => number;
}

export type DecidingOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'deciding'; step: number; listed: number; read: number }
  | { outcome: 'decided'; targeted: number; chunks: number }
  /** The audience cannot be listed: the caller fails the build with the reason, on condition that the list is still at `at`. */
  | {
      outcome: 'refused';
      reason: 'no_audience' | 'template_unavailable' | 'walk_missing' | 'audience_too_large' | 'empty_audience';
      at: ListDecidingStep;
      skipped?: Record<string, number>;
    };

/**
 * One step of deciding a contacts audience (the list build's first phase; campaign-list-build.ts).
 *
 * The step goes on from where the steps before it stopped — the contacts index cursor and whom
 * they met (AudienceMet: contacts and WhatsApp ids, as digests), both read from the previous
 * steps' walk items — and reads pages until it has spent its time or looked at enough contacts
 * (DecidingLimits). It decides each contact as a one-go walk would (filters, consent, duplicates,
 * variables), stages the recipients in chunks at the list positions after the earlier steps', and
 * commits all of it in one transaction with the campaign's `list.deciding` moved on, on condition
 * that the list is still at this step. So:
 *
 * - a step that dies before its commit leaves nothing: the same message again (or the watchdog's)
 *   starts from the same place and decides the same;
 * - two copies of a step racing both compute, one commits, the other's transaction is refused
 *   whole (`decided_meanwhile`); a copy arriving after its step is `stale_step`;
 * - the list's order and counts are those of one walk over the whole index, however many steps it
 *   took: a step ends only between pages, and what a page decided depends only on the index and on
 *   whom the walk met before it.
 *
 * The step that reaches the end of the index sets the counts and the list's `chunks`, and sends
 * the message that writes chunk 0; the others send the message for the next step.
 */
export async function decideListStep(campaign: Campaign, requestedStep: number | undefined, at: string, deps: DecidingDeps): Promise<DecidingOutcome> {
  const { businessId, campaignId } = campaign;
  const list = campaign.list!;
  const progress: ListDeciding = list.deciding ?? { step: 0, listed: 0, chunks: 0, skipped: {}, read: 0 };
  const { step } = progress;
  if (requestedStep !== undefined && requestedStep !== step) return { outcome: 'ignored', reason: 'stale_step' };
  const here: ListDecidingStep = step === 0 ? { step } : { step, ...(list.attempt ? { attempt: list.attempt } : {}) };
  const refuse = (reason: Extract<DecidingOutcome, { outcome: 'refused' }>['reason'], skipped?: Record<string, number>): DecidingOutcome => ({
    outcome: 'refused',
    reason,
    at: here,
    ...(skipped ? { skipped } : {}),
  });

  // A CSV's audience is decided when the file is uploaded; only a contacts audience comes here.
  if (campaign.audience.kind !== 'contacts') return refuse('no_audience');
  const account = await deps.sources.account(campaign.accountId);
  const template = account?.wabaId ? await deps.sources.template(account.wabaId, campaign.template.name, campaign.template.language) : undefined;
  const category = campaign.template.category;
  if (!template || template.status === 'DELETED' || !category) return refuse('template_unavailable');

  const limits = { ...DECIDING_LIMITS, ...deps.limits };
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const attempt = step === 0 ? (deps.newAttempt ?? (() => randomUUID().replaceAll('-', '')))() : list.attempt;
  if (!attempt) return refuse('walk_missing');
  const walked = step === 0 ? { met: [] } : await deps.store.decidingWalk(businessId, campaignId, attempt, step);
  // A step after the first goes on from its predecessor's cursor; without it (expired after a week) the walk cannot go on.
  if (step > 0 && !walked.cursor) return refuse('walk_missing');
  const met = new AudienceMet(walked.met);

  const recipients: AudienceRecipient[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  let cursor = walked.cursor;
  let read = 0;
  let pages = 0;
  let bytes = 0;
  let ended = false;
  let mark = met.mark();
  try {
    const walk = contactsAudience({
      businessId,
      audience: campaign.audience,
      template: { template, category, ...(campaign.template.headerMediaLink ? { headerMediaLink: campaign.template.headerMediaLink } : {}) },
      contacts: deps.contacts,
      pageSize: limits.pageSize,
      maxRecipients: MAX_CAMPAIGN_RECIPIENTS - progress.listed,
      met,
      ...(cursor ? { from: cursor } : {}),
    });
    for await (const page of walk) {
      const pageBytes = page.recipients.reduce((n, r) => n + stagedBytes(r), 0);
      // A page that would take the step past one transaction is left, unread, for the next step
      // (a step's first page always fits: 100 recipients of Meta's longest variables).
      if (pages > 0 && bytes + pageBytes > limits.bytes) {
        met.undo(mark);
        break;
      }
      recipients.push(...page.recipients);
      for (const reason of SKIP_REASONS) if (page.skipped[reason]) addSkipped(skipped, reason, page.skipped[reason]);
      read += page.contactsRead ?? 0;
      bytes += pageBytes;
      pages++;
      cursor = page.cursor;
      mark = met.mark();
      if (!cursor) {
        ended = true;
        break;
      }
      if (read >= limits.contacts || clock() - started >= limits.ms) break;
    }
  } catch (err) {
    if (err instanceof AudienceTooLargeError) return refuse('audience_too_large');
    throw err;
  }

  const listed = progress.listed + recipients.length;
  const allSkipped = { ...progress.skipped };
  for (const [reason, n] of Object.entries(skipped)) allSkipped[reason] = (allSkipped[reason] ?? 0) + n;
  const chunks = planListChunks(recipients, { firstSeq: progress.listed }).map((staged, i) => ({ chunk: progress.chunks + i, staged }));
  const staged = progress.chunks + chunks.length;

  if (ended) {
    if (listed === 0) return refuse('empty_audience', allSkipped);
    const decided: CampaignList = { status: 'building', built: 0, chunks: staged, nextChunk: 0, attempt, updatedAt: at };
    if (
      !(await deps.store.commitDecidingStep(businessId, campaignId, {
        step,
        attempt,
        list: decided,
        chunks,
        counts: { targeted: listed, skipped: allSkipped },
      }))
    ) {
      return { outcome: 'ignored', reason: 'decided_meanwhile' };
    }
    await deps.builds.schedule({ businessId, campaignId, chunk: 0 }, 0);
    return { outcome: 'decided', targeted: listed, chunks: staged };
  }

  const next: CampaignList = {
    status: 'building',
    built: 0,
    attempt,
    updatedAt: at,
    deciding: { step: step + 1, listed, chunks: staged, skipped: allSkipped, read: progress.read + read },
  };
  if (!(await deps.store.commitDecidingStep(businessId, campaignId, { step, attempt, list: next, chunks, walk: { met: met.digest(), cursor: cursor! } }))) {
    return { outcome: 'ignored', reason: 'decided_meanwhile' };
  }
  await deps.builds.schedule({ businessId, campaignId, chunk: 0, step: step + 1 }, 0);
  return { outcome: 'deciding', step, listed, read: progress.read + read };
}
