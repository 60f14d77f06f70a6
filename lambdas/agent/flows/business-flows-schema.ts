import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import { DEFAULT_REPLIES } from '#lambdas/agent/flows/default-replies';

export const LANGUAGES = ['en', 'es', 'pt'] as const;
export type FlowLanguage = (typeof LANGUAGES)[number];

const localized = (max?: number) => {
  const text = max === undefined ? z.string().check(z.trim(), z.minLength(1)) : z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
  return z.object({ en: text, es: text, pt: text });
};
export type Localized = z.infer<ReturnType<typeof localized>>;

const clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time HH:MM'));
const openRange = z
  .object({ from: clock, to: clock })
  .check(z.refine((r) => r.from < r.to, 'an opening range must end after it starts (split ranges that cross midnight)'));

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const menuAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('answer'), text: localized(1024) }),
  z.object({ type: z.literal('faq'), faqId: z.string().check(z.minLength(1)) }),
  z.object({ type: z.literal('handoff') }),
]);

const menuItem = z.object({
  /** Sent back verbatim as the button id / quick reply payload, prefixed with `menu:`. */
  id: z.string().check(z.regex(/^[a-z0-9_]{1,40}$/, 'lower-case letters, digits and _')),
  /** 20 characters: WhatsApp's reply button and Messenger's quick reply limit. */
  title: localized(20),
  /** Shown only when the menu becomes a WhatsApp list (more than three items). */
  description: z.optional(localized(72)),
  action: menuAction,
});
export type MenuItem = z.infer<typeof menuItem>;

const faqEntry = z.object({
  id: z.string().check(z.regex(/^[a-z0-9_]{1,40}$/, 'lower-case letters, digits and _')),
  question: localized(300),
  answer: localized(1024),
  /** Extra words customers use for this topic, in any of the languages. */
  keywords: z._default(z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))).check(z.maxLength(100)), []),
  /**
   * What the answer asks the customer for: the next message is read as that answer (an order number
   * is captured and handed to a person), and the answer is not given again once the value is known.
   */
  asksFor: z.optional(z.enum(['order_id'])),
});
export type FaqEntry = z.infer<typeof faqEntry>;

const localizedWithDefault = (max: number, value: Localized) => z._default(localized(max), value);

/** The bot's own short sentences; each has a default, so settings stored before they existed stay valid. */
const replyTexts = z.prefault(
  z.object({
    /** No confident answer: said instead of guessing, with a one-tap offer of a person. */
    notSure: localizedWithDefault(1024, DEFAULT_REPLIES.notSure),
    /** Added to the out-of-hours notice when a question is left for a person to follow up. */
    followUpWhenOpen: localizedWithDefault(1024, DEFAULT_REPLIES.followUpWhenOpen),
    /** The title of the one-tap button that hands the conversation to a person. */
    talkToPerson: localizedWithDefault(20, DEFAULT_REPLIES.talkToPerson),
    thanks: localizedWithDefault(1024, DEFAULT_REPLIES.thanks),
    goodbye: localizedWithDefault(1024, DEFAULT_REPLIES.goodbye),
    /** A damaged item or an angry message, handed to a person with priority. */
    complaint: localizedWithDefault(1024, DEFAULT_REPLIES.complaint),
    complaintOutOfHours: localizedWithDefault(1024, DEFAULT_REPLIES.complaintOutOfHours),
    /** A photo, voice note or file without a caption. */
    attachment: localizedWithDefault(1024, DEFAULT_REPLIES.attachment),
    /** The same question again, after its answer was given. */
    repeated: localizedWithDefault(1024, DEFAULT_REPLIES.repeated),
    /** An order number was given and no order look-up is configured: `{order}` is replaced by it. */
    orderNoted: localizedWithDefault(1024, DEFAULT_REPLIES.orderNoted),
    orderNotedOutOfHours: localizedWithDefault(1024, DEFAULT_REPLIES.orderNotedOutOfHours),
    /** An ambiguous opt-out ("para", "stop it"): a one-tap confirmation. */
    optOutQuestion: localizedWithDefault(1024, DEFAULT_REPLIES.optOutQuestion),
    /**
     * When the evidence for the conversation's language is split (a Brazilian number writing in
     * Spanish, a message mixing two languages), the reply asks once, in the other language, with a
     * one-tap button per language (titles are the languages' own names).
     */
    languageQuestion: localizedWithDefault(200, DEFAULT_REPLIES.languageQuestion),
    /** The answer to that tap. */
    languageSet: localizedWithDefault(1024, DEFAULT_REPLIES.languageSet),
    optOutYes: localizedWithDefault(20, DEFAULT_REPLIES.optOutYes),
    optOutNo: localizedWithDefault(20, DEFAULT_REPLIES.optOutNo),
    /** The customer chose to keep receiving messages. */
    optOutKept: localizedWithDefault(1024, DEFAULT_REPLIES.optOutKept),
    /** The customer asked to receive promotional messages again. */
    optInConfirmation: localizedWithDefault(1024, DEFAULT_REPLIES.optInConfirmation),
    /** The button that opens the satisfaction list on WhatsApp. */
    csatListLabel: localizedWithDefault(20, DEFAULT_REPLIES.csatListLabel),
  }),
  {},
);
export type ReplyTexts = z.infer<typeof replyTexts>;

