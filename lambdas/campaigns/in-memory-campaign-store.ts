import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { isCampaignId } from '#lambdas/campaigns/campaign-id';
import { campaignListPk, campaignsPk, limitHourSk } from '#lambdas/campaigns/campaign-keys';
import { RECIPIENT_STATES, type Campaign, type CampaignRecipient, type CampaignState } from '#lambdas/campaigns/campaign-model';
import type { CampaignRefusal, CampaignResult, CampaignStore, ListDecidingStep, Page, ReleaseCursor, StagedChunk } from '#lambdas/campaigns/campaign-ports';
import { countMap, MAX_SEQ, recipientStatesBefore, scalarAdditions, WA_ID } from '#lambdas/campaigns/campaign-store-rules';
import { decodeCursor, encodeCursor } from '#lambdas/shared/page-cursor';
import { RecipientListChangedError } from '#lambdas/campaigns/errors';

export interface InMemoryCampaignStore extends CampaignStore {
  /** Every recipient of a campaign in list order (tests look at the whole list). */
  allRecipients(businessId: string, campaignId: string): CampaignRecipient[];
}

const ok = <T>(value: T): CampaignResult<T> => ({ ok: true, value });
const refuse = <T>(refusal: CampaignRefusal, message: string): CampaignResult<T> => ({ ok: false, refusal, message });
const HOUR_MS = 3_600_000;
const MAX_PAGE = 100;

/**
 * A CampaignStore in memory for unit tests of the use cases, the release loop and the sender: the
 * same rules, refusals and paging as `dynamoCampaignStore` (both are run through one contract test,
 * test/integration/campaigns-store.test.ts). Values handed out are copies; cursors are as opaque and
 * as checked as the DynamoDB store's.
 */
