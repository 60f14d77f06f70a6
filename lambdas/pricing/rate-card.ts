import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import bundledCard from './whatsapp-rate-card.json' with { type: 'json' };
import { InvalidRateCardError } from '#lambdas/pricing/errors';

/** The categories a rate card prices; Meta's own names, as the status webhooks report them. */
export const RATED_CATEGORIES = ['marketing', 'utility', 'authentication', 'authentication_international', 'service'] as const;
export type RatedCategory = (typeof RATED_CATEGORIES)[number];

/** USD per delivered message: non-negative and below a dollar (no Meta rate comes close). */
const Rate = z.number().check(z.nonnegative(), z.lt(1));
const IsoCountry = z.string().check(z.regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'));
const MarketKey = z.union([IsoCountry, z.literal('OTHER')]);

const MarketSchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(80)),
  /** Countries billed at this market's rates besides the market's own code (Meta groups some). */
  countries: z.optional(z.array(IsoCountry).check(z.maxLength(250))),
  rates: z.strictObject({
    marketing: z.optional(Rate),
    utility: z.optional(Rate),
    authentication: z.optional(Rate),
    authentication_international: z.optional(Rate),
    service: z.optional(Rate),
  }),
  source: z.optional(z.string().check(z.maxLength(500))),
});

export const RateCardSchema = z
  .strictObject({
    /** True while the figures are a snapshot gathered by hand rather than Meta's own file. */
    snapshot: z.boolean(),
    effectiveDate: z.iso.date(),
    currency: z.literal('USD'),
    sourceUrl: z.url().check(z.maxLength(500)),
    notes: z.optional(z.string().check(z.maxLength(2000))),
    markets: z.record(MarketKey, MarketSchema),
  })
  .check(
    z.superRefine((card, ctx) => {
      if (!card.markets.OTHER) ctx.addIssue({ code: 'custom', path: ['markets'], message: 'needs an OTHER market for countries not listed' });
      const seen = new Map<string, string>();
      for (const [key, market] of Object.entries(card.markets)) {
        for (const country of new Set([...(key === 'OTHER' ? [] : [key]), ...(market.countries ?? [])])) {
          const other = seen.get(country);
          if (other) ctx.addIssue({ code: 'custom', path: ['markets', key], message: `${country} is already in market ${other}` });
          seen.set(country, key);
        }
      }
    }),
  );

export type RateCard = z.infer<typeof RateCardSchema>;
export type Market = RateCard['markets'][string];

export function parseRateCard(input: unknown): RateCard {
  const parsed = RateCardSchema.safeParse(input);
  if (!parsed.success) throw new InvalidRateCardError(parsed.error.issues.map((i) => `${i.path.join('.') || '(card)'}: ${i.message}`));
  return parsed.data;
}

let loaded: RateCard | undefined;

/** The rate card shipped with the code, validated once per process (a bad file fails at cold start). */
export function bundledRateCard(): RateCard {
  loaded ??= parseRateCard(bundledCard);
  return loaded;
}

/** The market whose rates a recipient in `country` is billed at; OTHER when none lists it. */
export function marketOf(card: RateCard, country: string | undefined): { key: string; market: Market } {
  if (country) {
    const own = card.markets[country];
    if (own) return { key: country, market: own };
    for (const [key, market] of Object.entries(card.markets)) if (market.countries?.includes(country)) return { key, market };
  }
  return { key: 'OTHER', market: card.markets.OTHER! };
}

/**
 * A rate card from CSV: a header row, then one market a row. Columns `market,name,countries,`
 * followed by any of the rated categories; `countries` is space-separated, an empty rate is none.
 * The card's date and source come from the caller (the CSV carries rates only).
 */
export function rateCardFromCsv(text: string, meta: { effectiveDate: string; sourceUrl: string; snapshot?: boolean; notes?: string }): RateCard {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length < 2) throw new InvalidRateCardError(['csv: a header row and at least one market are needed']);
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col('market') < 0 || col('name') < 0) throw new InvalidRateCardError(['csv: the header needs market and name columns']);
  const unknown = header.filter((h) => !['market', 'name', 'countries', 'source', ...RATED_CATEGORIES].includes(h as RatedCategory));
  if (unknown.length > 0) throw new InvalidRateCardError([`csv: unknown columns ${unknown.join(', ')}`]);
  const markets: Record<string, unknown> = {};
  const issues: string[] = [];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const cell = (name: string) => (col(name) >= 0 ? (cells[col(name)] ?? '') : '');
    const key = cell('market').toUpperCase();
    if (key in markets) issues.push(`csv line ${i + 2}: market ${key} twice`);
    const rates: Record<string, number> = {};
    for (const category of RATED_CATEGORIES) {
      const raw = cell(category);
      if (raw === '') continue;
      const value = Number(raw);
      if (!Number.isFinite(value)) issues.push(`csv line ${i + 2}: ${category} is not a number`);
      else rates[category] = value;
    }
    const countries = cell('countries')
      .split(/\s+/)
      .filter(Boolean)
      .map((c) => c.toUpperCase());
    markets[key] = { name: cell('name'), ...(countries.length > 0 ? { countries } : {}), rates, ...(cell('source') ? { source: cell('source') } : {}) };
  });
  if (issues.length > 0) throw new InvalidRateCardError(issues);
  return parseRateCard({
    snapshot: meta.snapshot ?? false,
    effectiveDate: meta.effectiveDate,
    currency: 'USD',
    sourceUrl: meta.sourceUrl,
    ...(meta.notes ? { notes: meta.notes } : {}),
    markets,
  });
}

/** Lines that say what a new card changes against the current one, for the operator to read. */
export function rateCardChanges(before: RateCard, after: RateCard): string[] {
  const changes: string[] = [];
  if (before.effectiveDate !== after.effectiveDate) changes.push(`effective date ${before.effectiveDate} → ${after.effectiveDate}`);
  if (before.sourceUrl !== after.sourceUrl) changes.push(`source ${before.sourceUrl} → ${after.sourceUrl}`);
  if (before.snapshot !== after.snapshot) changes.push(`snapshot ${before.snapshot} → ${after.snapshot}`);
  const keys = [...new Set([...Object.keys(before.markets), ...Object.keys(after.markets)])].sort();
  for (const key of keys) {
    const was = before.markets[key];
    const now = after.markets[key];
    if (!was) changes.push(`+ market ${key} (${now!.name})`);
    else if (!now) changes.push(`- market ${key} (${was.name})`);
    else {
      for (const category of RATED_CATEGORIES) {
        const a = was.rates[category];
        const b = now.rates[category];
        if (a !== b) changes.push(`${key} ${category}: ${a ?? 'none'} → ${b ?? 'none'}`);
      }
      const wasCountries = (was.countries ?? []).join(' ');
      const nowCountries = (now.countries ?? []).join(' ');
      if (wasCountries !== nowCountries) changes.push(`${key} countries: [${wasCountries}] → [${nowCountries}]`);
    }
  }
  return changes;
}
