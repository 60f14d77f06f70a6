import type { Attachment, MessagePayload, Referral } from '#lambdas/channels/meta-messaging/messaging-schemas';
import type { ChoiceRef, LocationRef, MediaRef, MessageType, ReferralRef } from '#lambdas/conversation/model';

/** The content part of a canonical MessageEvent, read from an Instagram/Messenger `message`. */
export interface MessageContent {
  type: MessageType;
  text?: string;
  media?: MediaRef[];
  location?: LocationRef;
  choice?: ChoiceRef;
}

interface AttachmentContent {
  type: MessageType;
  media?: MediaRef;
  location?: LocationRef;
  /** A readable title (shared link, reel, template card) to show when the message has no text. */
  title?: string;
}

/**
 * Messenger's "like" button sends the thumbs-up sticker in one of three sizes. The customer
 * means 👍, so that is the text we keep beside the sticker.
 */
const THUMBS_UP_STICKER_IDS = new Set(['369239263222822', '369239343222814', '369239383222810']);

/**
 * The type of a message with several attachments is the type of its first one (Messenger may
 * send, e.g., an image, a link and a location together); every attachment's media and the
 * first location are kept, so nothing the customer sent is dropped.
 */
export function messageContent(message: MessagePayload): MessageContent {
  const text = nonEmpty(message.text);
  if (message.is_unsupported === true) return compact({ type: 'unsupported', text });
  if (message.quick_reply) {
    return compact({
      type: 'choice',
      text,
      choice: compact({ id: message.quick_reply.payload, title: text, source: 'quick_reply' as const }),
    });
  }
  const attachments = (message.attachments ?? []).map(attachmentContent);
  const first = attachments[0];
  if (first) {
    const media = attachments.flatMap((a) => (a.media ? [{ ...a.media, attachmentType: a.type }] : []));
    return compact({
      type: first.type,
      text: text ?? first.title,
      media: media.length > 0 ? media : undefined,
      location: attachments.find((a) => a.location)?.location,
    });
  }
  if (text !== undefined) return { type: 'text', text };
  if (message.referral) return { type: 'referral' };
  // An echo of something we cannot see (Meta sometimes sends only `is_echo` and `mid`).
  return { type: 'unsupported' };
}

function attachmentContent(attachment: Attachment): AttachmentContent {
  const payload = attachment.payload ?? {};
  const url = nonEmpty(payload.url) ?? nonEmpty(attachment.url) ?? nonEmpty(attachment.URL);
  const title = nonEmpty(attachment.title) ?? nonEmpty(payload.title);
  switch (attachment.type) {
    case 'image': {
      if (payload.sticker_id) {
        const stickerId = payload.sticker_id;
        return compact({
          type: 'sticker' as const,
          media: compact({ id: stickerId, url }),
          title: THUMBS_UP_STICKER_IDS.has(stickerId) ? '👍' : undefined,
        });
      }
      return { type: 'image', media: compact({ url }) };
    }
    case 'video':
    case 'audio':
    case 'file':
      return { type: attachment.type, media: compact({ url }) };
    case 'sticker':
      return { type: 'sticker', media: compact({ id: payload.sticker_id ?? undefined, url }) };
    case 'like_heart':
      // Instagram's heart button: no payload, shown to the business as a heart.
      return { type: 'sticker', title: '❤️' };
    case 'share':
    case 'ig_post':
      return compact({ type: 'share' as const, media: compact({ url, id: payload.ig_post_media_id ?? undefined, caption: title }), title });
    case 'ig_reel':
    case 'reel':
      // The reel id is kept as the media id: it is how the Graph API names the reel.
      return compact({ type: 'share' as const, media: compact({ url, id: payload.reel_video_id ?? undefined, caption: title }), title });
    case 'story_mention':
      return { type: 'story_mention', media: compact({ url }) };
    case 'template':
    case 'fallback':
      // A structured card or a shared link. Only its title and link are kept: a template's
      // payload can hold a receipt with the customer's name and address.
      return compact({ type: 'share' as const, media: url ? compact({ url, caption: title }) : undefined, title });
    case 'location': {
      const coordinates = payload.coordinates;
      if (!coordinates) return compact({ type: 'unsupported' as const, media: url ? { url } : undefined });
      return { type: 'location', location: compact({ latitude: coordinates.lat, longitude: coordinates.long, name: title, url }) };
    }
    default:
      // `unsupported_type` and anything newer: the customer sent something; keep the link.
      return compact({ type: 'unsupported' as const, media: url ? { url } : undefined });
  }
}

export function referralRef(referral: Referral): ReferralRef {
  return compact({
    source: nonEmpty(referral.source),
    sourceType: nonEmpty(referral.type),
    ref: nonEmpty(referral.ref),
    adId: referral.ad_id ?? undefined,
    sourceUrl: nonEmpty(referral.referer_uri),
    sourceId: referral.ads_context_data?.post_id ?? undefined,
    headline: nonEmpty(referral.ads_context_data?.ad_title),
  });
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Drops undefined properties, so events compare and serialize the same however they were built. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
