import { sha256Hex } from '#lambdas/shared/hash';

/**
 * The id of the one reply to a burst, derived from the burst's latest message: every wake-up
 * that sees the same unanswered messages (a redelivery, a concurrent invocation) computes the
 * same id, so the conditional put lets only one reply exist.
 */
export function outboundIdFor(conversationKey: string, latestProviderMessageId: string): string {
  return `out_${sha256Hex(`${conversationKey}|${latestProviderMessageId}`).slice(0, 32)}`;
}
