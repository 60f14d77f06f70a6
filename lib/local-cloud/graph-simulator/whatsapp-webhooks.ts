import type { WhatsAppNumber } from '#lib/local-cloud/graph-simulator/accounts';
import type { ResolvedReply } from '#lib/local-cloud/graph-simulator/business-message-options';
import type { PricingCategory, StatusPricing } from '#lib/local-cloud/graph-simulator/whatsapp-pricing';

/**
 * WhatsApp Cloud API webhook bodies (`object: whatsapp_business_account`), shaped like the ones
 * Meta posts: one entry per WhatsApp Business Account, one `messages` change per event.
 */

export interface InboundMedia {
  kind: 'image' | 'document' | 'audio' | 'video';
  id: string;
  mimeType: string;
  sha256: string;
  caption?: string;
  filename?: string;
}

export type CustomerContent = { text: string } | { reply: ResolvedReply; businessDisplayNumber: string } | { media: InboundMedia };

export interface WhatsAppCustomerMessage {
  number: WhatsAppNumber;
  customerId: string;
  name: string;
  messageId: string;
  timestampSec: number;
  content: CustomerContent;
}

function envelope(number: WhatsAppNumber, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: number.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

function messageContent(content: CustomerContent): Record<string, unknown> {
  if ('text' in content) return { text: { body: content.text }, type: 'text' };
  if ('media' in content) {
    const { kind, id, mimeType, sha256, caption, filename } = content.media;
    const media: Record<string, unknown> = { mime_type: mimeType, sha256, id };
    if (caption !== undefined && kind !== 'audio') media.caption = caption;
    if (filename !== undefined && kind === 'document') media.filename = filename;
    if (kind === 'audio') media.voice = false;
    return { type: kind, [kind]: media };
  }
  const { option, messageId } = content.reply;
  const context = messageId ? { context: { from: content.businessDisplayNumber, id: messageId } } : {};
  if (option.kind === 'template_button') {
    return { ...context, type: 'button', button: { payload: option.id, text: option.title } };
  }
  const kind = option.kind === 'list_reply' ? 'list_reply' : 'button_reply';
  const reply: Record<string, unknown> = { id: option.id, title: option.title };
  if (kind === 'list_reply' && option.description !== undefined) reply.description = option.description;
  return { ...context, type: 'interactive', interactive: { type: kind, [kind]: reply } };
}

export function whatsAppCustomerMessage(message: WhatsAppCustomerMessage) {
  return envelope(message.number, {
    contacts: [{ profile: { name: message.name }, wa_id: message.customerId }],
    messages: [
      {
        from: message.customerId,
        id: message.messageId,
        timestamp: String(message.timestampSec),
        ...messageContent(message.content),
      },
    ],
  });
}

export type WhatsAppStatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusConversation {
  id: string;
  expirationSec: number;
  category: PricingCategory;
}

export interface WhatsAppStatus {
  number: WhatsAppNumber;
  messageId: string;
  recipientId: string;
  status: WhatsAppStatusName;
  timestampSec: number;
  conversation?: StatusConversation;
  pricing?: StatusPricing;
  errors?: readonly unknown[];
  bizOpaqueCallbackData?: string;
}

export function whatsAppStatus(status: WhatsAppStatus) {
  const item: Record<string, unknown> = {
    id: status.messageId,
    status: status.status,
    timestamp: String(status.timestampSec),
    recipient_id: status.recipientId,
  };
  if (status.bizOpaqueCallbackData !== undefined) item.biz_opaque_callback_data = status.bizOpaqueCallbackData;
  if (status.conversation) {
    item.conversation = {
      id: status.conversation.id,
      expiration_timestamp: String(status.conversation.expirationSec),
      origin: { type: status.conversation.category },
    };
  }
  if (status.pricing) item.pricing = status.pricing;
  if (status.errors) item.errors = status.errors;
  return envelope(status.number, { statuses: [item] });
}
