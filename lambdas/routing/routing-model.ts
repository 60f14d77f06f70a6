import * as z from 'zod';

/**
 * The contact-centre model of one business: the people who answer (agents), where handed-off
 * conversations wait (queues), which queue a handoff goes to (rules), canned replies (macros) and
 * the routing state a conversation carries while people work it.
 *
 * Schemas validate what admins send (the admin API and `npm run routing`); the types are what the
 * stores return. Ids are short tokens chosen by the business (agent ids are the operator's token
 * `username`, the identity's `actor`).
 */

export const ROUTING_LANGUAGES = ['es', 'pt', 'en'] as const;
export const ROUTING_CHANNELS = ['whatsapp', 'instagram', 'messenger'] as const;
export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];
export type RoutingLanguage = (typeof ROUTING_LANGUAGES)[number];
export type RoutingChannel = (typeof ROUTING_CHANNELS)[number];

/** Ids chosen by admins (queue, rule, macro ids; agent ids are Cognito usernames). */
export const routingId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/, 'letters, digits and . _ @ + - (at most 128)');
const label = z.string().trim().min(1).max(120);
const tag = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}_-]{0,39}$/u, 'a tag: letters, digits, _ or - (at most 40)');
const skill = tag;
/** A contact or conversation tag (e.g. `vip`), as admins and agents set them. */
export const routingTagSchema = tag;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time HH:MM');
const openRange = z
  .object({ from: clock, to: clock })
  .refine((r) => r.from < r.to, 'an opening range must end after it starts (split ranges that cross midnight)');
const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Opening hours in the business's time zone; a holiday (YYYY-MM-DD, local date) is closed all day. */
export const queueHoursSchema = z.strictObject({
  timezone: z.string().max(64).refine(isTimeZone, 'an IANA time zone such as America/Mexico_City'),
  weekly: z.partialRecord(z.enum(WEEKDAY_KEYS), z.array(openRange).max(12)),
  holidays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'))
    .max(366)
    .default([]),
});
export type QueueHours = z.infer<typeof queueHoursSchema>;

export const slaTargetsSchema = z.strictObject({
  /** Seconds of the queue's open hours until a person first answers (from queuing). */
  firstResponseSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400),
  /** Seconds of open hours until the conversation is closed; none: no resolution target. */
  resolutionSeconds: z
    .number()
    .int()
    .min(1)
    .max(90 * 86_400)
    .optional(),
  /** Share of a target at which `sla.warning` fires (0.8 = at 80%). */
  warnAtShare: z.number().gt(0).lt(1).default(0.8),
});
export type SlaTargets = z.infer<typeof slaTargetsSchema>;

export const agentInputSchema = z.strictObject({
  agentId: routingId,
  name: label,
  /** The skills the agent brings (a queue's required skills must all be here). */
  skills: z.array(skill).max(50).default([]),
  languages: z.array(z.enum(ROUTING_LANGUAGES)).min(1).max(3),
  channels: z
    .array(z.enum(ROUTING_CHANNELS))
    .min(1)
    .max(3)
    .default([...ROUTING_CHANNELS]),
  /** Conversations offered or assigned at once, at most. */
  maxConcurrent: z.number().int().min(1).max(50).default(3),
});
export type AgentInput = z.infer<typeof agentInputSchema>;

/** An agent as stored: the admin's settings plus presence and load kept by the routing engine. */
export interface RoutingAgent extends AgentInput {
  businessId: string;
  presence: Presence;
  presenceChangedAt: string;
  /** Conversation keys offered to or assigned to the agent now; its size is the load. */
  activeConversationKeys: string[];
  /** When the agent last received an offer or finished one; "longest idle" ties use it. */
  lastActivityAt?: string;
  version: number;
  updatedAt: string;
}

export const queueInputSchema = z.strictObject({
  queueId: routingId,
  name: label,
  requiredSkills: z.array(skill).max(20).default([]),
  /** Languages the queue serves; empty: any. */
  languages: z.array(z.enum(ROUTING_LANGUAGES)).max(3).default([]),
  /** Channels the queue serves; empty: any. */
  channels: z.array(z.enum(ROUTING_CHANNELS)).max(3).default([]),
  /** Higher is served first when an agent can take from several queues (0–100). */
  priority: z.number().int().min(0).max(100).default(50),
  /** None: always open. */
  hours: queueHoursSchema.optional(),
  sla: slaTargetsSchema,
  /** Where a conversation goes when its first-response target is breached (a rule may also raise priority). */
  overflowQueueId: routingId.optional(),
  /** Seconds an agent has to accept an offer before it goes to someone else. */
  offerTimeoutSeconds: z.number().int().min(5).max(3600).default(60),
});
export type QueueInput = z.infer<typeof queueInputSchema>;
export interface RoutingQueue extends QueueInput {
  businessId: string;
  version: number;
  updatedAt: string;
}

/** Conversation priority: VIP and breached conversations rise; the queue serves higher first, then oldest. */
export const PRIORITY = { low: 10, normal: 50, high: 80, vip: 90, breached: 95 } as const;

