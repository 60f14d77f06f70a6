import * as z from 'zod';

/**
 * Campaigns: one approved WhatsApp template sent to many customers (docs/campaigns.md).
 *
 * A campaign is a template + language + audience (the business's contacts chosen by tags,
 * attributes and consent, or rows uploaded as CSV with their own variables) + a schedule. Its life:
 *
 *   draft → scheduled → running ⇄ paused → completed
 *                 └──────────┴──────┴────→ cancelled
 *
 * Scheduling builds the recipient list once (deduplicated per contact and per WhatsApp number,
 * consent checked, variables validated against the template) off the request path: the request
 * answers at once with `list.status = building`, and the release function decides the audience and
 * writes the list in chunks (campaign-list-build.ts); the release loop
 * (campaign-release.ts) then hands recipients to the campaign sender at the number's pace and
 * under the business's messaging limit, and pauses the campaign by itself when the number's
 * quality drops to RED, the template is paused or disabled, or the monthly Meta budget is spent.
 * Every send goes through the outbound sender's exactly-once state machine (outbound/send-reply.ts).
 */

export const CAMPAIGN_STATES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** Why a campaign is paused: by a person, or by itself. */
export const PAUSE_REASONS = ['operator', 'quality_red', 'template_paused', 'template_disabled', 'account_not_serving', 'budget_exhausted'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/**
 * Where a template variable's value comes from for a contacts audience: a contact field, a custom
 * attribute, or the same text for everyone. A CSV audience gives values per row instead.
 */
export const variableSourceSchema = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('text'), value: z.string().min(1).max(1024) }),
  z.strictObject({ from: z.literal('contact'), field: z.enum(['name', 'first_name', 'phone']), fallback: z.string().max(1024).optional() }),
  z.strictObject({ from: z.literal('attribute'), key: z.string().min(1).max(64), fallback: z.string().max(1024).optional() }),
]);
export type VariableSource = z.infer<typeof variableSourceSchema>;

/** Filters over the business's contacts; every given filter must hold. */
export const contactsAudienceSchema = z.strictObject({
  kind: z.literal('contacts'),
  /** Contacts having all these tags (lower-case). */
  tags: z.array(z.string().min(1).max(64)).max(20).optional(),
  /** Contacts having none of these tags. */
  excludeTags: z.array(z.string().min(1).max(64)).max(20).optional(),
  /** Custom attributes equal to these values. */
  attributes: z.record(z.string().min(1).max(64), z.union([z.string().max(256), z.number(), z.boolean()])).optional(),
  /** Template variables by name (`"1"`, `"first_name"`, `header.1`…) and where each comes from. */
  variables: z.record(z.string().min(1).max(64), variableSourceSchema).optional(),
});

/**
 * Uploaded rows: a `phone` column (any format; normalised to E.164 with the contact's country or
 * the business's default), optional `name`, and one column per template variable named as in the
 * template (`1`, `2`, … or the named parameter). Rows are validated against the template before
 * anything is scheduled; an invalid row is reported with its line number and never sent.
 */
export const csvAudienceSchema = z.strictObject({
  kind: z.literal('csv'),
  /** The file's text (UTF-8, comma or semicolon separated, header row first). At most 5 MB. */
  csv: z.string().min(1).max(5_000_000),
  /** The country assumed for numbers written without a country code (ISO 3166 alpha-2). */
  defaultCountry: z.string().length(2).optional(),
});

export type ContactsAudience = z.infer<typeof contactsAudienceSchema>;

export const audienceSchema = z.discriminatedUnion('kind', [contactsAudienceSchema, csvAudienceSchema]);
export type CampaignAudience = z.infer<typeof audienceSchema>;

/** What an admin gives to create (or edit, while a draft) a campaign. */
export const campaignInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  /** The WhatsApp phone number id that sends (an account of the caller's business). */
  accountId: z.string().max(100).regex(/^\d+$/, 'a WhatsApp phone number id'),
  template: z.strictObject({
    name: z.string().min(1).max(512),
    /** Meta's language code of the approved translation (`es`, `pt_BR`, `en_US`…). */
    language: z.string().min(2).max(15),
    /** A header image/video/document for templates with a media header: a public https link. */
    headerMediaLink: z
      .url({ protocol: /^https$/ })
      .max(2048)
      .optional(),
  }),
  audience: audienceSchema,
  /** When to start (ISO time); absent: when scheduled. */
  startAt: z.iso.datetime({ offset: true }).optional(),
  /** Share of the number's messages-per-second the campaign may use (the rest stays for conversations). Default 0.8. */
  rateShare: z.number().min(0.05).max(1).optional(),
});
export type CampaignInput = z.infer<typeof campaignInputSchema>;

