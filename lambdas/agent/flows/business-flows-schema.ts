import { z } from 'zod';

export const LANGUAGES = ['en', 'es', 'pt'] as const;
export type FlowLanguage = (typeof LANGUAGES)[number];

const localized = (max?: number) => {
  const text = max === undefined ? z.string().trim().min(1) : z.string().trim().min(1).max(max);
  return z.object({ en: text, es: text, pt: text });
};
export type Localized = z.infer<ReturnType<typeof localized>>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time HH:MM');
const openRange = z
  .object({ from: clock, to: clock })
  .refine((r) => r.from < r.to, 'an opening range must end after it starts (split ranges that cross midnight)');

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
  z.object({ type: z.literal('faq'), faqId: z.string().min(1) }),
  z.object({ type: z.literal('handoff') }),
]);

const menuItem = z.object({
  /** Sent back verbatim as the button id / quick reply payload, prefixed with `menu:`. */
  id: z.string().regex(/^[a-z0-9_]{1,40}$/, 'lower-case letters, digits and _'),
  /** 20 characters: WhatsApp's reply button and Messenger's quick reply limit. */
  title: localized(20),
  /** Shown only when the menu becomes a WhatsApp list (more than three items). */
  description: localized(72).optional(),
  action: menuAction,
});
export type MenuItem = z.infer<typeof menuItem>;

const faqEntry = z.object({
  id: z.string().regex(/^[a-z0-9_]{1,40}$/, 'lower-case letters, digits and _'),
  question: localized(),
  answer: localized(1024),
  /** Extra words customers use for this topic, in any of the languages. */
  keywords: z.array(z.string().trim().min(1)).default([]),
});
export type FaqEntry = z.infer<typeof faqEntry>;

const keywordList = z.array(z.string().trim().min(1)).min(1);

export const businessFlowsSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,60}$/, 'lower-case letters, digits and -'),
  name: z.string().trim().min(1),
  /** WhatsApp phone number ids, Instagram account ids and Page ids this business answers on. */
  accountIds: z.array(z.string().min(1)).default([]),
  defaultLanguage: z.enum(LANGUAGES).default('en'),
  /** What the business helps customers with; scopes the generative assistant (Meta forbids general-purpose bots). */
  useCase: z.string().trim().min(1),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as America/Sao_Paulo'),
  /** Opening ranges per weekday in the business's time zone; a missing day is closed. */
  hours: z.partialRecord(z.enum(WEEKDAYS), z.array(openRange)),
  greeting: localized(1024),
  menuLabel: localized(20),
  menu: z.array(menuItem).min(1).max(10),
  faq: z.array(faqEntry).default([]),
  /** BM25 score an FAQ entry must reach to be given as the answer. */
  faqMinScore: z.number().positive().default(1.5),
  fallback: localized(1024),
  outOfHours: localized(1024),
  optOut: z.object({ keywords: keywordList, confirmation: localized(1024) }),
  handoff: z.object({
    keywords: keywordList,
    acknowledgement: localized(1024),
    outOfHoursAcknowledgement: localized(1024),
  }),
  /** How long a person writing from the business app or Instagram keeps the bot quiet. */
  humanQuietMinutes: z.number().int().min(0).max(7 * 24 * 60).default(30),
  csat: z.object({ question: localized(1024), thanks: localized(1024) }),
});
export type BusinessFlows = z.infer<typeof businessFlowsSchema>;

export const flowsConfigSchema = z
  .object({
    version: z.literal(1),
    /** Serves every account no business lists (the local cloud's accounts among them). */
    defaultBusinessId: z.string().min(1),
    businesses: z.array(businessFlowsSchema).min(1),
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    const accounts = new Map<string, string>();
    config.businesses.forEach((business, b) => {
      if (ids.has(business.id)) ctx.addIssue({ code: 'custom', path: ['businesses', b, 'id'], message: `duplicate business id ${business.id}` });
      ids.add(business.id);
      for (const account of business.accountIds) {
        const owner = accounts.get(account);
        if (owner) ctx.addIssue({ code: 'custom', path: ['businesses', b, 'accountIds'], message: `account ${account} already belongs to ${owner}` });
        accounts.set(account, business.id);
      }
      const faqIds = new Set(business.faq.map((f) => f.id));
      if (faqIds.size !== business.faq.length) ctx.addIssue({ code: 'custom', path: ['businesses', b, 'faq'], message: 'duplicate FAQ id' });
      const menuIds = new Set(business.menu.map((m) => m.id));
      if (menuIds.size !== business.menu.length) ctx.addIssue({ code: 'custom', path: ['businesses', b, 'menu'], message: 'duplicate menu id' });
      business.menu.forEach((item, m) => {
        if (item.action.type === 'faq' && !faqIds.has(item.action.faqId)) {
          ctx.addIssue({ code: 'custom', path: ['businesses', b, 'menu', m, 'action', 'faqId'], message: `no FAQ entry ${item.action.faqId}` });
        }
      });
    });
    if (!ids.has(config.defaultBusinessId)) {
      ctx.addIssue({ code: 'custom', path: ['defaultBusinessId'], message: `no business ${config.defaultBusinessId}` });
    }
  });
export type FlowsConfig = z.infer<typeof flowsConfigSchema>;

/** Parses a flows file, naming every problem by its path so the platform team can fix the file. */
export function parseFlowsConfig(raw: unknown): FlowsConfig {
  const parsed = flowsConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid flows config:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** The business that answers on a channel account. */
export function businessForAccount(config: FlowsConfig, accountId: string): BusinessFlows {
  const own = config.businesses.find((b) => b.accountIds.includes(accountId));
  return own ?? config.businesses.find((b) => b.id === config.defaultBusinessId)!;
}
