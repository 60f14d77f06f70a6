import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { LOCAL_FACEBOOK_PAGE_ID, LOCAL_INSTAGRAM_ACCOUNT_ID, LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { randomSource } from '#lib/analytics/seed/seed-plan';
import {
  agentIds,
  holdingViolations,
  readRoutingSnapshot,
  settledViolations,
  waitingIndexViolations,
  type RoutingSnapshot,
} from '#test/chaos/routing-invariants';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';

/**
 * Issue 15's load check through the whole local cloud: 5 agents with 3 places each, 50 customers
 * (WhatsApp, Instagram and Messenger; Spanish, Portuguese and English) asking for a person at the
 * same moment. While the offers are made the agents accept and decline concurrently (with a
 * colleague trying to take the same offer), one goes offline and back, and each closes what they
 * took after a while. The table is sampled throughout in one transaction per sample: no agent is
 * ever above capacity, no conversation is held by two agents, every agent's load is what is
 * offered or assigned to them, every waiting conversation is on its queue's waiting index; at
 * the end every customer was assigned exactly once and closed.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
const tokens = new Map<string, string>();
const BUSINESS = 'local';
const CUSTOMERS = 50;
const CAPACITY = 3;
const AGENTS = ['ana', 'bruno', 'carla', 'diego', 'elena'] as const;
/** How long an agent keeps an accepted conversation before closing it, so the queues fill up. */
const HOLD_MS = 2_500;

beforeAll(async () => {
  // Four execution environments per function, not eight: the routing Lambda and the agents' API
  // still run concurrently, without the cold starts of eight that would swamp two shared cores.
  await harness.start({ tenants: openAllWeekLocalTenants(), defaultConcurrency: 4 });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function tokenOf(subject: string, roles: OperatorRole[]): Promise<string> {
  const id = `${subject}/${roles.join(',')}`;
  if (!tokens.has(id)) tokens.set(id, await harness.operatorToken({ businessId: BUSINESS, subject, roles }));
  return tokens.get(id)!;
}

type Call = { status: number; body: Record<string, any> };
let retried = 0;
/**
 * One API call as the console makes it: a 5xx or a dropped connection (a function that timed out
 * on the loaded machine) is tried again, as the operations are idempotent; `retried` says whether
 * an earlier attempt may have done the work.
 */
async function api(subject: string, roles: OperatorRole[], method: string, path: string, body?: unknown): Promise<Call & { retried: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${harness.cloud.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await tokenOf(subject, roles)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).catch(() => undefined);
    const text = res ? await res.text().catch(() => '') : '';
    if (res && res.status < 500) return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, retried: attempt > 1 };
    if (attempt >= 6) return { status: res?.status ?? 599, body: { text: text.slice(0, 200) }, retried: attempt > 1 };
    retried++;
    await sleep(300 * attempt);
  }
}
const asAgent = (subject: string, method: string, path: string, body?: unknown) => api(subject, ['agent'], method, path, body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Channel = 'whatsapp' | 'instagram' | 'messenger';
const ASK: Record<'es' | 'pt' | 'en', string> = {
  es: 'hola, quiero hablar con un asesor por favor',
  pt: 'olá, quero falar com um atendente por favor',
  en: 'hello, I want to talk to a person please',
};

interface Customer {
  channel: Channel;
  customerId: string;
  key: string;
  language: keyof typeof ASK;
}

function customers(): Customer[] {
  const channels: Channel[] = ['whatsapp', 'instagram', 'messenger'];
  const languages = ['es', 'pt', 'en'] as const;
  return Array.from({ length: CUSTOMERS }, (_, i) => {
    const channel = channels[i % 3]!;
    const language = languages[Math.floor(i / 3) % 3]!;
    const n = String(i).padStart(3, '0');
    if (channel === 'whatsapp') return { channel, language, customerId: `5215550090${n}`, key: `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:5215550090${n}` };
    if (channel === 'instagram') return { channel, language, customerId: `6100000000090${n}`, key: `ig:${LOCAL_INSTAGRAM_ACCOUNT_ID}:6100000000090${n}` };
    return { channel, language, customerId: `7100000000090${n}`, key: `fb:${LOCAL_FACEBOOK_PAGE_ID}:7100000000090${n}` };
  });
}

describe('routing 50 simultaneous handoffs to 5 agents', () => {
  it('never exceeds capacity, never gives one conversation to two agents, loses none, and assigns all 50 once', async () => {
    // ana, bruno and carla come with the demo business (3 places each); two more speak all three languages.
    for (const agentId of ['diego', 'elena']) {
      const put = await api('admin', ['admin'], 'PUT', '/admin/routing/agents', {
        agentId,
        name: agentId,
        languages: ['es', 'pt', 'en'],
        channels: ['whatsapp', 'instagram', 'messenger'],
        maxConcurrent: CAPACITY,
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    for (const agentId of AGENTS) {
      const res = await asAgent(agentId, 'POST', '/agent/presence', { presence: 'online' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const ids = await agentIds(harness.db, harness.cloud.tableName, BUSINESS);
    expect([...ids].sort()).toEqual([...AGENTS]);

    const people = customers();
    const keys = people.map((c) => c.key);
    const random = randomSource(15_050);
    let running = true;
    const failures: string[] = [];
    const snapshot = () => readRoutingSnapshot(harness.db, harness.cloud.tableName, BUSINESS, AGENTS, keys);

    // The sampler: one transaction per sample over the 5 agents and the 50 conversations.
    const assignedTo = new Map<string, Set<string>>();
    let samples = 0;
    let fullestAgent = 0;
    let mostWaiting = 0;
    let waitingChecked = 0;
    const routedOnce = new Set<string>();
    const check = (taken: RoutingSnapshot & { atomic: boolean }) => {
      if (!taken.atomic) failures.push('a sample was not read in one transaction');
      for (const v of holdingViolations(taken)) failures.push(`sample ${samples}: ${v.kind}: ${v.detail}`);
      for (const c of taken.conversations) {
        // Once in routing, a conversation is queued, offered, assigned or closed: never dropped.
        if (c.routingStatus) routedOnce.add(c.conversationKey);
        else if (routedOnce.has(c.conversationKey)) failures.push(`sample ${samples}: ${c.conversationKey} left routing`);
        if (c.assignedAgentId) assignedTo.set(c.conversationKey, (assignedTo.get(c.conversationKey) ?? new Set()).add(c.assignedAgentId));
      }
      fullestAgent = Math.max(fullestAgent, ...taken.agents.map((a) => a.activeConversationKeys.length));
      mostWaiting = Math.max(mostWaiting, taken.conversations.filter((c) => c.routingStatus === 'queued').length);
    };
    const sampler = (async () => {
      while (running) {
        samples++;
        check(await snapshot());
        // Every few samples, the waiting lists (gsi2) against the conversations that waited throughout.
        if (samples % 3 === 0) {
          const index = await waitingIndexViolations(harness.db, harness.cloud.tableName, snapshot);
          waitingChecked += index.checked;
          for (const v of index.violations) failures.push(`sample ${samples}: ${v.kind}: ${v.detail}`);
        }
        await sleep(1_000);
      }
    })();

    // The agents: accept or (once per conversation) decline each offer, a colleague trying to take
    // the same offer at the same moment; close what they took after HOLD_MS.
    const acceptedBy = new Map<string, string>();
    const declined = new Set<string>();
    const closing = new Set<string>();
    const takenAt = new Map<string, number>();
    let declines = 0;
    let rivalsRefused = 0;
    let offline = false;
    const work = async (agentId: string) => {
      while (running) {
        // Each inbox read is a Lambda invocation: five agents polling faster would swamp two cores.
        await sleep(1_200);
        if (agentId === 'bruno' && offline) continue;
        const box = await asAgent(agentId, 'GET', '/agent/inbox');
        if (box.status !== 200) {
          failures.push(`${agentId}'s inbox answered ${box.status}`);
          continue;
        }
        const offers = (box.body.offers as Array<{ conversationKey: string }>).map((o) => o.conversationKey);
        const assigned = (box.body.assigned as Array<{ conversationKey: string }>).map((o) => o.conversationKey);
        for (const key of offers) {
          if (!declined.has(key) && random() < 0.3) {
            declined.add(key);
            const res = await asAgent(agentId, 'POST', '/agent/offer/decline', { conversationKey: key });
            if (res.status === 200) declines++;
            // 409: the offer moved meanwhile (bruno went offline).
            else if (res.status !== 409) failures.push(`${agentId}'s decline of ${key} answered ${res.status}`);
            continue;
          }
          const rival = AGENTS.filter((a) => a !== agentId)[Math.floor(random() * (AGENTS.length - 1))]!;
          const [mine, theirs] = await Promise.all([
            asAgent(agentId, 'POST', '/agent/offer/accept', { conversationKey: key }),
            asAgent(rival, 'POST', '/agent/offer/accept', { conversationKey: key }),
          ]);
          if (theirs.status === 200) failures.push(`${rival} took ${key}, offered to ${agentId}`);
          else if (theirs.status === 409) rivalsRefused++;
          else failures.push(`${rival}'s accept of ${key} answered ${theirs.status}`);
          if (mine.status === 200) {
            const before = acceptedBy.get(key);
            if (before && before !== agentId) failures.push(`${key} accepted by ${before} and by ${agentId}`);
            acceptedBy.set(key, agentId);
          } else if (mine.status !== 409) failures.push(`${agentId}'s accept of ${key} answered ${mine.status}`);
        }
        for (const key of assigned) {
          if (!takenAt.has(key)) takenAt.set(key, Date.now());
          if (closing.has(key) || Date.now() - takenAt.get(key)! < HOLD_MS) continue;
          closing.add(key);
          const res = await asAgent(agentId, 'POST', '/agent/conversation/close', { conversationKey: key, outcome: 'resolved' });
          // A close tried again after a timed-out attempt finds it closed already.
          if (res.status !== 200 && !(res.retried && res.status === 409))
            failures.push(`${agentId}'s close of ${key} answered ${res.status}: ${JSON.stringify(res.body)}`);
        }
      }
    };
    const workers = AGENTS.map(work);

    const startedAt = Date.now();
    try {
      // 50 customers at once.
      await Promise.all(people.map((c) => harness.customerSays({ channel: c.channel, customerId: c.customerId, text: ASK[c.language] })));

      // Bruno goes offline once offers are being made, and comes back.
      await eventually(
        async () => (await snapshot()).conversations.some((c) => c.routingStatus === 'offered' && c.offeredAgentId === 'bruno'),
        'an offer to bruno',
        60_000,
      );
      offline = true;
      const away = await asAgent('bruno', 'POST', '/agent/presence', { presence: 'offline' });
      expect(away.status, JSON.stringify(away.body)).toBe(200);
      const whileAway = await snapshot();
      expect(
        whileAway.conversations.filter((c) => c.routingStatus === 'offered' && c.offeredAgentId === 'bruno'),
        'offline bruno keeps no offers',
      ).toEqual([]);
      await sleep(2_000);
      const back = await asAgent('bruno', 'POST', '/agent/presence', { presence: 'online' });
      expect(back.status, JSON.stringify(back.body)).toBe(200);
      offline = false;

      let reported = 0;
      await eventually(
        async () => {
          const now = await snapshot();
          if (Date.now() - reported > 15_000) {
            reported = Date.now();
            const by = (status?: string) => now.conversations.filter((c) => c.routingStatus === status).length;
            console.log(
              `${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${by(undefined)} not routed, ${by('queued')} queued, ${by('offered')} offered, ${by('assigned')} assigned, ${by('closed')} closed`,
            );
          }
          return now.conversations.every((c) => c.routingStatus === 'closed') && now.agents.every((a) => a.activeConversationKeys.length === 0);
        },
        'all 50 conversations assigned and closed',
        150_000,
      );
    } finally {
      running = false;
      await Promise.allSettled([sampler, ...workers]);
    }
    const seconds = (Date.now() - startedAt) / 1000;

    const final = await snapshot();
    check(final);
    const problems = await settledViolations(harness.db, harness.cloud.tableName, final, new Set(keys));
    console.log(
      `50 handoffs to 5 agents: ${seconds.toFixed(1)} s, ${samples} samples, at most ${mostWaiting} waiting and ${fullestAgent} held by one agent, ` +
        `${declines} declines, ${rivalsRefused} rival accepts refused, ${waitingChecked} waiting conversations found on their list, ${retried} API calls tried again`,
    );
    expect([...failures, ...problems.map((v) => `${v.kind}: ${v.detail}`)]).toEqual([]);
    // Every conversation assigned exactly once (never seen with another agent) and closed by that agent.
    for (const c of final.conversations) {
      expect(c.routingStatus).toBe('closed');
      expect(c.assignedAgentId, c.conversationKey).toBeDefined();
      expect([...(assignedTo.get(c.conversationKey) ?? [])], c.conversationKey).toEqual([c.assignedAgentId]);
      if (acceptedBy.has(c.conversationKey)) expect(c.assignedAgentId, c.conversationKey).toBe(acceptedBy.get(c.conversationKey));
    }
    expect(acceptedBy.size).toBeGreaterThan(CUSTOMERS - 5);
    // The run really tested capacity: agents were full while customers waited, and the races happened.
    expect(fullestAgent).toBe(CAPACITY);
    expect(mostWaiting).toBeGreaterThan(0);
    expect(declines).toBeGreaterThan(0);
    expect(rivalsRefused).toBeGreaterThan(0);
    expect(samples).toBeGreaterThan(10);
    expect(waitingChecked).toBeGreaterThan(0);
  }, 240_000);
});
