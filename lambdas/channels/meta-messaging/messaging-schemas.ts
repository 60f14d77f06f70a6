import * as z from 'zod';
import { idString } from '#lambdas/shared/ids';

/**
 * Zod schemas for Instagram and Messenger webhook items, as cut by the splitter. Lenient on
 * purpose: objects keep unknown keys (Meta adds fields without notice), ids may be JSON numbers
 * and become strings, times may be epoch numbers or strings. They reject only what would make
 * the canonical event wrong: a message without a mid, a reaction without its target, etc.
 */

/** A Meta id: a non-empty string or a JSON number, always read as a string. */
export const MetaId = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const id = idString(value);
  if (id === undefined) {
    ctx.addIssue({ code: 'custom', message: 'empty id' });
    return z.NEVER;
  }
  return id;
});

/** Epoch seconds/milliseconds as number or string, or an ISO-8601 string; see shared/time. */
export const MetaTime = z.union([z.number(), z.string()]);

const text = z.string().nullish();

export const Participant = z.looseObject({ id: MetaId });

export const ReferralSchema = z.looseObject({
  ref: text,
  source: text,
  type: text,
  ad_id: MetaId.nullish(),
  referer_uri: text,
  ads_context_data: z
    .looseObject({ ad_title: text, post_id: MetaId.nullish(), photo_url: text, video_url: text })
    .nullish(),
});

export const AttachmentSchema = z.looseObject({
  type: z.string(),
  payload: z
    .looseObject({
      url: text,
      title: text,
      reel_video_id: MetaId.nullish(),
      ig_post_media_id: MetaId.nullish(),
      sticker_id: MetaId.nullish(),
      template_type: text,
      coordinates: z.looseObject({ lat: z.number(), long: z.number() }).nullish(),
    })
    .nullish(),
  // Messenger `fallback` and `template` attachments put title and link beside the payload.
  title: text,
  url: text,
  URL: text,
});

export const MessageSchema = z.looseObject({
  mid: MetaId,
  text,
  is_echo: z.boolean().nullish(),
  is_deleted: z.boolean().nullish(),
  is_unsupported: z.boolean().nullish(),
  app_id: MetaId.nullish(),
  attachments: z.array(AttachmentSchema).nullish(),
  quick_reply: z.looseObject({ payload: MetaId }).nullish(),
  reply_to: z
    .looseObject({
      mid: MetaId.nullish(),
      story: z.looseObject({ id: MetaId.nullish(), url: text }).nullish(),
    })
    .nullish(),
  referral: ReferralSchema.nullish(),
});

const itemBase = {
  sender: Participant.nullish(),
  recipient: Participant.nullish(),
  timestamp: MetaTime.nullish(),
};

export const MessageItemSchema = z.looseObject({ ...itemBase, message: MessageSchema, referral: ReferralSchema.nullish() });

export const EditItemSchema = z.looseObject({
  ...itemBase,
  message_edit: z.looseObject({ mid: MetaId, text, num_edit: z.union([z.number(), z.string()]).nullish() }),
});

export const ReactionItemSchema = z.looseObject({
  ...itemBase,
  reaction: z.looseObject({ mid: MetaId, action: z.string(), emoji: text, reaction: text }),
});

export const ReadItemSchema = z.looseObject({
  ...itemBase,
  read: z.looseObject({ mid: MetaId.nullish(), watermark: MetaTime.nullish() }),
});

export const DeliveryItemSchema = z.looseObject({
  ...itemBase,
  delivery: z.looseObject({ mids: z.array(MetaId).nullish(), watermark: MetaTime.nullish() }),
});

export const PostbackItemSchema = z.looseObject({
  ...itemBase,
  postback: z.looseObject({ mid: MetaId.nullish(), title: text, payload: MetaId.nullish(), referral: ReferralSchema.nullish() }),
});

export const ReferralItemSchema = z.looseObject({ ...itemBase, referral: ReferralSchema });

export const OptinSchema = z.looseObject({
  type: text,
  ref: text,
  user_ref: text,
  payload: text,
  title: text,
  notification_messages_token: text,
  one_time_notif_token: text,
  notification_messages_frequency: text,
  notification_messages_timezone: text,
  notification_messages_status: text,
  token_expiry_timestamp: MetaTime.nullish(),
  user_token_status: text,
});

export const AccountLinkingSchema = z.looseObject({ status: text, authorization_code: text });

export const PolicyEnforcementSchema = z.looseObject({ action: text, reason: text });

export const ThreadControlSchema = z.looseObject({
  new_owner_app_id: MetaId.nullish(),
  previous_owner_app_id: MetaId.nullish(),
  requested_owner_app_id: MetaId.nullish(),
  metadata: text,
});

/** Any other known notification: only its shape as an object is required. */
export const GenericNotificationSchema = z.looseObject({});

export const NotificationItemSchema = z.looseObject({ ...itemBase });

export const IngressMessagingPayload = z.object({
  source: z.enum(['messaging', 'standby']),
  item: z.looseObject({}),
});

export const IngressChangePayload = z.object({ field: z.string().min(1), value: z.looseObject({}) });

export const CommentsValueSchema = z.looseObject({
  id: MetaId,
  from: z.looseObject({ id: MetaId, username: text }).nullish(),
  media: z.looseObject({ id: MetaId.nullish(), media_product_type: text }).nullish(),
  parent_id: MetaId.nullish(),
});

export const MentionsValueSchema = z.looseObject({ comment_id: MetaId.nullish(), media_id: MetaId.nullish() });

export type MessageItem = z.infer<typeof MessageItemSchema>;
export type MessagePayload = z.infer<typeof MessageSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;
export type Referral = z.infer<typeof ReferralSchema>;
