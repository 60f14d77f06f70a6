import type { Channel } from '#lambdas/conversation/model';

/** Why a message may not leave. Stored on the failed message and carried by `message.failed`. */
export type SendRefusal =
  /** Free-form message outside the 24-hour customer service window (WhatsApp needs a template). */
  | 'window_closed'
  /** A marketing template to a customer without a recorded opt-in. */
  | 'marketing_opt_in_missing'
  /** A marketing template to a customer who opted out after (or without) opting in. */
  | 'marketing_opted_out';

export type SendPermission = { allowed: true; humanAgentTag: boolean } | { allowed: false; reason: SendRefusal };

export type TemplateCategory = 'marketing' | 'utility' | 'authentication';

export interface MarketingConsent {
  optInAt?: string;
  optOutAt?: string;
}

export interface SendRuleInput {
  channel: Channel;
  origin: 'agent' | 'human_agent' | 'campaign';
  /** Present when the message is a WhatsApp template. */
  templateCategory?: TemplateCategory;
  /** The conversation's last customer message time; absent when the customer never wrote. */
  lastInboundAt?: string;
  consent?: MarketingConsent;
  now: Date;
}

const HOUR_MS = 3_600_000;
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * HOUR_MS;
/** Instagram and Messenger let a person (never a bot) answer for 7 days with the HUMAN_AGENT tag. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

/**
 * Meta's rules for one outbound message, decided before any Graph call so that a refused message
 * fails with our reason instead of Meta's 131047/10 (and is never counted against the account's
 * quality). The window is measured at send time, not when the reply was requested: a reply that
 * waited in a queue past the window's end would be refused by Meta anyway.
 */
export function decideSendPermission(input: SendRuleInput): SendPermission {
  if (input.templateCategory !== undefined) return templatePermission(input.templateCategory, input.consent);
  const sinceInbound = input.lastInboundAt === undefined ? Number.POSITIVE_INFINITY : input.now.getTime() - Date.parse(input.lastInboundAt);
  if (sinceInbound <= CUSTOMER_SERVICE_WINDOW_MS) return { allowed: true, humanAgentTag: false };
  if (input.channel !== 'whatsapp' && input.origin === 'human_agent' && sinceInbound <= HUMAN_AGENT_WINDOW_MS) {
    return { allowed: true, humanAgentTag: true };
  }
  return { allowed: false, reason: 'window_closed' };
}

/** Templates open a conversation at any time; marketing ones only with consent that still stands. */
function templatePermission(category: TemplateCategory, consent: MarketingConsent | undefined): SendPermission {
  if (category !== 'marketing') return { allowed: true, humanAgentTag: false };
  if (!consent?.optInAt) return { allowed: false, reason: consent?.optOutAt ? 'marketing_opted_out' : 'marketing_opt_in_missing' };
  // An opt-in given again after an opt-out stands; an opt-out at or after the opt-in wins.
  if (consent.optOutAt && consent.optOutAt >= consent.optInAt) return { allowed: false, reason: 'marketing_opted_out' };
  return { allowed: true, humanAgentTag: false };
}
