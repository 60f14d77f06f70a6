/**
 * How long after the customer's last message a person may still write freely. WhatsApp allows 24
 * hours for everyone; Instagram and Messenger allow human agents 7 days (the outbound sender adds
 * the HUMAN_AGENT tag). After that only an approved template can start again (WhatsApp).
 */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface ReplyWindow {
  windowOpen: boolean;
  /** When the window closes (or closed); none when the customer never wrote. */
  windowClosesAt?: string;
}

export function humanReplyWindowMs(channel: string): number {
  return channel === 'whatsapp' ? WHATSAPP_WINDOW_MS : HUMAN_AGENT_WINDOW_MS;
}

export function humanReplyWindow(conversation: { channel: string; lastInboundAt?: string }, now: Date): ReplyWindow {
  const last = conversation.lastInboundAt ? Date.parse(conversation.lastInboundAt) : Number.NaN;
  if (Number.isNaN(last)) return { windowOpen: false };
  const closesAt = last + humanReplyWindowMs(conversation.channel);
  return { windowOpen: now.getTime() <= closesAt, windowClosesAt: new Date(closesAt).toISOString() };
}
