import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';

/**
 * `message.received` as the normalizer publishes it (see conversation/domain-events.ts). It only
 * wakes the agent up; what to answer is read from the table.
 */
export const messageReceivedDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().check(z.minLength(1)),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().check(z.minLength(1)),
  providerMessageId: z.string().check(z.minLength(1)),
  occurredAt: z.optional(z.string()),
  origin: z.optional(z.string()),
  direction: z.optional(z.string()),
  standby: z.optional(z.boolean()),
});

export type MessageReceivedDetail = z.infer<typeof messageReceivedDetailSchema>;
