import { describe, expect, it } from 'vitest';
import { mediaObjectKey } from '#lambdas/media/media-object-key';
import { maxMediaBytes } from '#lambdas/media/media-size-limits';
import { isDownloadableType } from '#lambdas/media/media-received-detail';

describe('mediaObjectKey', () => {
  const input = { accountId: '100000000000001', providerMessageId: 'wamid.HBgLMTU1NTc2NTQzMjEVAgASGBQz', occurredAt: '2026-11-21T23:59:59.000Z', index: 0 };

  it('files the object under the account and the UTC day of the message', () => {
    expect(mediaObjectKey(input)).toMatch(/^media\/100000000000001\/2026\/11\/21\/[0-9a-f]{40}-0$/);
  });

  it('names the message only by a hash, so no customer id or number appears in the key', () => {
    const key = mediaObjectKey({ ...input, providerMessageId: 'wamid.15557654321' });
    expect(key).not.toContain('15557654321');
    expect(key).not.toContain('wamid');
  });

  it('is the same for a redelivery and differs per attachment and per message', () => {
    expect(mediaObjectKey(input)).toBe(mediaObjectKey({ ...input }));
    expect(mediaObjectKey({ ...input, index: 1 })).not.toBe(mediaObjectKey(input));
    expect(mediaObjectKey({ ...input, providerMessageId: 'other' })).not.toBe(mediaObjectKey(input));
  });

  it('keeps an odd account id from adding path segments', () => {
    expect(mediaObjectKey({ ...input, accountId: '../x/y' })).toMatch(/^media\/___x_y\/2026\//);
  });

  it('refuses a time that is not a date', () => {
    expect(() => mediaObjectKey({ ...input, occurredAt: 'yesterday' })).toThrow(RangeError);
  });
});

describe('maxMediaBytes', () => {
  it("follows Meta's documented caps per WhatsApp media type", () => {
    expect(maxMediaBytes('whatsapp', 'image')).toBe(5 * 1024 * 1024);
    expect(maxMediaBytes('whatsapp', 'audio')).toBe(16 * 1024 * 1024);
    expect(maxMediaBytes('whatsapp', 'video')).toBe(16 * 1024 * 1024);
    expect(maxMediaBytes('whatsapp', 'document')).toBe(100 * 1024 * 1024);
    expect(maxMediaBytes('whatsapp', 'sticker')).toBe(500 * 1024);
  });

  it('caps Instagram and Messenger attachments at 25 MB', () => {
    expect(maxMediaBytes('instagram', 'image')).toBe(25 * 1024 * 1024);
    expect(maxMediaBytes('messenger', 'file')).toBe(25 * 1024 * 1024);
  });
});

describe('isDownloadableType', () => {
  it('takes files and leaves shares, stories and text alone', () => {
    for (const type of ['image', 'audio', 'video', 'document', 'sticker', 'file']) expect(isDownloadableType(type)).toBe(true);
    for (const type of ['text', 'share', 'story_mention', 'location', 'unsupported']) expect(isDownloadableType(type)).toBe(false);
  });
});
