import type { TemplateCategory } from '#lambdas/outbound/send-rules';
import type { StoredTemplate } from '#lambdas/templates/template-item';

/** Why a customer was left off a campaign's list (counted in `counts.skipped`). */
export const SKIP_REASONS = ['no_consent', 'opted_out', 'duplicate', 'invalid_phone', 'invalid_variables', 'not_whatsapp'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** One customer an audience puts on the list. PII: never logged. */
export interface AudienceRecipient {
  waId: string;
  contactId?: string;
  /** By campaign parameter name (campaign-variables.ts), already checked against the template. */
  variables: Record<string, string>;
}

/** A part of an audience as it is walked: who goes on the list and who was left off, by reason. */
export interface AudienceChunk {
  recipients: AudienceRecipient[];
  skipped: Partial<Record<SkipReason, number>>;
  /** Contacts (or CSV rows) looked at for this chunk: a preview stops after enough. */
  contactsRead?: number;
  /** A contacts walk: where it goes on after this chunk (absent after the last). Opaque. */
  cursor?: string;
}

/** The approved template the audience is built for: its variables, its category (consent) and the campaign's header media. */
export interface AudienceTemplate {
  template: StoredTemplate;
  category: TemplateCategory;
  headerMediaLink?: string;
}

/** A campaign reaches at most this many customers (and a CSV holds at most this many rows). */
export const MAX_CAMPAIGN_RECIPIENTS = 100_000;

export function addSkipped(into: Partial<Record<SkipReason, number>>, reason: SkipReason, n = 1): void {
  into[reason] = (into[reason] ?? 0) + n;
}
