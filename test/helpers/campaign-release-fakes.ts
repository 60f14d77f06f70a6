import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import { campaignMessageId } from '#lambdas/campaigns/campaign-keys';
import { emptyTotals, type CampaignCounter, type MessageCount, type ShardTotals } from '#lambdas/campaigns/campaign-counts';
import { emptyCounts, type Campaign } from '#lambdas/campaigns/campaign-model';
import type { CampaignSendQueue, ReleaseTicks } from '#lambdas/campaigns/campaign-ports';
import type { SendingAccount } from '#lambdas/campaigns/campaign-release-decision';
import type { ReleaseSources } from '#lambdas/campaigns/campaign-release-sources';
import type { CampaignOutbox } from '#lambdas/campaigns/campaign-send-items';
import type { BudgetGate, BudgetStanding } from '#lambdas/pricing/budget-ports';
import type { StoredTemplate } from '#lambdas/templates/template-item';

/** Fakes of the release loop's ports for unit tests (the DynamoDB ones are tested against DynamoDB Local). */

export const BUSINESS = 'shop';
export const CAMPAIGN_ID = 'cmp_01HZY0000000000000000000AB';
export const ACCOUNT_ID = '1001';
export const WABA_ID = 'waba-1';

export function approvedTemplate(overrides: Partial<StoredTemplate> = {}): StoredTemplate {
  return {
    wabaId: WABA_ID,
    name: 'promo',
    language: 'es',
    status: 'APPROVED',
    category: 'MARKETING',
    parameterFormat: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Hola {{1}}, 20% hoy' }],
    ...overrides,
  };
}

export function servingAccount(overrides: Partial<SendingAccount> = {}): SendingAccount {
  return {
    accountId: ACCOUNT_ID,
    channel: 'whatsapp',
    status: 'active',
    wabaId: WABA_ID,
    qualityRating: 'GREEN',
    messagingLimitTier: 'TIER_10K',
    ...overrides,
  };
}

export function campaign(overrides: Partial<Campaign> = {}): Campaign {
  const at = '2026-11-20T10:00:00.000Z';
  return {
    businessId: BUSINESS,
    campaignId: CAMPAIGN_ID,
    name: 'Black Friday',
    accountId: ACCOUNT_ID,
    template: { name: 'promo', language: 'es', category: 'marketing' },
    audience: { kind: 'contacts' },
    rateShare: 0.8,
    state: 'scheduled',
    counts: emptyCounts(),
    createdBy: 'admin-1',
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

export function fakeSources(initial: { account?: SendingAccount | undefined; template?: StoredTemplate | undefined } = {}) {
  const state = { account: 'account' in initial ? initial.account : servingAccount(), template: 'template' in initial ? initial.template : approvedTemplate() };
  const sources: ReleaseSources & { state: typeof state } = {
    state,
    account: async (id) => (state.account && state.account.accountId === id ? { ...state.account } : undefined),
    template: async (wabaId, name, language) =>
      state.template && state.template.wabaId === wabaId && state.template.name === name && state.template.language === language
        ? { ...state.template }
        : undefined,
  };
  return sources;
}

export function fakeBudget(standing: BudgetStanding = { spentMicros: 0, share: 0 }): BudgetGate & { standingNow: BudgetStanding } {
  const gate = { standingNow: standing, standing: async () => gate.standingNow };
  return gate;
}

/** Writes nothing; names the same message a real release would, and fails the wa_ids it is told to. */
export function fakeOutbox(options: { invalidFor?: Set<string>; outsideWindow?: (waId: string) => boolean } = {}): CampaignOutbox & { prepared: string[] } {
  const prepared: string[] = [];
  return {
    prepared,
    async prepare(input) {
      if (options.invalidFor?.has(input.recipient.waId)) return { ok: false, reason: 'invalid_variables', detail: '1' };
      prepared.push(input.recipient.waId);
      return {
        ok: true,
        send: {
          conversationKey: `wa:${input.campaign.accountId}:${input.recipient.waId}`,
          outboundId: campaignMessageId(input.campaign.campaignId, input.recipient.waId),
          accountId: input.campaign.accountId,
          countsAgainstLimit: options.outsideWindow?.(input.recipient.waId) ?? true,
        },
      };
    },
  };
}

type Send = Parameters<CampaignSendQueue['enqueue']>[0][number];

export function recordingSendQueue(): CampaignSendQueue & { sends: Send[]; failNext: number } {
  const queue = {
    sends: [] as Send[],
    failNext: 0,
    async enqueue(sends: Parameters<CampaignSendQueue['enqueue']>[0]) {
      if (queue.failNext > 0) {
        queue.failNext--;
        throw new Error('SQS unavailable');
      }
      queue.sends.push(...sends.map((s) => ({ ...s })));
    },
  };
  return queue;
}

export function recordingTicks(): ReleaseTicks & { scheduled: Array<{ tick: number; delaySeconds: number }> } {
  const scheduled: Array<{ tick: number; delaySeconds: number }> = [];
  return { scheduled, schedule: async (tick, delaySeconds) => void scheduled.push({ tick: tick.tick, delaySeconds }) };
}

export function recordingPublisher(): EventPublisher & { events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  return { events, publish: async (e) => void events.push(...e) };
}

/** Counts in memory, once per anchor (as the DynamoDB counter's marks do). */
export function inMemoryCounter(): CampaignCounter & { totalsNow: ShardTotals; rolledUp: number[] } {
  const totals = emptyTotals();
  const counted = new Map<string, Set<string>>();
  const rolledUp: number[] = [];
  const once = (anchor: string, what: string) => {
    const set = counted.get(anchor) ?? new Set<string>();
    counted.set(anchor, set);
    if (set.has(what)) return false;
    set.add(what);
    return true;
  };
  return {
    totalsNow: totals,
    rolledUp,
    async countMessage(message) {
      const made: MessageCount[] = [];
      const implied: MessageCount[] =
        message.status === 'failed'
          ? ['failed']
          : message.status === 'read'
            ? ['sent', 'delivered', 'read']
            : message.status === 'delivered'
              ? ['sent', 'delivered']
              : message.status === 'sent'
                ? ['sent']
                : [];
      for (const c of implied) if (once(message.sk, c)) made.push(c);
      for (const c of made) totals[c]++;
      return made;
    },
    async countReleaseFailure(_b, _c, reason, anchor) {
      if (!once(anchor, 'release_failure')) return false;
      totals.failed++;
      totals.failedByError[reason] = (totals.failedByError[reason] ?? 0) + 1;
      return true;
    },
    async countReply(key) {
      if (!once(key, 'replied')) return false;
      totals.replied++;
      return true;
    },
    async countOptOut(key) {
      if (!once(key, 'optedOut')) return false;
      totals.optedOut++;
      return true;
    },
    totals: async () => structuredClone(totals),
    async rollUp(_b, _c, released) {
      rolledUp.push(released);
      return true;
    },
  };
}
