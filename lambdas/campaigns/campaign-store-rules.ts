import type { CampaignState, RecipientState } from '#lambdas/campaigns/campaign-model';
import type { CountsDelta } from '#lambdas/campaigns/campaign-ports';

/**
 * Rules both campaign stores (DynamoDB and in memory) apply the same way, so that the in-memory one
 * used by unit tests cannot drift from the one that runs.
 */

const COUNT_KEY = /^[a-z0-9_]{1,40}$/;

/**
 * A key of `skipped` or `failedByError` as stored: lower case, `[a-z0-9_]`, at most 40 characters.
 * Meta's error codes (`131049`) and our reasons (`no_consent`) pass unchanged; anything else an
 * error body carried is folded into that shape, so a hostile code can neither name a nested
 * attribute path nor grow the item.
 */
export function countKey(raw: string): string {
  if (COUNT_KEY.test(raw)) return raw;
  const folded = String(raw)
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return folded.length > 0 ? folded : 'other';
}

/** At most this many distinct keys are added by one delta (the rest fold into `other`). */
const MAX_KEYS_PER_DELTA = 50;

/** A map of additions keyed as stored; keys that fold together are summed; non-finite or zero values dropped. */
export function countMap(values: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [raw, n] of Object.entries(values ?? {})) {
    if (typeof n !== 'number' || !Number.isFinite(n) || n === 0) continue;
    let key = countKey(raw);
    if (!(key in out) && Object.keys(out).length >= MAX_KEYS_PER_DELTA) key = 'other';
    out[key] = (out[key] ?? 0) + n;
  }
  return out;
}

export const SCALAR_COUNTS = ['targeted', 'released', 'sent', 'delivered', 'read', 'replied', 'failed', 'optedOut', 'spendMicros'] as const;

/** The scalar additions of a delta that change something. */
export function scalarAdditions(delta: CountsDelta): Array<[(typeof SCALAR_COUNTS)[number], number]> {
  return SCALAR_COUNTS.flatMap((k) => {
    const n = delta[k];
    return typeof n === 'number' && Number.isFinite(n) && n !== 0 ? [[k, n] as [(typeof SCALAR_COUNTS)[number], number]] : [];
  });
}

const FORWARD: readonly RecipientState[] = ['queued', 'released', 'sent', 'delivered', 'read'];

/** The states a recipient may be in for a move to `to` (forward only; `failed` from any state before `read`). */
export function recipientStatesBefore(to: RecipientState): RecipientState[] {
  if (to === 'failed') return ['queued', 'released', 'sent', 'delivered'];
  const rank = FORWARD.indexOf(to);
  return rank <= 0 ? [] : FORWARD.slice(0, rank);
}

/** The timestamp attribute a recipient move sets (`releasedAt`, `sentAt`, …). */
export const recipientStateAt = (state: RecipientState) => `${state}At`;

/** Campaign states a campaign is over in. */
export const ENDED_STATES: readonly CampaignState[] = ['completed', 'cancelled'];

/** wa_ids are the number's digits with its country code. */
export const WA_ID = /^\d{6,20}$/;

/** List positions fit the key's eight digits. */
export const MAX_SEQ = 99_999_999;
