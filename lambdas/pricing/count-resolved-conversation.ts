import * as z from 'zod';
import { expiresAt } from '#lambdas/conversation/table-keys';
import { monthOf, RESOLVED_MARK_DAYS } from '#lambdas/pricing/spend-keys';
import type { SpendStore } from '#lambdas/pricing/spend-store';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

/** How a conversation ended that counts as resolved for spend per resolved conversation (analytics' meta_spend_per_resolution too). */
const RESOLVED_CLOSES = new Set(['resolved', 'converted']);
const RESOLVED_ENDS = new Set(['resolved_by_bot']);

const endSchema = z.object({
  conversationKey: z.string().min(1).max(1_000),
  accountId: z.string().min(1).max(320),
  outcome: z.string().max(64),
  closedAt: z.iso.datetime({ offset: true }).optional(),
  endedAt: z.iso.datetime({ offset: true }).optional(),
});

export type ResolvedCounted =
  | { outcome: 'counted'; businessId: string; month: string }
  | { outcome: 'repeat' | 'not_resolved' | 'no_business' }
  | { outcome: 'invalid'; issues: string[] };

/**
 * `conversation.closed` (a person's close) and `conversation.ended` (the bot's end) → one more
 * resolved conversation in the business's month, when the outcome says resolved. EventBridge may
 * deliver either twice: a mark per conversation and end time makes the count once.
 */
export async function countResolvedConversation(
  detailType: string,
  detail: unknown,
  deps: { store: SpendStore; businessOfAccount(accountId: string): Promise<string | undefined>; retentionDays?: number },
): Promise<ResolvedCounted> {
  const parsed = endSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const end = parsed.data;
  const closed = detailType === DETAIL_TYPE.conversationClosed;
  const at = closed ? end.closedAt : detailType === DETAIL_TYPE.conversationEnded ? end.endedAt : undefined;
  if (!at) return { outcome: 'invalid', issues: [closed ? 'closedAt: required' : 'endedAt: required'] };
  if (!(closed ? RESOLVED_CLOSES : RESOLVED_ENDS).has(end.outcome)) return { outcome: 'not_resolved' };
  const businessId = await deps.businessOfAccount(end.accountId);
  if (!businessId) return { outcome: 'no_business' };
  const month = monthOf(at);
  const counted = await deps.store.countResolved(
    businessId,
    month,
    end.conversationKey,
    new Date(at).toISOString(),
    expiresAt(at, deps.retentionDays ?? RESOLVED_MARK_DAYS),
  );
  return counted ? { outcome: 'counted', businessId, month } : { outcome: 'repeat' };
}