/** Counts kept on the campaign as its messages move (each counted once, on the transition). */
export interface CampaignCounts {
  /** Recipients on the list after deduplication and consent. */
  targeted: number;
  /** Left out when scheduling, by reason (`no_consent`, `opted_out`, `duplicate`, `invalid_phone`, `invalid_variables`, `not_whatsapp`). */
  skipped: Record<string, number>;
  /** Handed to the sender. */
  released: number;
  sent: number;
  delivered: number;
  read: number;
  /** Customers who wrote back after receiving it (counted once per recipient). */
  replied: number;
  failed: number;
  /** Failures by Meta's error code (`131049`, `131026`…), or by our refusal (`no_consent`, `window`…). */
  failedByError: Record<string, number>;
  /** Customers who opted out within 7 days of receiving it. */
  optedOut: number;
  /** Meta's charge for the campaign's messages, in millionths of the rate card's currency (USD). */
  spendMicros: number;
}

/**
 * The recipient list's build (campaign-list-build.ts). A contacts audience is decided in steps
 * (campaign-list-decide.ts: each reads a bounded slice of the contacts index, stages who goes on
 * the list in chunks and carries `deciding` forward); when the walk ends the counts are set and
 * each chunk is then written to the list by its own message on the ticks queue. The release loop
 * starts only once the list is `ready`; a campaign whose audience turned out empty or too large
 * goes back to `draft` with the list `failed` and the reason.
 */
export interface CampaignList {
  status: 'building' | 'ready' | 'failed';
  /** Recipients written to the list so far. */
  built: number;
  /** How many chunks the decided audience was staged in (absent until it is decided). */
  chunks?: number;
  /** While a contacts audience is being decided (absent before its first step and once it is decided). */
  deciding?: ListDeciding;
  /** The next chunk to write (0 … chunks). */
  nextChunk?: number;
  /** The deciding step's id: staged chunks carry it, so two steps racing cannot mix their chunks. */
  attempt?: string;
  /** Why the build failed: `empty_audience`, `audience_too_large`, `template_unavailable`, `chunk_missing`, `walk_missing`. */
  reason?: string;
  /** When the build last moved (the watchdog kicks a build that went quiet). */
  updatedAt?: string;
}

/**
 * Where deciding a contacts audience is: the step to take next and what the steps taken so far
 * decided. No personal data: the walk's place in the contacts index and who it met are kept on the
 * list's partition (`WALK#` items), which expires.
 */
export interface ListDeciding {
  /** The next deciding step (1 after the first step). */
  step: number;
  /** Recipients decided so far: the list position the next step's recipients start at. */
  listed: number;
  /** Chunks staged so far (the next step's first chunk number). */
  chunks: number;
  /** Left off so far, by reason. */
  skipped: Record<string, number>;
  /** Contacts looked at so far. */
  read: number;
}

export interface Campaign {
  businessId: string;
  /** `cmp_<ULID-like>` */
  campaignId: string;
  name: string;
  accountId: string;
  template: CampaignInput['template'] & {
    /** As approved by Meta, read from the synchronised template when scheduling. */
    category?: 'marketing' | 'utility' | 'authentication';
  };
  /** A CSV audience keeps only its size here; its rows became recipients when scheduled. */
  audience: ContactsAudience | { kind: 'csv'; rows: number; defaultCountry?: string };
  startAt?: string;
  rateShare: number;
  state: CampaignState;
  pauseReason?: PauseReason;
  /** The recipient list's build; absent on campaigns listed before builds ran in the background (their list is complete). */
  list?: CampaignList;
  counts: CampaignCounts;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  scheduledAt?: string;
  startedAt?: string;
  completedAt?: string;
  /** Optimistic lock for operator edits and state changes. */
  version: number;
}

export const RECIPIENT_STATES = ['queued', 'released', 'sent', 'delivered', 'read', 'failed'] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** One customer on a campaign's list. PII: never logged. */
export interface CampaignRecipient {
  campaignId: string;
  /** The customer's wa_id (E.164 digits without `+`): the deduplication key on the list. */
  waId: string;
  contactId?: string;
  /** Variables by template parameter name, already validated. */
  variables: Record<string, string>;
  /** Position on the list (release order). */
  seq: number;
  state: RecipientState;
  /** Set when released: the outbound Message id (deterministic from campaign and wa_id). */
  messageId?: string;
  conversationKey?: string;
  releasedAt?: string;
  errorCode?: string;
  replied?: boolean;
}

/** Meta's messaging limits (unique customers reached outside a service window per moving 24 h, per business portfolio). */
export const MESSAGING_LIMITS: Record<string, number> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: Number.POSITIVE_INFINITY,
  UNLIMITED: Number.POSITIVE_INFINITY,
};
/** A portfolio Meta has told us nothing about starts at 250 (Meta's messaging-limits page). */
export const DEFAULT_MESSAGING_LIMIT = 250;
/** Default share of a number's throughput a campaign uses; the rest keeps conversations moving. */
export const DEFAULT_RATE_SHARE = 0.8;
/** How long after a campaign message a reply or an opt-out is counted for it. */
export const ATTRIBUTION_WINDOW_DAYS = 7;

export function emptyCounts(): CampaignCounts {
  return { targeted: 0, skipped: {}, released: 0, sent: 0, delivered: 0, read: 0, replied: 0, failed: 0, failedByError: {}, optedOut: 0, spendMicros: 0 };
}
