import { SKIP_REASONS, type AudienceChunk, type SkipReason } from '#lambdas/campaigns/audience/audience-types';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';

/** Recipients written per store call. */
const WRITE_BATCH = 1_600;

export interface BuiltList {
  /** Customers on the list (its length). */
  targeted: number;
  skipped: Partial<Record<SkipReason, number>>;
}

/**
 * Writes an audience onto a campaign's list, in order, and tallies who was left off. The list goes
 * on from where it ends: a build that crashed half way and is run again (the same audience, or the
 * audience as it is now) adds only those not on the list yet, and the store's guards keep anyone
 * from being on it twice. The audience itself dedupes within one walk, so the store's duplicates
 * here are customers an earlier try already listed: they count as targeted, not as skipped.
 */
export async function buildRecipientList(store: Pick<CampaignStore, 'listEnd' | 'addRecipients'>, businessId: string, campaignId: string, audience: AsyncIterable<AudienceChunk>): Promise<BuiltList> {
  let nextSeq = await store.listEnd(businessId, campaignId);
  const skipped: Partial<Record<SkipReason, number>> = {};
  let pending: AudienceChunk['recipients'] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const out = await store.addRecipients(businessId, campaignId, nextSeq, pending);
    nextSeq = out.nextSeq;
    pending = [];
  };
  for await (const chunk of audience) {
    for (const reason of SKIP_REASONS) if (chunk.skipped[reason]) skipped[reason] = (skipped[reason] ?? 0) + chunk.skipped[reason]!;
    pending.push(...chunk.recipients);
    if (pending.length >= WRITE_BATCH) await flush();
  }
  await flush();
  return { targeted: nextSeq, skipped };
}