export const routingRuleSchema = z.strictObject({
  ruleId: routingId,
  /** Every given condition must hold; an absent one matches anything. */
  when: z
    .strictObject({
      channels: z.array(z.enum(ROUTING_CHANNELS)).min(1).optional(),
      languages: z.array(z.enum(ROUTING_LANGUAGES)).min(1).optional(),
      /** Handoff reasons (`customer_request`, `no_bot_configured`, `complaint`, `assistant_decision`, …). */
      reasons: z.array(z.string().max(64)).min(1).optional(),
      /** Intents the bot detected (FAQ or menu ids). */
      intents: z.array(z.string().max(128)).min(1).optional(),
      /** Contact or conversation tags: the rule holds when any of them is present (e.g. `vip`). */
      tags: z.array(tag).min(1).optional(),
      accountIds: z.array(z.string().min(1).max(200)).min(1).optional(),
    })
    .default({}),
  then: z.strictObject({
    queueId: routingId,
    priority: z.number().int().min(0).max(100).optional(),
    addTags: z.array(tag).max(10).optional(),
  }),
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;

export const routingRulesInputSchema = z.strictObject({
  /** Evaluated in order; the first whose conditions hold decides. */
  rules: z.array(routingRuleSchema).max(200),
  /** Where a handoff goes when no rule holds. */
  defaultQueueId: routingId,
});
export type RoutingRulesInput = z.infer<typeof routingRulesInputSchema>;
export interface RoutingRules extends RoutingRulesInput {
  businessId: string;
  version: number;
  updatedAt: string;
}

/** A canned reply; `{first_name}`, `{name}`, `{agent_name}`, `{order_id}` are filled when used. */
export const macroInputSchema = z.strictObject({
  macroId: routingId,
  name: label,
  texts: z
    .strictObject({
      es: z.string().trim().min(1).max(4096).optional(),
      pt: z.string().trim().min(1).max(4096).optional(),
      en: z.string().trim().min(1).max(4096).optional(),
    })
    .refine((t) => t.es !== undefined || t.pt !== undefined || t.en !== undefined, 'at least one language'),
  /** Tags the macro adds to the conversation when used. */
  addTags: z.array(tag).max(10).default([]),
});
export type MacroInput = z.infer<typeof macroInputSchema>;
export interface Macro extends MacroInput {
  businessId: string;
  version: number;
  updatedAt: string;
}

/**
 * Where a handed-off conversation is in the contact centre. Flat attributes on the Conversation
 * item (analysts read them from the export):
 *
 *   routingStatus      queued | offered | assigned | closed (absent while the bot answers)
 *   queueId            the queue it waits in or was taken from
 *   routingPriority    PRIORITY.* or a rule's number
 *   tags               string set (e.g. vip, complaint)
 *   queuedAt           first queued for this handoff (kept across re-queues: oldest stays first)
 *   offeredAgentId, offeredAt, offerExpiresAt, offerId   while offered
 *   assignedAgentId, assignedAt                          once accepted
 *   declinedBy         agents who declined or let the offer expire (not offered again this handoff)
 *   firstHumanResponseAt, closedAt, closeOutcome
 *   slaFirstResponseDueAt, slaResolutionDueAt, slaState (ok | warning | breached)
 *   transfers          count of transfers this handoff
 *   routingVersion     incremented by every routing transition (timers carry it to stay idempotent)
 *   handoffContext     map: reason, language, intent, lastCustomerTexts[], botAnswers[], captured{}, tags[]
 *   gsi2pk / gsi2sk    present only while queued: WAIT#<business>#<queue> / <rank>#<queuedAt>#<key>
 */
export const ROUTING_STATUSES = ['queued', 'offered', 'assigned', 'closed'] as const;
export type RoutingStatus = (typeof ROUTING_STATUSES)[number];
export type SlaState = 'ok' | 'warning' | 'breached';

export interface HandoffContext {
  reason: string;
  language?: string;
  intent?: string;
  lastCustomerTexts: string[];
  botAnswers: string[];
  captured: Record<string, string>;
  tags: string[];
}

export interface ConversationRouting {
  conversationKey: string;
  businessId: string;
  channel: RoutingChannel;
  accountId: string;
  language?: string;
  routingStatus?: RoutingStatus;
  queueId?: string;
  routingPriority?: number;
  tags: string[];
  queuedAt?: string;
  offeredAgentId?: string;
  offeredAt?: string;
  offerExpiresAt?: string;
  offerId?: string;
  assignedAgentId?: string;
  assignedAt?: string;
  declinedBy: string[];
  firstHumanResponseAt?: string;
  closedAt?: string;
  closeOutcome?: string;
  slaFirstResponseDueAt?: string;
  slaResolutionDueAt?: string;
  slaState?: SlaState;
  transfers: number;
  routingVersion: number;
  handoffContext?: HandoffContext;
}

/**
 * Close outcomes an agent picks; analysts count first-contact resolution from `resolved` and
 * conversions (a sale) from `converted`. Each is one of contact-model.ts CONVERSATION_OUTCOMES.
 */
export const CLOSE_OUTCOMES = ['resolved', 'converted', 'unresolved', 'duplicate', 'spam', 'no_response'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];
