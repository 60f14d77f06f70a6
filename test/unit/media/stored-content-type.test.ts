import { describe, expect, it } from 'vitest';
import { storedContentType } from '#lambdas/media/stored-content-type';

describe('storedContentType', () => {
  it('keeps the types of customers’ files, without parameters', () => {
    expect(storedContentType('image/jpeg')).toBe('image/jpeg');
    expect(storedContentType('audio/ogg; codecs=opus')).toBe('audio/ogg');
    expect(storedContentType(' Application/PDF ')).toBe('application/pdf');
    expect(storedContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(storedContentType('video/3gpp')).toBe('video/3gpp');
  });

  it('stores anything a browser could run as application/octet-stream', () => {
    for (const type of [
      'text/html',
      'text/html; charset=utf-8',
      'image/svg+xml',
      'application/javascript',
      'text/xml',
      'application/xhtml+xml',
      'multipart/x-mixed-replace',
      '',
      'image/png, text/html',
    ]) {
      expect({ type, stored: storedContentType(type) }).toEqual({ type, stored: 'application/octet-stream' });
    }
    expect(storedContentType(undefined)).toBe('application/octet-stream');
  });

  it('takes the first storable type of those declared', () => {
    expect(storedContentType('text/html', 'image/png')).toBe('image/png');
    expect(storedContentType(undefined, 'video/mp4')).toBe('video/mp4');
    expect(storedContentType('image/webp', 'text/html')).toBe('image/webp');
  });
});
