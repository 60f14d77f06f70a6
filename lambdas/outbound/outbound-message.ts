import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
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
  type: OutboundKind;
  /** The message body (the caption for media). PII-adjacent (it answers the customer): stored, never logged. */
  text?: string;
  /** Image, audio, video, document, sticker: an uploaded media id or a public link. */
  media?: OutboundMedia;
  /** WhatsApp only: an approved template, the only thing allowed outside the 24-hour window. */
  template?: OutboundTemplate;
  reaction?: { messageId: string; emoji: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  /** WhatsApp contact cards in Meta's own shape (`name`, `phones`, `emails`, …). */
  contacts?: Array<Record<string, unknown>>;
  /**
   * The customer message being answered, marked read (with a typing indicator) just before the
   * reply goes out, so the customer sees the business is on it.
   */
  markReadMessageId?: string;
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

export const OUTBOUND_KINDS = [
  'text',
  'interactive',
  'template',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'reaction',
  'location',
  'contacts',
] as const;
export type OutboundKind = (typeof OUTBOUND_KINDS)[number];
export const MEDIA_KINDS = new Set<OutboundKind>(['image', 'audio', 'video', 'document', 'sticker']);

export interface OutboundMedia {
  id?: string;
  link?: string;
  filename?: string;
}

export interface OutboundTemplate {
  name: string;
  /** Meta's language code of the approved translation, e.g. `en_US`. */
  language: string;
  /** As approved by Meta; marketing templates need the customer's opt-in. */
  category: 'marketing' | 'utility' | 'authentication';
  /** Meta's `components` (header, body, button parameters) filled with this customer's variables. */
  components?: Array<Record<string, unknown>>;
}

const mediaSchema = z
  .object({ id: z.optional(z.string().check(z.minLength(1))), link: z.optional(z.url()), filename: z.optional(z.string().check(z.minLength(1))) })
  .check(z.refine((m) => (m.id === undefined) !== (m.link === undefined), 'media needs exactly one of id or link'));

const templateSchema = z.object({
  name: z.string().check(z.minLength(1)),
  language: z.string().check(z.minLength(2)),
  category: z.enum(['marketing', 'utility', 'authentication']),
  components: z.optional(z.array(z.looseObject({ type: z.string().check(z.minLength(1)) }))),
});

/** What the sender needs from the item; loose so that attributes added later do not break it. */
export const outboundMessageSchema = z
  .looseObject({
    sk: z.string().check(z.startsWith('MSG#')),
    messageId: z.string().check(z.minLength(1)),
    conversationKey: z.string().check(z.minLength(1)),
    channel: z.enum(['whatsapp', 'instagram', 'messenger']),
    accountId: z.string().check(z.minLength(1)),
    recipientId: z.string().check(z.minLength(1)),
    direction: z.literal('outbound'),
    origin: z.optional(z.enum(['agent', 'human_agent', 'campaign'])),
    customerId: z.optional(z.string().check(z.minLength(1))),
    type: z.enum(OUTBOUND_KINDS),
    text: z.optional(z.string().check(z.minLength(1))),
    media: z.optional(mediaSchema),
    template: z.optional(templateSchema),
    reaction: z.optional(z.object({ messageId: z.string().check(z.minLength(1)), emoji: z.string() })),
    location: z.optional(z.object({ latitude: z.number(), longitude: z.number(), name: z.optional(z.string()), address: z.optional(z.string()) })),
    contacts: z.optional(z.array(z.looseObject({ name: z.looseObject({ formatted_name: z.string().check(z.minLength(1)) }) })).check(z.minLength(1))),
    markReadMessageId: z.optional(z.string().check(z.minLength(1))),
    replyOptions: z.optional(
      z.array(z.object({ id: z.string().check(z.minLength(1)), title: z.string().check(z.minLength(1)), description: z.optional(z.string()) })),
    ),
    optionsLabel: z.optional(z.string().check(z.minLength(1))),
    status: z.enum(['pending', 'sending', 'sent', 'delivered', 'read', 'played', 'failed']),
    failureAnnouncedAt: z.optional(z.string()),
    errorCode: z.optional(z.number()),
    failedAt: z.optional(z.string()),
    failureReason: z.optional(z.string()),
    attempts: z.optional(z.number()),
    retryNotBeforeMs: z.optional(z.number()),
    expiresAt: z.optional(z.number()),
  })
  .check(
    z.superRefine((m, ctx) => {
      const need = (field: string, present: boolean) => {
        if (!present) ctx.addIssue({ code: 'custom', path: [field], message: `a ${m.type} message needs ${field}` });
      };
      if (m.type === 'text' || m.type === 'interactive') need('text', m.text !== undefined);
      if (MEDIA_KINDS.has(m.type)) need('media', m.media !== undefined);
      if (m.type === 'template') need('template', m.template !== undefined && m.channel === 'whatsapp');
      if (m.type === 'reaction') need('reaction', m.reaction !== undefined && m.channel === 'whatsapp');
      if (m.type === 'location') need('location', m.location !== undefined && m.channel === 'whatsapp');
      if (m.type === 'contacts') need('contacts', m.contacts !== undefined && m.channel === 'whatsapp');
      if (m.channel !== 'whatsapp' && m.type === 'sticker') need('a WhatsApp channel', false);
    }),
  );

export type OutboundMessage = z.infer<typeof outboundMessageSchema>;
