import type { Attribution, ContactChannel, UtmParameters } from '#lambdas/contacts/contact-model';
import { boundedAttribution } from '#lambdas/contacts/contact-changes';
import type { ReferralRef } from '#lambdas/conversation/model';

/** Characters of a message searched for links, links looked at, and characters of one link: bounded work on hostile text. */
const MAX_TEXT_SCANNED = 4_096;
const MAX_LINKS = 5;
const MAX_LINK_CHARS = 2_000;
const MAX_UTM_VALUE_CHARS = 200;
const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

export interface TouchContext {
  channel: ContactChannel;
  accountId: string;
  conversationKey: string;
  messageId?: string;
  at: string;
}

/**
 * How Meta's referral says the customer came: a click-to-WhatsApp ad or post (`source_type`,
 * `source_id`, `headline`, `ctwa_clid`, `source_url`), a Messenger / Instagram ad (`ad_id`) or an
 * m.me / ig.me link (`ref`, source `SHORTLINK`). UTM parameters of the source URL are kept too.
 */
export function attributionFromReferral(referral: ReferralRef, ctx: TouchContext): Attribution | undefined {
  const sourceType = referral.sourceType?.toLowerCase();
  const metaSource = referral.source?.toLowerCase();
  const isAd = referral.adId !== undefined || sourceType === 'ad' || metaSource === 'ads' || metaSource === 'ad';
  const source = isAd ? 'ad' : sourceType === 'post' ? 'post' : (metaSource ?? sourceType ?? 'referral');
  const adId = referral.adId ?? (sourceType === 'ad' ? referral.sourceId : undefined);
  const utm = referral.sourceUrl ? utmOf(referral.sourceUrl) : undefined;
  if (
    !adId &&
    !referral.sourceId &&
    !referral.ref &&
    !referral.ctwaClid &&
    !referral.sourceUrl &&
    !referral.headline &&
    !referral.source &&
    !referral.sourceType
  )
    return undefined;
  return boundedAttribution({
    ...ctx,
    source: source.replace(/[^a-z0-9_-]/g, '').slice(0, 40) || 'referral',
    ...(adId ? { adId } : {}),
    ...(referral.headline ? { headline: referral.headline } : {}),
    ...(referral.ctwaClid ? { ctwaClid: referral.ctwaClid } : {}),
    ...(referral.sourceUrl ? { sourceUrl: referral.sourceUrl } : {}),
    ...(referral.ref ? { ref: referral.ref } : {}),
    ...(utm ? { utm } : {}),
  });
}

/** A link with UTM parameters in a customer's message (the first one that has any), as first touch. */
export function attributionFromText(text: string, ctx: TouchContext): Attribution | undefined {
  const links = text.slice(0, MAX_TEXT_SCANNED).match(/https?:\/\/[^\s<>"'`]+/gi) ?? [];
  for (const link of links.slice(0, MAX_LINKS)) {
    if (link.length > MAX_LINK_CHARS) continue;
    const utm = utmOf(link);
    if (utm) return boundedAttribution({ ...ctx, source: 'link', sourceUrl: link, utm });
  }
  return undefined;
}

/** `utm_*` parameters of an http(s) URL; undefined when it has none or is not a URL. */
export function utmOf(link: string): UtmParameters | undefined {
  if (link.length > MAX_LINK_CHARS) return undefined;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const utm: UtmParameters = {};
  for (const key of UTM_KEYS) {
    const value = url.searchParams.get(`utm_${key}`)?.trim();
    if (value) utm[key] = value.slice(0, MAX_UTM_VALUE_CHARS);
  }
  return Object.keys(utm).length > 0 ? utm : undefined;
}

/** The earlier of two attributions (first touch is the earliest). */
export function earliest(a: Attribution | undefined, b: Attribution | undefined): Attribution | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.at < a.at ? b : a;
}
