import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';

/**
 * `message.status_received` as the normalizer publishes it (see conversation/domain-events.ts).
 * Loose: later versions may add fields without breaking this consumer.
 */
export const statusReceivedDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().check(z.minLength(1)),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().check(z.minLength(1)),
  eventId: z.string().check(z.minLength(1)),
  occurredAt: z.iso.datetime({ offset: true }),
  status: z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'deleted']),
  providerMessageId: z.optional(z.string().check(z.minLength(1))),
  providerMessageIds: z.optional(z.array(z.string().check(z.minLength(1)))),
  watermark: z.optional(z.iso.datetime({ offset: true })),
  errorCodes: z.optional(z.array(z.number())),
});

export type StatusReceivedDetail = z.infer<typeof statusReceivedDetailSchema>;
