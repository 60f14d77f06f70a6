import * as z from 'zod';

/**
 * `message.status_received` as the normalizer publishes it (see conversation/domain-events.ts).
 * Loose: later versions may add fields without breaking this consumer.
 */
export const statusReceivedDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().min(1),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().min(1),
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  status: z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'deleted']),
  providerMessageId: z.string().min(1).optional(),
  providerMessageIds: z.array(z.string().min(1)).optional(),
  watermark: z.iso.datetime({ offset: true }).optional(),
  errorCodes: z.array(z.number()).optional(),
});

export type StatusReceivedDetail = z.infer<typeof statusReceivedDetailSchema>;
