import * as z from 'zod';

/**
 * `message.received` as the normalizer publishes it (see conversation/domain-events.ts). It only
 * wakes the agent up; what to answer is read from the table.
 */
export const messageReceivedDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().min(1),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().min(1),
  providerMessageId: z.string().min(1),
  occurredAt: z.string().optional(),
  origin: z.string().optional(),
  direction: z.string().optional(),
  standby: z.boolean().optional(),
});

export type MessageReceivedDetail = z.infer<typeof messageReceivedDetailSchema>;
