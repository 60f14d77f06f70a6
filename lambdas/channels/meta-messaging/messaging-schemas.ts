import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import { idString } from '#lambdas/shared/ids';

/**
 * Zod schemas for Instagram and Messenger webhook items, as cut by the splitter. Lenient on
 * purpose: objects keep unknown keys (Meta adds fields without notice), ids may be JSON numbers
 * and become strings, times may be epoch numbers or strings. They reject only what would make
 * the canonical event wrong: a message without a mid, a reaction without its target, etc.
 */

/** A Meta id: a non-empty string or a JSON number, always read as a string. */
export const MetaId = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value, ctx) => {
    const id = idString(value);
    if (id === undefined) {
      // zod/mini's transforms report through ctx.issues (classic zod's ctx.addIssue pushed the same issue).
      ctx.issues.push({ code: 'custom', message: 'empty id', input: value });
      return z.NEVER;
    }
    return id;
  }),
);

/** Epoch seconds/milliseconds as number or string, or an ISO-8601 string; see shared/time. */
export const MetaTime = z.union([z.number(), z.string()]);

const text = z.nullish(z.string());

export const Participant = z.looseObject({ id: MetaId });

export const ReferralSchema = z.looseObject({
  ref: text,
  source: text,
  type: text,
  ad_id: z.nullish(MetaId),
  referer_uri: text,
  ads_context_data: z.nullish(z.looseObject({ ad_title: text, post_id: z.nullish(MetaId), photo_url: text, video_url: text })),
});

export const AttachmentSchema = z.looseObject({
  type: z.string(),
  payload: z.nullish(
    z.looseObject({
      url: text,
      title: text,
      reel_video_id: z.nullish(MetaId),
      ig_post_media_id: z.nullish(MetaId),
      sticker_id: z.nullish(MetaId),
      template_type: text,
      coordinates: z.nullish(z.looseObject({ lat: z.number(), long: z.number() })),
    }),
  ),
  // Messenger `fallback` and `template` attachments put title and link beside the payload.
  title: text,
  url: text,
  URL: text,
});

export const MessageSchema = z.looseObject({
  mid: MetaId,
  text,
  is_echo: z.nullish(z.boolean()),
  is_deleted: z.nullish(z.boolean()),
  is_unsupported: z.nullish(z.boolean()),
  app_id: z.nullish(MetaId),
  attachments: z.nullish(z.array(AttachmentSchema)),
  quick_reply: z.nullish(z.looseObject({ payload: MetaId })),
  reply_to: z.nullish(
    z.looseObject({
      mid: z.nullish(MetaId),
      story: z.nullish(z.looseObject({ id: z.nullish(MetaId), url: text })),
    }),
  ),
  referral: z.nullish(ReferralSchema),
});

const itemBase = {
  sender: z.nullish(Participant),
  recipient: z.nullish(Participant),
  timestamp: z.nullish(MetaTime),
};

export const MessageItemSchema = z.looseObject({ ...itemBase, message: MessageSchema, referral: z.nullish(ReferralSchema) });

export const EditItemSchema = z.looseObject({
  ...itemBase,
  message_edit: z.looseObject({ mid: MetaId, text, num_edit: z.nullish(z.union([z.number(), z.string()])) }),
});

export const ReactionItemSchema = z.looseObject({
  ...itemBase,
  reaction: z.looseObject({ mid: MetaId, action: z.string(), emoji: text, reaction: text }),
});

export const ReadItemSchema = z.looseObject({
  ...itemBase,
  read: z.looseObject({ mid: z.nullish(MetaId), watermark: z.nullish(MetaTime) }),
});

export const DeliveryItemSchema = z.looseObject({
  ...itemBase,
  delivery: z.looseObject({ mids: z.nullish(z.array(MetaId)), watermark: z.nullish(MetaTime) }),
});

export const PostbackItemSchema = z.looseObject({
  ...itemBase,
  postback: z.looseObject({ mid: z.nullish(MetaId), title: text, payload: z.nullish(MetaId), referral: z.nullish(ReferralSchema) }),
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
  token_expiry_timestamp: z.nullish(MetaTime),
  user_token_status: text,
});

export const AccountLinkingSchema = z.looseObject({ status: text, authorization_code: text });

export const PolicyEnforcementSchema = z.looseObject({ action: text, reason: text });

export const ThreadControlSchema = z.looseObject({
  new_owner_app_id: z.nullish(MetaId),
  previous_owner_app_id: z.nullish(MetaId),
  requested_owner_app_id: z.nullish(MetaId),
  metadata: text,
});

/** Any other known notification: only its shape as an object is required. */
export const GenericNotificationSchema = z.looseObject({});

export const NotificationItemSchema = z.looseObject({ ...itemBase });

export const IngressMessagingPayload = z.object({
  source: z.enum(['messaging', 'standby']),
  item: z.looseObject({}),
});

export const IngressChangePayload = z.object({ field: z.string().check(z.minLength(1)), value: z.looseObject({}) });

export const CommentsValueSchema = z.looseObject({
  id: MetaId,
  from: z.nullish(z.looseObject({ id: MetaId, username: text })),
  media: z.nullish(z.looseObject({ id: z.nullish(MetaId), media_product_type: text })),
  parent_id: z.nullish(MetaId),
});

export const MentionsValueSchema = z.looseObject({ comment_id: z.nullish(MetaId), media_id: z.nullish(MetaId) });

export type MessageItem = z.infer<typeof MessageItemSchema>;
export type MessagePayload = z.infer<typeof MessageSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;
export type Referral = z.infer<typeof ReferralSchema>;
