import { consentSk, type SendContextStore } from '#lambdas/outbound/send-context-store';
import type { MarketingConsent } from '#lambdas/outbound/send-rules';

export { consentSk };

/**
 * The customer's marketing consent per channel account (`pk ACCT#<accountId>`,
 * `sk CONSENT#<customerId>`, entity `Consent`). Whoever records consent (an opt-in form, the
 * agent's opt-out flow, an import) writes the times and the evidence; the sender only reads it.
 */
export interface ConsentItem {
  pk: string;
  sk: string;
  entity: 'Consent';
  accountId: string;
  customerId: string;
  /** When the customer agreed to marketing messages. */
  marketingOptInAt?: string;
  /** Where that agreement is recorded (form id, message id, import batch): no personal data. */
  marketingOptInEvidence?: string;
  marketingOptOutAt?: string;
  marketingOptOutEvidence?: string;
}

export interface SendContext {
  lastInboundAt?: string;
  consent?: MarketingConsent;
}

export type SendTarget = { conversationKey: string; accountId: string; customerId: string; withConsent: boolean };

/** Reads the conversation (for its window) and, when asked, the consent, in one round trip. */
export async function readSendContext(store: SendContextStore, target: SendTarget): Promise<SendContext> {
  const { conversation, consent } = await store.readSendContext(target);
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const lastInboundAt = str(conversation?.lastInboundAt);
  const optInAt = str(consent?.marketingOptInAt);
  const optOutAt = str(consent?.marketingOptOutAt);
  return {
    ...(lastInboundAt ? { lastInboundAt } : {}),
    ...(consent ? { consent: { ...(optInAt ? { optInAt } : {}), ...(optOutAt ? { optOutAt } : {}) } } : {}),
  };
}
