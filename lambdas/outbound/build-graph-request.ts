import type { InstagramApi } from '#lambdas/accounts/channel-account';
import type { GraphRequest } from '#lambdas/adapters/graph-api-client';
import { DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL } from '#lambdas/instagram-login/instagram-login-env';
import type { OutboundMessage, ReplyOption } from '#lambdas/outbound/outbound-message';

export interface GraphConfig {
  /** e.g. `https://graph.facebook.com` (or the local simulator). */
  baseUrl: string;
  /** The Graph API version (lambdas/shared/graph-api-version.ts). */
  version: string;
  /** Instagram Login accounts' host; default `https://graph.instagram.com`. */
  instagramBaseUrl?: string;
}

/** Limits Meta enforces; longer values are cut here rather than refused there. */
const LIMITS = {
  whatsappText: 4096,
  whatsappCaption: 1024,
  whatsappInteractiveBody: 1024,
  whatsappButtons: 3,
  whatsappButtonTitle: 20,
  whatsappListRows: 10,
  whatsappRowTitle: 24,
  whatsappRowDescription: 72,
  whatsappListButton: 20,
  messengerText: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
} as const;

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function endpoint(config: GraphConfig, accountId: string, host: string = config.baseUrl): string {
  return `${host.replace(/\/+$/, '')}/${config.version}/${encodeURIComponent(accountId)}/messages`;
}

export interface BuildOptions {
  /** Instagram/Messenger: a person answers between 24 hours and 7 days after the customer wrote. */
  humanAgentTag?: boolean;
  /**
   * The API the Instagram account is served through (the registry's `api`): Instagram Login
   * accounts send to graph.instagram.com with their own token, Page-linked ones to graph.facebook.com.
   */
  instagramApi?: InstagramApi;
}

/**
 * The Graph API send request for a stored outbound message. Pure: the same item always gives
 * the same request. WhatsApp bodies follow Meta's OpenAPI `Message` schema.
 */
export function buildGraphRequest(message: OutboundMessage, config: GraphConfig, options: BuildOptions = {}): GraphRequest {
  const instagramLogin = message.channel === 'instagram' && options.instagramApi === 'instagram_login';
  const url = endpoint(config, message.accountId, instagramLogin ? (config.instagramBaseUrl ?? DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL) : config.baseUrl);
  if (message.channel === 'whatsapp') return { url, body: whatsappBody(message) };
  const recipient = { recipient: { id: message.recipientId } };
  const tag = options.humanAgentTag ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } : undefined;
  if (message.channel === 'instagram') return { url, body: { ...recipient, ...tag, message: messagingContent(message) } };
  return { url, body: { ...recipient, ...(tag ?? { messaging_type: 'RESPONSE' }), message: messagingContent(message) } };
}

/**
 * WhatsApp's mark-as-read for the customer's message being answered, with the typing indicator
 * that shows until the reply arrives (or 25 s pass).
 */
export function buildMarkReadRequest(message: OutboundMessage, config: GraphConfig): GraphRequest | undefined {
  if (message.channel !== 'whatsapp' || !message.markReadMessageId) return undefined;
  return {
    url: endpoint(config, message.accountId),
    body: { messaging_product: 'whatsapp', status: 'read', message_id: message.markReadMessageId, typing_indicator: { type: 'text' } },
  };
}

function whatsappBody(message: OutboundMessage): Record<string, unknown> {
  // Meta returns biz_opaque_callback_data in every status webhook of the message: our id lets a
  // receipt complete a send whose own record was lost (status/complete-interrupted-send.ts).
  const base = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.recipientId,
    biz_opaque_callback_data: message.messageId,
  };
  switch (message.type) {
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return { ...base, type: message.type, [message.type]: whatsappMedia(message) };
    case 'template': {
      const t = message.template!;
      return {
        ...base,
        type: 'template',
        template: { name: t.name, language: { code: t.language }, ...(t.components ? { components: t.components } : {}) },
      };
    }
    case 'reaction':
      return { ...base, type: 'reaction', reaction: { message_id: message.reaction!.messageId, emoji: message.reaction!.emoji } };
    case 'location':
      return { ...base, type: 'location', location: message.location };
    case 'contacts':
      return { ...base, type: 'contacts', contacts: message.contacts };
    case 'text':
    case 'interactive':
      return { ...base, ...whatsappTextOrChoices(message) };
  }
}

/** Captions exist on image, video and document only; audio and stickers refuse them. */
function whatsappMedia(message: OutboundMessage): Record<string, unknown> {
  const media = message.media!;
  const source = media.id !== undefined ? { id: media.id } : { link: media.link };
  const caption =
    message.text && (message.type === 'image' || message.type === 'video' || message.type === 'document')
      ? { caption: clip(message.text, LIMITS.whatsappCaption) }
      : {};
  const filename = message.type === 'document' && media.filename ? { filename: media.filename } : {};
  return { ...source, ...caption, ...filename };
}

function whatsappTextOrChoices(message: OutboundMessage): Record<string, unknown> {
  const text = message.text ?? '';
  const options = message.replyOptions ?? [];
  if (message.type === 'text' || options.length === 0) {
    return { type: 'text', text: { body: clip(text, LIMITS.whatsappText), preview_url: false } };
  }
  const body = { text: clip(text, LIMITS.whatsappInteractiveBody) };
  if (options.length <= LIMITS.whatsappButtons) {
    return {
      type: 'interactive',
      interactive: {
        type: 'button',
        body,
        action: {
          buttons: options.map((o) => ({ type: 'reply', reply: { id: o.id, title: clip(o.title, LIMITS.whatsappButtonTitle) } })),
        },
      },
    };
  }
  return {
    type: 'interactive',
    interactive: {
      type: 'list',
      body,
      action: {
        button: clip(message.optionsLabel ?? 'Options', LIMITS.whatsappListButton),
        sections: [{ rows: options.slice(0, LIMITS.whatsappListRows).map(listRow) }],
      },
    },
  };
}

function listRow(option: ReplyOption): Record<string, string> {
  return {
    id: option.id,
    title: clip(option.title, LIMITS.whatsappRowTitle),
    ...(option.description ? { description: clip(option.description, LIMITS.whatsappRowDescription) } : {}),
  };
}

/** Instagram/Messenger attachment types; a document goes as a file. */
const ATTACHMENT_TYPE: Partial<Record<OutboundMessage['type'], string>> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  document: 'file',
};

/** Instagram and Messenger share the Send API message shape; choices become quick replies. */
function messagingContent(message: OutboundMessage): Record<string, unknown> {
  const quickReplies = quickRepliesFor(message);
  const attachmentType = ATTACHMENT_TYPE[message.type];
  if (attachmentType && message.media) {
    // An attachment message carries no text; a caption, if any, is not sent on these channels.
    const payload = message.media.id !== undefined ? { attachment_id: message.media.id } : { url: message.media.link, is_reusable: true };
    return { attachment: { type: attachmentType, payload }, ...quickReplies };
  }
  return { text: clip(message.text ?? '', LIMITS.messengerText), ...quickReplies };
}

function quickRepliesFor(message: OutboundMessage): Record<string, unknown> {
  // A plain text reply keeps its options in the text only, as the agent composed it.
  const options = message.type === 'text' ? [] : (message.replyOptions ?? []);
  if (options.length === 0) return {};
  return {
    quick_replies: options.slice(0, LIMITS.quickReplies).map((o) => ({
      content_type: 'text',
      title: clip(o.title, LIMITS.quickReplyTitle),
      payload: o.id,
    })),
  };
}
