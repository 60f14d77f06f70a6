import { describe, expect, it } from 'vitest';
import { attributionFromReferral, attributionFromText, earliest, utmOf, type TouchContext } from '#lambdas/contacts/first-touch';

const ctx: TouchContext = {
  channel: 'whatsapp',
  accountId: '100',
  conversationKey: 'wa:100:5511987654321',
  messageId: 'wamid.1',
  at: '2026-05-04T12:00:00.000Z',
};

describe('first touch', () => {
  it('reads a click-to-WhatsApp ad referral: ad id, headline, click id, URL and its UTMs', () => {
    expect(
      attributionFromReferral(
        { sourceType: 'ad', sourceId: '1202', adId: '1202', headline: 'Sale', ctwaClid: 'clid-1', sourceUrl: 'https://fb.me/x?utm_source=fb&utm_medium=paid' },
        ctx,
      ),
    ).toEqual({
      ...ctx,
      source: 'ad',
      adId: '1202',
      headline: 'Sale',
      ctwaClid: 'clid-1',
      sourceUrl: 'https://fb.me/x?utm_source=fb&utm_medium=paid',
      utm: { source: 'fb', medium: 'paid' },
    });
  });

  it('reads a post referral, a Messenger ad and an m.me link', () => {
    expect(attributionFromReferral({ sourceType: 'post', sourceId: 'p1', sourceUrl: 'https://instagram.com/p/1' }, ctx)).toMatchObject({
      source: 'post',
      sourceUrl: 'https://instagram.com/p/1',
    });
    expect(attributionFromReferral({ source: 'ADS', sourceType: 'OPEN_THREAD', adId: '6045', ref: 'summer' }, { ...ctx, channel: 'messenger' })).toMatchObject({
      source: 'ad',
      adId: '6045',
      ref: 'summer',
    });
    expect(attributionFromReferral({ source: 'SHORTLINK', sourceType: 'OPEN_THREAD', ref: 'promo-7' }, { ...ctx, channel: 'messenger' })).toMatchObject({
      source: 'shortlink',
      ref: 'promo-7',
    });
    expect(attributionFromReferral({}, ctx)).toBeUndefined();
  });

  it('bounds what a referral carries', () => {
    const touch = attributionFromReferral(
      { sourceType: 'ad', headline: 'h'.repeat(10_000), sourceUrl: `https://x.example/${'a'.repeat(10_000)}`, ctwaClid: 'c'.repeat(10_000) },
      ctx,
    )!;
    expect(touch.headline).toHaveLength(300);
    expect(touch.sourceUrl!.length).toBeLessThanOrEqual(2_000);
    expect(touch.ctwaClid!.length).toBeLessThanOrEqual(512);
  });

  it('takes UTM parameters from the first http(s) link that has them', () => {
    expect(attributionFromText('mira https://a.example/x y https://b.example/?utm_campaign=may&utm_source=ig gracias', ctx)).toEqual({
      ...ctx,
      source: 'link',
      sourceUrl: 'https://b.example/?utm_campaign=may&utm_source=ig',
      utm: { campaign: 'may', source: 'ig' },
    });
    expect(attributionFromText('https://a.example/x sin utm', ctx)).toBeUndefined();
    expect(attributionFromText('ftp://a.example/?utm_source=x', ctx)).toBeUndefined();
    expect(utmOf('javascript:alert(1)//?utm_source=x')).toBeUndefined();
    expect(utmOf('not a url')).toBeUndefined();
    expect(utmOf('https://a.example/?utm_source=%20')).toBeUndefined();
  });

  it('looks at a bounded part of a hostile text', () => {
    const far = `${'x '.repeat(10_000)}https://a.example/?utm_source=late`;
    expect(attributionFromText(far, ctx)).toBeUndefined();
    const many = Array.from({ length: 10 }, (_, i) => `https://a.example/${i}`).join(' ') + ' https://a.example/?utm_source=sixth';
    expect(attributionFromText(many, ctx)).toBeUndefined();
    expect(attributionFromText(`https://a.example/?utm_source=${'v'.repeat(5_000)}`, ctx)).toBeUndefined();
    expect(attributionFromText(`https://a.example/?utm_source=${'v'.repeat(500)}`, ctx)?.utm?.source).toHaveLength(200);
  });

  it('keeps the earliest of two', () => {
    const a = { ...ctx, source: 'ad', at: '2026-01-02T00:00:00.000Z' };
    const b = { ...ctx, source: 'link', at: '2026-01-01T00:00:00.000Z' };
    expect(earliest(a, b)).toBe(b);
    expect(earliest(undefined, a)).toBe(a);
    expect(earliest(a, undefined)).toBe(a);
  });
});
