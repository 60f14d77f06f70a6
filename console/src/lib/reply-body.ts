/**
 * The body of `POST /agent/conversation/reply` from what the agent composed. The API takes exactly
 * one of `text`, `macroId` (it fills the macro's variables itself and adds the macro's tags) or
 * `media` (a link, the text as its caption).
 */
export type ReplyBody =
  | { conversationKey: string; requestId: string; text: string }
  | { conversationKey: string; requestId: string; macroId: string }
  | { conversationKey: string; requestId: string; media: { kind: MediaKind; url: string; caption?: string } };

export type MediaKind = 'image' | 'document' | 'audio' | 'video';

const KIND_OF_EXTENSION: Record<string, MediaKind> = {
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  webp: 'image',
  gif: 'image',
  mp3: 'audio',
  ogg: 'audio',
  m4a: 'audio',
  aac: 'audio',
  amr: 'audio',
  opus: 'audio',
  mp4: 'video',
  '3gp': 'video',
  mov: 'video',
};

/** What a linked file is, by the extension of its path; anything else goes as a document. */
export function mediaKindOf(url: string): MediaKind {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a URL: the caller checks links before sending.
  }
  const ext = /\.([a-z0-9]{1,5})$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && KIND_OF_EXTENSION[ext]) || 'document';
}

/**
 * `macro` is the macro the agent inserted and the text it was filled with: sent unchanged, the
 * reply names the macro; edited, it goes as the agent's own text.
 */
export function replyBody(input: {
  conversationKey: string;
  requestId: string;
  text: string;
  attachment?: string;
  macro?: { macroId: string; text: string };
}): ReplyBody {
  const text = input.text.trim();
  const base = { conversationKey: input.conversationKey, requestId: input.requestId };
  const link = input.attachment?.trim();
  if (link) return { ...base, media: { kind: mediaKindOf(link), url: link, ...(text ? { caption: text.slice(0, 1024) } : {}) } };
  if (input.macro && input.macro.text.trim() === text) return { ...base, macroId: input.macro.macroId };
  return { ...base, text };
}
