import { describe, expect, it } from 'vitest';
import { guessTemplateCategory, priceMessage } from '#lib/local-cloud/graph-simulator/whatsapp-pricing';

describe('priceMessage (per-message pricing)', () => {
  it.each([
    ['service', true, false, 'free_customer_service'],
    ['utility', true, false, 'free_customer_service'],
    ['utility', false, true, 'regular'],
    ['marketing', true, true, 'regular'],
    ['authentication', true, true, 'regular'],
  ] as const)('prices %s with the window open=%s as billable=%s, %s', (category, windowOpen, billable, type) => {
    expect(priceMessage(category, windowOpen)).toEqual({ billable, pricing_model: 'PMP', type, category });
  });
});

describe('guessTemplateCategory', () => {
  it('reads the usual naming of templates', () => {
    expect(guessTemplateCategory('login_otp')).toBe('authentication');
    expect(guessTemplateCategory('black_friday_promo')).toBe('marketing');
    expect(guessTemplateCategory('order_shipped')).toBe('utility');
  });
});
