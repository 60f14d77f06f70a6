import type { ResolvedReply } from '#lib/local-cloud/graph-simulator/business-message-options';

/**
 * Instagram (`object: instagram`) and Messenger (`object: page`) webhook bodies: one entry per
 * account, one `messaging` item per event, ids as strings and times in epoch milliseconds.
 */
export type MessagingChannel = 'instagram' | 'messenger';

export interface InboundAttachment {
  type: 'image' | 'video' | 'audio' | 'file';
  url: string;
}

export type MessagingCustomerContent = { text: string } | { reply: ResolvedReply } | { attachment: InboundAttachment };

interface MessagingEvent {
  channel: MessagingChannel;
  accountId: string;
  customerId: string;
  timestampMs: number;
}

function envelope(event: MessagingEvent, item: Record<string, unknown>) {
  return {
    object: event.channel === 'instagram' ? 'instagram' : 'page',
    entry: [
      {
        id: event.accountId,
        time: event.timestampMs,
        messaging: [
          {
            sender: { id: event.customerId },
            recipient: { id: event.accountId },
            timestamp: event.timestampMs,
            ...item,
          },
        ],
      },
    ],
  };
}

export function messagingCustomerMessage(event: MessagingEvent & { mid: string; content: MessagingCustomerContent }) {
  const { content, mid } = event;
  if ('text' in content) return envelope(event, { message: { mid, text: content.text } });
  if ('attachment' in content) {
    const { type, url } = content.attachment;
    return envelope(event, { message: { mid, attachments: [{ type, payload: { url } }] } });
  }
  const { option } = content.reply;
  if (option.kind === 'postback') {
    return envelope(event, { postback: { mid, title: option.title, payload: option.id } });
  }
  return envelope(event, { message: { mid, text: option.title, quick_reply: { payload: option.id } } });
}

/** Messenger tells the Page which of its messages reached the customer's device. */
export function messengerDelivery(event: Omit<MessagingEvent, 'channel'> & { mids: string[]; watermark: number }) {
  return envelope({ ...event, channel: 'messenger' }, { delivery: { mids: event.mids, watermark: event.watermark } });
}

/** Messenger marks everything up to the watermark as read. */
export function messengerRead(event: Omit<MessagingEvent, 'channel'> & { watermark: number }) {
  return envelope({ ...event, channel: 'messenger' }, { read: { watermark: event.watermark } });
}

/** Instagram (`messaging_seen`) names the message that was seen. */
export function instagramSeen(event: Omit<MessagingEvent, 'channel'> & { mid: string }) {
  return envelope({ ...event, channel: 'instagram' }, { read: { mid: event.mid } });
}
