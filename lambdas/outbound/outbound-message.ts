import { z } from 'zod';
import type { Channel } from '#lambdas/conversation/model';

/** `pending → sending → sent | failed`; receipts then move a sent message to delivered, read, played. */
export type OutboundStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';

/** A choice offered with a reply: WhatsApp reply button or list row, Instagram/Messenger quick reply. */
export interface ReplyOption {
  /** Comes back as the choice id (button id, quick reply payload) when the customer taps it. */
  id: string;
  title: string;
  description?: string;
}

/**
 * The Message item of a reply we send (`pk CONV#<key>`, `sk MSG#<outboundId>`). Whoever asks for
 * a reply (the agent, a human agent, a campaign) writes it as `pending` before publishing
 * `reply.requested`; the outbound sender is the only one that moves it on from there.
 */
export interface OutboundMessageItem {
  pk: string;
  sk: string;
  lsi1sk: string;
  entity: 'Message';
  messageId: string;
  conversationKey: string;
  channel: Channel;
  accountId: string;
  businessAccountId?: string;
  customerId: string;
  /** Who the Graph API sends to: the WhatsApp wa_id (else the user id), the IGSID, the PSID. */
  recipientId: string;
  direction: 'outbound';
  origin: 'agent' | 'human_agent' | 'campaign';
  type: 'text' | 'interactive';
  /** The message body. PII-adjacent (it answers the customer): stored, never logged. */
  text: string;
  replyOptions?: ReplyOption[];
  /** WhatsApp list messages need a label for the button that opens the list. */
  optionsLabel?: string;
  language?: string;
  /** Which rule produced the reply (menu, choice answer, handoff acknowledgement). */
  replyKind?: string;
  replyToMessageIds: string[];
  status: OutboundStatus;
  occurredAt: string;
  createdAt: string;
  expiresAt: number;
}

/** What the sender needs from the item; loose so that attributes added later do not break it. */
export const outboundMessageSchema = z.looseObject({
  sk: z.string().startsWith('MSG#'),
  messageId: z.string().min(1),
  conversationKey: z.string().min(1),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().min(1),
  recipientId: z.string().min(1),
  direction: z.literal('outbound'),
  type: z.enum(['text', 'interactive']),
  text: z.string().min(1),
  replyOptions: z.array(z.object({ id: z.string().min(1), title: z.string().min(1), description: z.string().optional() })).optional(),
  optionsLabel: z.string().min(1).optional(),
  status: z.enum(['pending', 'sending', 'sent', 'delivered', 'read', 'played', 'failed']),
  failureAnnouncedAt: z.string().optional(),
  errorCode: z.number().optional(),
  failedAt: z.string().optional(),
  expiresAt: z.number().optional(),
});

export type OutboundMessage = z.infer<typeof outboundMessageSchema>;
