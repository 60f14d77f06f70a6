import { describe, expect, it } from 'vitest';
import { mediaKindOf, replyBody } from '../../../console/src/lib/reply-body.ts';

const base = { conversationKey: 'wa:1:2', requestId: 'r-1' };

/** The API takes exactly one of text, macroId or media: the console's reply body says one. */
describe('the reply the console sends', () => {
  it('names an unedited macro, and sends an edited one as text', () => {
    const macro = { macroId: 'greeting', text: 'Hola Ana, soy Bruno.' };
    expect(replyBody({ ...base, text: ' Hola Ana, soy Bruno. ', macro })).toEqual({ ...base, macroId: 'greeting' });
    expect(replyBody({ ...base, text: 'Hola Ana, soy Bruno. ¿Qué tal?', macro })).toEqual({ ...base, text: 'Hola Ana, soy Bruno. ¿Qué tal?' });
    expect(replyBody({ ...base, text: 'hola' })).toEqual({ ...base, text: 'hola' });
  });

  it('sends a link as media, the text as its caption', () => {
    expect(replyBody({ ...base, text: 'tu factura', attachment: ' https://files.example/f/invoice.pdf ' })).toEqual({
      ...base,
      media: { kind: 'document', url: 'https://files.example/f/invoice.pdf', caption: 'tu factura' },
    });
    expect(mediaKindOf('https://x.example/a/photo.JPG?size=2')).toBe('image');
    expect(mediaKindOf('https://x.example/voice.ogg')).toBe('audio');
    expect(mediaKindOf('https://x.example/clip.mp4')).toBe('video');
    expect(mediaKindOf('https://x.example/no-extension')).toBe('document');
    expect(mediaKindOf('not a url.png')).toBe('image');
  });
});
