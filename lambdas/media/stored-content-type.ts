/**
 * Content types an attachment is stored with. Both the type Meta declares and the one the
 * download answers with come from outside; only types a browser shows passively (or offers as a
 * download) are kept. Anything else, HTML, SVG and scripts included, is stored as
 * `application/octet-stream`: the file is kept for the agent, but can never be served back as a
 * page that runs in a browser.
 */
const STORABLE_CONTENT_TYPES = new Set([
  // Images (WhatsApp: jpeg, png, webp stickers; Instagram/Messenger: also gif).
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/heic',
  'image/heif',
  // Audio (WhatsApp voice notes are audio/ogg with the opus codec).
  'audio/ogg',
  'audio/opus',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/amr',
  'audio/wav',
  'audio/x-wav',
  // Video.
  'video/mp4',
  'video/3gpp',
  'video/quicktime',
  'video/webm',
  // Documents.
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/rtf',
]);

export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

/**
 * The type to store: the first declared type whose essence (`audio/ogg` of
 * `audio/ogg; codecs=opus`) is on the list, without parameters, else `application/octet-stream`.
 */
export function storedContentType(...declared: Array<string | undefined>): string {
  for (const value of declared) {
    if (typeof value !== 'string') continue;
    const essence = value.split(';')[0]?.trim().toLowerCase() ?? '';
    if (STORABLE_CONTENT_TYPES.has(essence)) return essence;
  }
  return FALLBACK_CONTENT_TYPE;
}
