import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';

/**
 * Message types whose attachment is a file worth keeping. Shares, story mentions and reels point
 * at someone's public post, not at a file the customer sent, so they are not copied.
 */
export const DOWNLOADABLE_MESSAGE_TYPES = ['image', 'audio', 'video', 'document', 'sticker', 'file'] as const;

/**
 * `message.received` as the normalizer publishes it (conversation/domain-events.ts), the part the
 * media consumer needs. Loose: later versions may add fields without breaking this consumer.
 */
export const mediaReceivedDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().check(z.minLength(1)),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().check(z.minLength(1)),
  providerMessageId: z.string().check(z.minLength(1)),
  occurredAt: z.iso.datetime({ offset: true }),
  type: z.string().check(z.minLength(1)),
});

export type MediaReceivedDetail = z.infer<typeof mediaReceivedDetailSchema>;

export function isDownloadableType(type: string): boolean {
  return (DOWNLOADABLE_MESSAGE_TYPES as readonly string[]).includes(type);
}
