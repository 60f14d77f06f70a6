import type { Channel } from '#lambdas/conversation/model';
import { UnexpectedSendResponseError } from '#lambdas/outbound/errors';

export interface SendAccepted {
  /** wamid for WhatsApp, mid for Instagram/Messenger: what receipts and echoes will name. */
  providerMessageId: string;
  /** The wa_id WhatsApp resolved the recipient to (trimmed: some responses carry a trailing space). */
  recipientWaId?: string;
}

/**
 * WhatsApp answers `{ messaging_product, contacts: [{ input, wa_id }], messages: [{ id }] }`;
 * Instagram and Messenger answer `{ recipient_id, message_id }`.
 */
export function parseSendResponse(channel: Channel, body: unknown): SendAccepted {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (channel === 'whatsapp') {
    const messages = Array.isArray(b.messages) ? (b.messages as Array<{ id?: unknown }>) : [];
    const id = typeof messages[0]?.id === 'string' ? messages[0].id.trim() : '';
    if (!id) throw new UnexpectedSendResponseError('WhatsApp send response names no message id');
    const contacts = Array.isArray(b.contacts) ? (b.contacts as Array<{ wa_id?: unknown }>) : [];
    const waId = typeof contacts[0]?.wa_id === 'string' ? contacts[0].wa_id.trim() : '';
    return { providerMessageId: id, ...(waId ? { recipientWaId: waId } : {}) };
  }
  const id = typeof b.message_id === 'string' ? b.message_id.trim() : '';
  if (!id) throw new UnexpectedSendResponseError(`${channel} send response names no message id`);
  return { providerMessageId: id };
}