const keywordList = z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))).check(z.minLength(1), z.maxLength(100));

/** How long a person's message keeps the bot quiet when the business has no settings to say. */
export const DEFAULT_HUMAN_QUIET_MINUTES = 30;
/** Hours of customer silence that end a conversation the bot holds, when the business's settings do not say. */
export const DEFAULT_CONVERSATION_END_HOURS = 24;

/**
 * One business's bot settings. The business is the key they are stored under (bot-settings-store.ts)
 * and the channel account registry says which accounts it owns, so the settings name neither: a
 * body that tries (`id`, `accountIds`) is refused like any other unknown field, so a typo in an
 * optional field is reported instead of silently ignored.
 */
export const businessFlowsObjectSchema = z.strictObject({
  /** Shown to the generative assistant (and in the console); never used to look the business up. */
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  defaultLanguage: z._default(z.enum(LANGUAGES), 'en'),
  /** What the business helps customers with; scopes the generative assistant (Meta forbids general-purpose bots). */
  useCase: z.string().check(z.trim(), z.minLength(1), z.maxLength(2000)),
  timezone: z.string().check(z.maxLength(64), z.refine(isTimeZone, 'an IANA time zone such as America/Sao_Paulo')),
  /** Opening ranges per weekday in the business's time zone; a missing day is closed. */
  hours: z.partialRecord(z.enum(WEEKDAYS), z.array(openRange).check(z.maxLength(12))),
  greeting: localized(1024),
  menuLabel: localized(20),
  menu: z.array(menuItem).check(z.minLength(1), z.maxLength(10)),
  faq: z._default(z.array(faqEntry).check(z.maxLength(300)), []),
  /** Search score an FAQ entry must reach to be given as the answer (never below the index's own floor). */
  faqMinScore: z._default(z.number().check(z.positive(), z.lte(1000)), 1.5),
  fallback: localized(1024),
  outOfHours: localized(1024),
  optOut: z.object({ keywords: keywordList, confirmation: localized(1024) }),
  handoff: z.object({
    keywords: keywordList,
    acknowledgement: localized(1024),
    outOfHoursAcknowledgement: localized(1024),
  }),
  /** How long a person writing from the business app or Instagram keeps the bot quiet. */
  humanQuietMinutes: z._default(z.number().check(z.int(), z.gte(0), z.lte(7 * 24 * 60)), DEFAULT_HUMAN_QUIET_MINUTES),
  /**
   * Hours without a customer message after which a conversation the bot alone holds ends, with an
   * outcome (lambdas/conversation-end/). Default 24: when the reply window closes.
   */
  conversationEndHours: z._default(z.number().check(z.int(), z.gte(1), z.lte(7 * 24)), DEFAULT_CONVERSATION_END_HOURS),
  csat: z.object({ question: localized(1024), thanks: localized(1024) }),
  replies: replyTexts,
});

/** The settings with the checks that span fields: unique ids, menu items pointing at real FAQ entries. */
export const businessFlowsSchema = businessFlowsObjectSchema.check(
  z.superRefine((business, ctx) => {
    const faqIds = new Set(business.faq.map((f) => f.id));
    if (faqIds.size !== business.faq.length) ctx.addIssue({ code: 'custom', path: ['faq'], message: 'duplicate FAQ id' });
    const menuIds = new Set(business.menu.map((m) => m.id));
    if (menuIds.size !== business.menu.length) ctx.addIssue({ code: 'custom', path: ['menu'], message: 'duplicate menu id' });
    business.menu.forEach((item, m) => {
      if (item.action.type === 'faq' && !faqIds.has(item.action.faqId)) {
        ctx.addIssue({ code: 'custom', path: ['menu', m, 'action', 'faqId'], message: `no FAQ entry ${item.action.faqId}` });
      }
    });
  }),
);
export type BusinessFlows = z.infer<typeof businessFlowsSchema>;

/** One problem with submitted settings, named by its path (`menu.0.title.en`) so a console can show it by the field. */
export interface SettingsProblem {
  path: string;
  message: string;
}

export type ParsedBusinessFlows = { ok: true; settings: BusinessFlows } | { ok: false; problems: SettingsProblem[] };

/** Validates settings as submitted, naming every problem by its path (`(root)` for the whole value). */
export function parseBusinessFlows(raw: unknown): ParsedBusinessFlows {
  const parsed = businessFlowsSchema.safeParse(raw);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })) };
}

/** The problems as lines (`path: message`), for logs of paths and for the command line. */
export function describeProblems(problems: readonly SettingsProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}
