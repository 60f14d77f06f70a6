import type { Channel } from '#lambdas/conversation/model';

const MB = 1024 * 1024;

/**
 * The largest file Meta lets a customer send, per WhatsApp media type (Cloud API "supported media
 * types": images 5 MB, audio and video 16 MB, documents 100 MB, animated stickers 500 KB), and
 * 25 MB for Instagram and Messenger attachments. A file above its cap is refused before it is read
 * to the end, so a wrong or hostile size never fills the function's memory.
 */
const WHATSAPP_LIMITS: Readonly<Record<string, number>> = {
  image: 5 * MB,
  audio: 16 * MB,
  video: 16 * MB,
  document: 100 * MB,
  sticker: 500 * 1024,
};
const MESSAGING_LIMIT = 25 * MB;

/** The largest accepted file for a message type on a channel (documents' cap for an unknown type). */
export function maxMediaBytes(channel: Channel, type: string): number {
  if (channel !== 'whatsapp') return MESSAGING_LIMIT;
  return WHATSAPP_LIMITS[type] ?? 100 * MB;
}
