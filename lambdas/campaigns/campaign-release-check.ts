import * as z from 'zod';
import type { CampaignRecipient } from '#lambdas/campaigns/campaign-model';
import type { CampaignSendQueue, CampaignStore } from '#lambdas/campaigns/campaign-ports';
import type { CampaignMessages } from '#lambdas/campaigns/campaign-send-items';
import { campaignMessageId } from '#lambdas/campaigns/campaign-keys';
import { conversationKey as conversationKeyOf } from '#lambdas/conversation/conversation-key';

/**
 * The release check: a quarter of an hour after a tick, its recipients' messages are looked at
 * again, the campaign's counterpart of the reply watch (outbound/watch-reply.ts). One delayed
 * message per tick on the ticks queue names the tick's list positions, not one per send.
 *
 * - Sent, delivered, read or failed: done.
 * - Still `pending`: its send request was lost (a message dead-lettered, a queue purged): asked for
 *   again on the campaign sender's queue; the sender claims it once, so a request that was only
 *   slow is harmless.
 * - `sending`, claimed over five minutes ago without Meta's answer: the sender's invocation died
 *   between claiming and recording. Meta echoes our id in every receipt of a send it took
 *   (status/complete-interrupted-send.ts), so a quarter of an hour without one means Meta has not
 *   got it: back to `pending` (on condition the same claim still stands) and asked for again.
 * - Claimed recently: looked at again at the next check.
 * Three checks at most (45 minutes); what is still open after them is reported.
 */
export const RELEASE_CHECK_DELAY_SECONDS = 900;
export const MAX_RELEASE_CHECKS = 3;

export const releaseCheckSchema = z.strictObject({
  businessId: z.string().min(1).max(320),
  campaignId: z.string().min(1).max(320),
  check: z.strictObject({
    fromSeq: z.number().int().min(0).max(99_999_999),
    toSeq: z.number().int().min(0).max(100_000_000),
    round: z.number().int().min(1).max(MAX_RELEASE_CHECKS),
  }),
});
export type ReleaseCheck = z.infer<typeof releaseCheckSchema>;

export interface ReleaseCheckDeps {
  store: Pick<CampaignStore, 'get' | 'recipientsFrom'>;
  messages: CampaignMessages;
  sendQueue: CampaignSendQueue;
  /** Schedules the next check of the same positions. */
  scheduleCheck(check: ReleaseCheck, delaySeconds: number): Promise<void>;
  now?: () => Date;
  /** Seconds to the next check (default RELEASE_CHECK_DELAY_SECONDS). */
  checkDelaySeconds?: number;
}

export type ReleaseCheckOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'checked'; looked: number; askedAgain: number; claimsReleased: number; stillOpen: number; givenUp: boolean };

export async function checkRelease(body: unknown, deps: ReleaseCheckDeps): Promise<ReleaseCheckOutcome> {
  const parsed = releaseCheckSchema.safeParse(body);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const { businessId, campaignId, check } = parsed.data;
  const now = (deps.now ?? (() => new Date()))();
  const campaign = await deps.store.get(businessId, campaignId);
  if (!campaign) return { outcome: 'checked', looked: 0, askedAgain: 0, claimsReleased: 0, stillOpen: 0, givenUp: false };

  const recipients: CampaignRecipient[] = [];
  for (let next = check.fromSeq; next < check.toSeq; ) {
    const page = await deps.store.recipientsFrom(businessId, campaignId, next, check.toSeq - next);
    const inRange = page.filter((r) => r.seq < check.toSeq);
    recipients.push(...inRange);
    if (inRange.length === 0 || inRange.length < page.length) break;
    next = inRange.at(-1)!.seq + 1;
  }
  const again: Array<{ conversationKey: string; outboundId: string; accountId: string; delaySeconds: number }> = [];
  let claimsReleased = 0;
  let stillOpen = 0;
  for (let i = 0; i < recipients.length; i += 25) {
    await Promise.all(
      recipients.slice(i, i + 25).map(async (r) => {
        if (r.state === 'failed' || r.state === 'queued') return;
        const conversationKey = r.conversationKey ?? conversationKeyOf('whatsapp', campaign.accountId, r.waId);
        const outboundId = r.messageId ?? campaignMessageId(campaignId, r.waId);
        const standing = await deps.messages.standing(conversationKey, outboundId, now);
        if (standing === 'done' || standing === 'missing') return;
        if (standing === 'sending') {
          stillOpen++;
          return;
        }
        if (standing === 'stale_claim') {
          if (!(await deps.messages.releaseStaleClaim(conversationKey, outboundId, now))) return;
          claimsReleased++;
        }
        again.push({ conversationKey, outboundId, accountId: campaign.accountId, delaySeconds: 0 });
        stillOpen++;
      }),
    );
  }
  if (again.length > 0) await deps.sendQueue.enqueue(again);
  const givenUp = stillOpen > 0 && check.round >= MAX_RELEASE_CHECKS;
  if (stillOpen > 0 && !givenUp)
    await deps.scheduleCheck({ businessId, campaignId, check: { ...check, round: check.round + 1 } }, deps.checkDelaySeconds ?? RELEASE_CHECK_DELAY_SECONDS);
  return { outcome: 'checked', looked: recipients.length, askedAgain: again.length, claimsReleased, stillOpen, givenUp };
}