export function inMemoryCampaignStore(): InMemoryCampaignStore {
  const campaigns = new Map<string, Campaign>();
  const lists = new Map<string, Map<number, CampaignRecipient>>();
  const guards = new Map<string, Map<string, number>>();
  const releases = new Map<string, ReleaseCursor>();
  const running = new Map<string, { businessId: string; campaignId: string }>();
  const reach = new Map<string, number>();
  const staged = new Map<string, StagedChunk>();
  const walks = new Map<string, { step: number; met: Uint8Array; cursor: string }>();
  const copy = <T>(v: T): T => structuredClone(v);
  const key = (businessId: string, campaignId: string) => `${businessId}\u0000${campaignId}`;
  const valid = (businessId: string, campaignId: string) => isBusinessId(businessId) && isCampaignId(campaignId);
  const listOf = (businessId: string, campaignId: string) => {
    const k = key(businessId, campaignId);
    if (!lists.has(k)) lists.set(k, new Map());
    if (!guards.has(k)) guards.set(k, new Map());
    return { list: lists.get(k)!, guard: guards.get(k)! };
  };
  const clampLimit = (limit: number) => Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1));
  /** The list is at deciding step `at` (ListDecidingStep), as the DynamoDB store's condition says. */
  const atDecidingStep = (campaign: Campaign, at: ListDecidingStep) =>
    at.step === 0
      ? campaign.list?.status === 'building' && campaign.list.chunks === undefined && campaign.list.deciding === undefined
      : campaign.list?.deciding?.step === at.step && campaign.list.attempt === (at.attempt ?? '');
  const stageKey = (businessId: string, campaignId: string, attempt: string, chunk: number) => `${key(businessId, campaignId)}\u0000${attempt}\u0000${chunk}`;

  function refusal(
    businessId: string,
    campaignId: string,
    states: readonly CampaignState[],
    expectedVersion: number | undefined,
  ): CampaignResult<Campaign> | undefined {
    const current = valid(businessId, campaignId) ? campaigns.get(key(businessId, campaignId)) : undefined;
    if (!current) return refuse('not_found', 'No campaign with that id in this business');
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      return refuse('changed_meanwhile', `The campaign changed meanwhile: at version ${current.version}, not ${expectedVersion}; reload and try again`);
    }
    if (!states.includes(current.state)) return refuse('wrong_state', `The campaign is ${current.state}; this needs it ${states.join(' or ')}`);
    return undefined;
  }

  const store: InMemoryCampaignStore = {
    allRecipients: (businessId, campaignId) => [...(lists.get(key(businessId, campaignId))?.values() ?? [])].sort((a, b) => a.seq - b.seq).map(copy),

    async create(campaign) {
      if (!valid(campaign.businessId, campaign.campaignId)) throw new RangeError('create: not a business or campaign id');
      const k = key(campaign.businessId, campaign.campaignId);
      if (campaigns.has(k)) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
      campaigns.set(k, copy(campaign));
    },

    async get(businessId, campaignId) {
      if (!valid(businessId, campaignId)) return undefined;
      return copy(campaigns.get(key(businessId, campaignId)));
    },

    async list(businessId, page) {
      if (!isBusinessId(businessId)) return { items: [] };
      const pk = campaignsPk(businessId);
      const all = [...campaigns.values()].filter((c) => c.businessId === businessId).sort((a, b) => (a.campaignId < b.campaignId ? 1 : -1));
      const after =
        page.cursor === undefined
          ? undefined
          : decodeCursor(page.cursor, { pk: { equals: pk }, sk: { startsWith: 'CAMPAIGN#' } }).sk!.slice('CAMPAIGN#'.length);
      const rest = after === undefined ? all : all.filter((c) => c.campaignId < after);
      const limit = clampLimit(page.limit);
      const items = rest.slice(0, limit);
      const more = rest.length > limit;
      return { items: items.map(copy), ...(more ? { cursor: encodeCursor({ pk, sk: `CAMPAIGN#${items.at(-1)!.campaignId}` })! } : {}) };
    },

    async updateDraft(businessId, campaignId, expectedVersion, change, at) {
      const refused = refusal(businessId, campaignId, ['draft'], expectedVersion);
      if (refused) return refused;
      const current = campaigns.get(key(businessId, campaignId))!;
      const next: Campaign = {
        ...current,
        name: change.name,
        accountId: change.accountId,
        template: copy(change.template),
        audience: copy(change.audience),
        rateShare: change.rateShare,
        updatedAt: at,
        version: current.version + 1,
      };
      if (change.startAt === undefined) delete next.startAt;
      else next.startAt = change.startAt;
      campaigns.set(key(businessId, campaignId), next);
      return ok(copy(next));
    },

    async transition(businessId, campaignId, from, to, at, extra = {}) {
      const refused = refusal(businessId, campaignId, from, extra.expectedVersion);
      if (refused) return refused;
      const current = campaigns.get(key(businessId, campaignId))!;
      const next: Campaign = { ...copy(current), state: to, updatedAt: at, version: current.version + 1 };
      if (to === 'paused') {
        if (extra.pauseReason) next.pauseReason = extra.pauseReason;
      } else delete next.pauseReason;
      if (to === 'scheduled') next.scheduledAt = at;
      if (to === 'running' && !next.startedAt) next.startedAt = at;
      if (to === 'completed' || to === 'cancelled') next.completedAt = at;
      if (extra.template) next.template = copy(extra.template);
      if (extra.list) next.list = copy(extra.list);
      if (extra.counts?.targeted !== undefined) next.counts.targeted = extra.counts.targeted;
      if (extra.counts?.skipped !== undefined) next.counts.skipped = countMap(extra.counts.skipped);
      campaigns.set(key(businessId, campaignId), next);
      return ok(copy(next));
    },

    async addCounts(businessId, campaignId, delta) {
      const campaign = valid(businessId, campaignId) ? campaigns.get(key(businessId, campaignId)) : undefined;
      if (!campaign) return;
      for (const [k, n] of scalarAdditions(delta)) campaign.counts[k] += n;
      for (const map of ['skipped', 'failedByError'] as const) {
        for (const [k, n] of Object.entries(countMap(delta[map]))) campaign.counts[map][k] = (campaign.counts[map][k] ?? 0) + n;
      }
    },

    async addRecipients(businessId, campaignId, firstSeq, recipients) {
      if (!valid(businessId, campaignId)) throw new RangeError('addRecipients: not a business or campaign id');
      if (!Number.isInteger(firstSeq) || firstSeq < 0) throw new RangeError('addRecipients: firstSeq is a whole number');
      for (const r of recipients) if (!WA_ID.test(r.waId)) throw new RangeError("addRecipients: a wa_id is the number's digits");
      const { list, guard } = listOf(businessId, campaignId);
      const duplicates: string[] = [];
      const inInput = new Set<string>();
      let added = 0;
      let nextSeq = firstSeq;
      for (const r of recipients) {
        if (inInput.has(r.waId)) {
          duplicates.push(r.waId);
          continue;
        }
        inInput.add(r.waId);
        const seq = guard.get(r.waId);
        if (seq === undefined) {
          if (nextSeq > MAX_SEQ) throw new RangeError('addRecipients: the list is full');
          if (list.has(nextSeq)) throw new RecipientListChangedError();
          guard.set(r.waId, nextSeq);
          list.set(nextSeq, copy({ ...r, campaignId, seq: nextSeq, state: 'queued' }) as CampaignRecipient);
          nextSeq++;
          added++;
        } else if (seq === nextSeq) {
          nextSeq++;
          added++;
        } else duplicates.push(r.waId);
      }
      return { added, duplicates, nextSeq };
    },

    async listEnd(businessId, campaignId) {
      const list = lists.get(key(businessId, campaignId));
      if (!list || list.size === 0) return 0;
      return Math.max(...list.keys()) + 1;
    },

    async recipientsFrom(businessId, campaignId, fromSeq, limit) {
      const list = lists.get(key(businessId, campaignId));
      if (!list) return [];
      const n = Math.max(1, Math.min(1_000, Math.floor(limit) || 1));
      return [...list.values()]
        .filter((r) => r.seq >= fromSeq)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, n)
        .map(copy);
    },

    async recipientByWaId(businessId, campaignId, waId) {
      const seq = guards.get(key(businessId, campaignId))?.get(waId);
      return seq === undefined ? undefined : copy(lists.get(key(businessId, campaignId))?.get(seq));
    },

    async advanceRecipient(businessId, campaignId, seq, to, change) {
      const recipient = lists.get(key(businessId, campaignId))?.get(seq);
      if (!recipient || !recipientStatesBefore(to).includes(recipient.state)) return false;
      recipient.state = to;
      if (to === 'released') recipient.releasedAt = change.at;
      if (change.messageId !== undefined) recipient.messageId = change.messageId;
      if (change.conversationKey !== undefined) recipient.conversationKey = change.conversationKey;
      if (change.errorCode !== undefined) recipient.errorCode = change.errorCode.slice(0, 64);
      return true;
    },

    async markReplied(businessId, campaignId, waId) {
      const seq = guards.get(key(businessId, campaignId))?.get(waId);
      const recipient = seq === undefined ? undefined : lists.get(key(businessId, campaignId))?.get(seq);
      if (!recipient || recipient.replied) return false;
      recipient.replied = true;
      return true;
    },

    async listRecipients(businessId, campaignId, filter) {
      if (!valid(businessId, campaignId)) return { items: [] };
      if (filter.state !== undefined && !RECIPIENT_STATES.includes(filter.state)) return { items: [] };
      const pk = campaignListPk(businessId, campaignId);
      const after = filter.cursor === undefined ? -1 : Number(decodeCursor(filter.cursor, { pk: { equals: pk }, sk: { startsWith: 'R#' } }).sk!.slice(2));
      const all = [...(lists.get(key(businessId, campaignId))?.values() ?? [])].sort((a, b) => a.seq - b.seq).filter((r) => r.seq > after);
      const matching = all.filter((r) => filter.state === undefined || r.state === filter.state);
      const limit = clampLimit(filter.limit);
      const items = matching.slice(0, limit);
      const more = matching.length > limit;
      const page: Page<CampaignRecipient> = { items: items.map(copy) };
      if (more) page.cursor = encodeCursor({ pk, sk: `R#${String(items.at(-1)!.seq).padStart(8, '0')}` })!;
      return page;
    },

    async getRelease(businessId, campaignId) {
      return copy(releases.get(key(businessId, campaignId)));
    },

    async setList(businessId, campaignId, list, options = {}) {
      const current = valid(businessId, campaignId) ? campaigns.get(key(businessId, campaignId)) : undefined;
      if (!current) return false;
      const when = options.when;
      if (when && 'nextChunk' in when && current.list?.nextChunk !== when.nextChunk) return false;
      if (when && 'deciding' in when && !atDecidingStep(current, when.deciding)) return false;
      current.list = copy(list);
      if (options.counts) {
        current.counts.targeted = options.counts.targeted;
        current.counts.skipped = countMap(options.counts.skipped);
      }
      return true;
    },

    async putListChunk(businessId, campaignId, attempt, chunk, value) {
      if (!valid(businessId, campaignId)) throw new RangeError('putListChunk: not a business or campaign id');
      staged.set(stageKey(businessId, campaignId, attempt, chunk), copy(value));
    },

    async listChunk(businessId, campaignId, attempt, chunk) {
      const value = staged.get(stageKey(businessId, campaignId, attempt, chunk));
      return value ? copy(value) : undefined;
    },

    async commitDecidingStep(businessId, campaignId, commit) {
      const { step, attempt } = commit;
      if (!valid(businessId, campaignId) || !/^[A-Za-z0-9_-]{1,64}$/.test(attempt) || !Number.isInteger(step) || step < 0)
        throw new RangeError('commitDecidingStep: not a campaign, attempt or step');
      const current = campaigns.get(key(businessId, campaignId));
      // Checked and applied with no await in between: all or nothing, like the DynamoDB transaction.
      if (!current || !atDecidingStep(current, { step, attempt })) return false;
      for (const { chunk, staged: value } of commit.chunks) staged.set(stageKey(businessId, campaignId, attempt, chunk), copy(value));
      if (commit.walk)
        walks.set(`${key(businessId, campaignId)}\u0000${attempt}\u0000${step}`, { step, met: new Uint8Array(commit.walk.met), cursor: commit.walk.cursor });
      current.list = copy(commit.list);
      if (commit.counts) {
        current.counts.targeted = commit.counts.targeted;
        current.counts.skipped = countMap(commit.counts.skipped);
      }
      return true;
    },

    async decidingWalk(businessId, campaignId, attempt, beforeStep) {
      const met: Uint8Array[] = [];
      let cursor: string | undefined;
      for (let step = 0; step < beforeStep; step++) {
        const walk = walks.get(`${key(businessId, campaignId)}\u0000${attempt}\u0000${step}`);
        if (!walk) continue;
        if (walk.met.length > 0) met.push(new Uint8Array(walk.met));
        if (step === beforeStep - 1) cursor = walk.cursor;
      }
      return cursor ? { met, cursor } : { met };
    },

    async putRelease(businessId, campaignId, cursor) {
      if (!valid(businessId, campaignId)) throw new RangeError('putRelease: not a business or campaign id');
      releases.set(key(businessId, campaignId), copy(cursor));
    },

    async advanceRelease(businessId, campaignId, expectedTick, next) {
      const cursor = releases.get(key(businessId, campaignId));
      if (!cursor || cursor.tick !== expectedTick) return false;
      releases.set(key(businessId, campaignId), { ...cursor, nextSeq: next.nextSeq, tick: cursor.tick + 1, lastTickAt: next.at });
      return true;
    },

    async markRunning(businessId, campaignId) {
      if (!valid(businessId, campaignId)) throw new RangeError('markRunning: not a business or campaign id');
      running.set(key(businessId, campaignId), { businessId, campaignId });
    },

    async unmarkRunning(businessId, campaignId) {
      running.delete(key(businessId, campaignId));
    },

    async listRunning() {
      return [...running.values()].sort((a, b) => key(a.businessId, a.campaignId).localeCompare(key(b.businessId, b.campaignId))).map(copy);
    },

    async recordReach(businessId, customers, at) {
      if (!isBusinessId(businessId) || !Number.isFinite(customers) || customers <= 0) return;
      const k = `${businessId}\u0000${limitHourSk(at)}`;
      reach.set(k, (reach.get(k) ?? 0) + Math.floor(customers));
    },

    async reachInLast24h(businessId, now) {
      let sum = 0;
      for (let h = 0; h < 24; h++) sum += reach.get(`${businessId}\u0000${limitHourSk(new Date(now.getTime() - h * HOUR_MS))}`) ?? 0;
      return sum;
    },
  };
  return store;
}
