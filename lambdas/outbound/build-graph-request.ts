import type { GraphRequest } from '#lambdas/adapters/graph-api-client';
import type { OutboundMessage, ReplyOption } from '#lambdas/outbound/outbound-message';

export interface GraphConfig {
  /** e.g. `https://graph.facebook.com` (or the local simulator). */
  baseUrl: string;
  /** e.g. `v23.0`. */
  version: string;
}

/** Limits Meta enforces; longer values are cut here rather than refused there. */
const LIMITS = {
  whatsappText: 4096,
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

function endpoint(config: GraphConfig, accountId: string): string {
  return `${config.baseUrl.replace(/\/+$/, '')}/${config.version}/${encodeURIComponent(accountId)}/messages`;
}

/**
 * The Graph API send request for a stored outbound message. Pure: the same item always gives
 * the same request. WhatsApp bodies follow Meta's OpenAPI `Message` schema.
 */
export function buildGraphRequest(message: OutboundMessage, config: GraphConfig): GraphRequest {
  const url = endpoint(config, message.accountId);
  switch (message.channel) {
    case 'whatsapp':
      return { url, body: whatsappBody(message) };
    case 'instagram':
      return { url, body: { recipient: { id: message.recipientId }, message: messagingContent(message) } };
    case 'messenger':
      return {
        url,
        body: { recipient: { id: message.recipientId }, messaging_type: 'RESPONSE', message: messagingContent(message) },
      };
  }
}

function whatsappBody(message: OutboundMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.recipientId };
  const options = message.replyOptions ?? [];
  if (message.type === 'text' || options.length === 0) {
    return { ...base, type: 'text', text: { body: clip(message.text, LIMITS.whatsappText), preview_url: false } };
  }
  const body = { text: clip(message.text, LIMITS.whatsappInteractiveBody) };
  if (options.length <= LIMITS.whatsappButtons) {
    return {
      ...base,
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
    ...base,
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

/** Instagram and Messenger share the Send API message shape; choices become quick replies. */
function messagingContent(message: OutboundMessage): Record<string, unknown> {
  const text = clip(message.text, LIMITS.messengerText);
  const options = message.type === 'interactive' ? (message.replyOptions ?? []) : [];
  if (options.length === 0) return { text };
  return {
    text,
    quick_replies: options.slice(0, LIMITS.quickReplies).map((o) => ({
      content_type: 'text',
      title: clip(o.title, LIMITS.quickReplyTitle),
      payload: o.id,
    })),
  };
}
