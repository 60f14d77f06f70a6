/**
 * Per-message pricing (`pricing_model: 'PMP'`, Meta's model since July 2025): service messages
 * and utility templates sent inside the customer service window are free; marketing and
 * authentication templates, and utility templates outside the window, are billed.
 */
export type PricingCategory = 'service' | 'utility' | 'marketing' | 'authentication';
export type TemplateCategory = Exclude<PricingCategory, 'service'>;

export interface StatusPricing {
  billable: boolean;
  pricing_model: 'PMP';
  type: 'regular' | 'free_customer_service';
  category: PricingCategory;
}

export function priceMessage(category: PricingCategory, windowOpen: boolean): StatusPricing {
  const free = category === 'service' || (category === 'utility' && windowOpen);
  return {
    billable: !free,
    pricing_model: 'PMP',
    type: free ? 'free_customer_service' : 'regular',
    category,
  };
}

/**
 * The simulator has no approved templates to look the category up in, so unless the caller
 * configured one it guesses from the name the way businesses usually name them.
 */
export function guessTemplateCategory(name: string): TemplateCategory {
  if (/otp|auth|verif|passcode|login|code/i.test(name)) return 'authentication';
  if (/promo|offer|sale|discount|deal|campaign|newsletter|marketing/i.test(name)) return 'marketing';
  return 'utility';
}
