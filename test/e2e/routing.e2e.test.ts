import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';

/**
 * The contact centre through the whole local cloud: customers on the Graph simulator, the bot's
 * handoff, the routing Lambda, agents and supervisors on the HTTP API with their own tokens, and
 * the agents' WebSocket API. The demo business comes with queues `general` and `vip`, agents ana
 * (es, pt), bruno (pt, en) and carla (es, en), and the rule tag `vip` → queue `vip`.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
const tokens = new Map<string, string>();

beforeAll(async () => {
  await harness.start({ tenants: openAllWeekLocalTenants() });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function tokenOf(subject: string, roles: OperatorRole[], businessId = 'local'): Promise<string> {
  const id = `${businessId}/${subject}/${roles.join(',')}`;
  if (!tokens.has(id)) tokens.set(id, await harness.operatorToken({ businessId, subject, roles }));
  return tokens.get(id)!;
}

type Call = { status: number; body: Record<string, any> };
async function api(
  who: { subject: string; roles: OperatorRole[]; businessId?: string },
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string>,
): Promise<Call> {
  const url = `${harness.cloud.apiUrl}${path}${query ? `?${new URLSearchParams(query)}` : ''}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${await tokenOf(who.subject, who.roles, who.businessId)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

const admin = { subject: 'admin', roles: ['admin'] as OperatorRole[] };
const supervisor = { subject: 'sofia', roles: ['supervisor'] as OperatorRole[] };
const agent = (subject: string) => ({ subject, roles: ['agent'] as OperatorRole[] });

const keyOf = (customer: string) => `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:${customer}`;
const routingOf = async (customer: string) => (await harness.item(`CONV#${keyOf(customer)}`, 'CONV')) ?? {};

async function presence(subject: string, to: 'online' | 'away' | 'offline') {
  const res = await api(agent(subject), 'POST', '/agent/presence', { presence: to });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function putAgent(input: Record<string, unknown>) {
  const res = await api(admin, 'PUT', '/admin/routing/agents', input);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function putQueue(input: Record<string, unknown>) {
  const res = await api(admin, 'PUT', '/admin/routing/queues', input);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function inbox(subject: string): Promise<{ offers: string[]; assigned: string[] }> {
  const res = await api(agent(subject), 'GET', '/agent/inbox');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const keys = (list: Array<{ conversationKey: string }>) => list.map((c) => c.conversationKey);
  return { offers: keys(res.body.offers), assigned: keys(res.body.assigned) };
}

/** A customer asks for a person; resolves once the routing engine has queued (or offered) the conversation. */
async function asksForPerson(customer: string, text = 'quiero hablar con un asesor por favor') {
  await harness.customerSays({ channel: 'whatsapp', customerId: customer, text });
  return eventually(
    async () => {
      const item = await routingOf(customer);
      return item.routingStatus ? item : undefined;
    },
    `${customer} in a queue`,
    60_000,
  );
}

/** An agent's live connection, collecting what the WebSocket API pushes. */
async function connect(subject: string): Promise<{ messages: Array<Record<string, any>>; close(): void }> {
  const url = `${harness.cloud.webSocketUrl}?token=${encodeURIComponent(await tokenOf(subject, ['agent']))}`;
  const socket = new WebSocket(url);
  const messages: Array<Record<string, any>> = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, any>));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { messages, close: () => socket.close() };
}

describe('routing handed-off customers to people through the local cloud', () => {
  it('queues a Spanish VIP ahead of others, offers it live to the one Spanish-speaking agent with room, and only to her', async () => {
    // ana takes one conversation at a time; bruno speaks no Spanish; carla stays offline.
    await putAgent({ agentId: 'ana', name: 'Ana', languages: ['es', 'pt'], maxConcurrent: 1 });
    const tag = await api(admin, 'PUT', '/admin/routing/contact-tags', { channel: 'whatsapp', customerId: '5215550007001', tags: ['vip'] });
    expect(tag.status, JSON.stringify(tag.body)).toBe(200);

    const regular = await asksForPerson('5215550007002');
    const vip = await asksForPerson('5215550007001', 'necesito hablar con una persona, es urgente');
    expect(regular).toMatchObject({ routingStatus: 'queued', queueId: 'general' });
    expect(vip).toMatchObject({ routingStatus: 'queued', queueId: 'vip', routingPriority: 90 });
    expect(vip.handoffContext).toMatchObject({ language: 'es', reason: expect.any(String) });
    expect(new Set(vip.tags)).toContain('vip');

    const queues = await api(supervisor, 'GET', '/supervisor/queues');
    expect(queues.status).toBe(200);
    const waitingIn = (id: string) => queues.body.items.find((q: any) => q.queue.queueId === id);
    expect(waitingIn('vip').waiting).toBe(1);
    expect(waitingIn('general').waiting).toBeGreaterThanOrEqual(1);

    const anaLive = await connect('ana');
    const brunoLive = await connect('bruno');
    try {
      await presence('bruno', 'online');
      await presence('ana', 'online');
      // The VIP comes first although the other customer waited longer; ana has room for one.
      const offered = await eventually(async () => ((await inbox('ana')).offers.length > 0 ? inbox('ana') : undefined), 'an offer for ana');
      expect(offered.offers).toEqual([keyOf('5215550007001')]);
      expect((await routingOf('5215550007002')).routingStatus).toBe('queued');
      await eventually(
        async () => anaLive.messages.find((m) => m.type === 'conversation.offered' && m.conversationKey === keyOf('5215550007001')),
        'the offer pushed to ana',
      );
      expect((await inbox('bruno')).offers).toEqual([]);

      const accepted = await api(agent('ana'), 'POST', '/agent/offer/accept', { conversationKey: keyOf('5215550007001') });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      const stolen = await api(agent('bruno'), 'POST', '/agent/offer/accept', { conversationKey: keyOf('5215550007001') });
      expect(stolen.status).toBe(409);
      expect((await inbox('ana')).assigned).toEqual([keyOf('5215550007001')]);

      const reply = await api(agent('ana'), 'POST', '/agent/conversation/reply', {
        conversationKey: keyOf('5215550007001'),
        text: 'Hola, soy Ana. ¿En qué te ayudo?',
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(202);
      await eventually(async () => (await harness.sendsTo('5215550007001')).find((s) => JSON.stringify(s).includes('soy Ana')), 'the reply on WhatsApp');
      await eventually(async () => ((await routingOf('5215550007001')).firstHumanResponseAt ? true : undefined), 'the first response recorded');

      // The customer writes again: ana's console hears of it.
      await harness.customerSays({ channel: 'whatsapp', customerId: '5215550007001', text: 'mi pedido llegó roto' });
      await eventually(
        async () => anaLive.messages.find((m) => m.type === 'message.received' && m.conversationKey === keyOf('5215550007001')),
        "the customer's message pushed to ana",
      );
      expect(brunoLive.messages.filter((m) => m.conversationKey === keyOf('5215550007001'))).toEqual([]);
    } finally {
      anaLive.close();
      brunoLive.close();
    }
  });

  it("re-routes an agent's waiting offer when she goes offline, and frees her place when she closes", async () => {
    // ana (capacity 1) holds the VIP; closing it frees her and the waiting Spanish customer is offered to her.
    const closed = await api(agent('ana'), 'POST', '/agent/conversation/close', { conversationKey: keyOf('5215550007001'), outcome: 'resolved' });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await eventually(async () => ((await inbox('ana')).offers.includes(keyOf('5215550007002')) ? true : undefined), 'the next customer offered to ana');
    expect(await routingOf('5215550007001')).toMatchObject({ routingStatus: 'closed', closeOutcome: 'resolved' });

    await presence('carla', 'online');
    await presence('ana', 'offline');
    await eventually(async () => ((await inbox('carla')).offers.includes(keyOf('5215550007002')) ? true : undefined), 'the offer moved to carla');
    expect((await inbox('ana')).offers).toEqual([]);
    const agents = await api(supervisor, 'GET', '/supervisor/agents');
    const load = Object.fromEntries(agents.body.items.map((a: any) => [a.agent.agentId, a.load]));
    expect(load).toMatchObject({ ana: 0, carla: 1 });
  });

  it('tells an out-of-hours customer when a person will answer, and offers the conversation when the queue opens', async () => {
    await presence('carla', 'offline');
    await presence('bruno', 'offline');
    await presence('ana', 'online');
    await putAgent({ agentId: 'ana', name: 'Ana', languages: ['es', 'pt'], maxConcurrent: 3 });
    // Closed today (a holiday in the queue's time zone), open other days.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Mexico_City' }).format(new Date());
    const week = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [{ from: '09:00', to: '18:00' }]]));
    await putQueue({
      queueId: 'general',
      name: 'General',
      languages: ['es', 'pt', 'en'],
      hours: { timezone: 'America/Mexico_City', weekly: week, holidays: [today] },
      sla: { firstResponseSeconds: 300 },
    });

    const waiting = await asksForPerson('5215550007003');
    expect(waiting).toMatchObject({ routingStatus: 'queued', queueId: 'general' });
    await eventually(async () => (await harness.sendsTo('5215550007003')).find((s) => /09:00/.test(JSON.stringify(s))), 'the notice naming the opening time');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await inbox('ana')).offers).not.toContain(keyOf('5215550007003'));

    // The queue opens (its hours change): the waiting customer is offered.
    await putQueue({ queueId: 'general', name: 'General', languages: ['es', 'pt', 'en'], sla: { firstResponseSeconds: 300 } });
    await eventually(async () => ((await inbox('ana')).offers.includes(keyOf('5215550007003')) ? true : undefined), 'offered once open');
  });

  it('warns and breaches an unanswered SLA on time, and the breach metric moves', async () => {
    await presence('ana', 'offline');
    await putQueue({ queueId: 'vip', name: 'VIP', priority: 90, sla: { firstResponseSeconds: 4, warnAtShare: 0.5 } });
    const tag = await api(admin, 'PUT', '/admin/routing/contact-tags', { channel: 'whatsapp', customerId: '5215550007004', tags: ['vip'] });
    expect(tag.status).toBe(200);
    const queued = await asksForPerson('5215550007004');
    expect(queued).toMatchObject({ queueId: 'vip', slaFirstResponseDueAt: expect.any(String) });
    const due = Date.parse(queued.slaFirstResponseDueAt as string);
    expect(due - Date.parse(queued.queuedAt as string)).toBe(4000);

    const breached = await eventually(
      async () => {
        const item = await routingOf('5215550007004');
        return item.slaState === 'breached' ? item : undefined;
      },
      'the breach',
      30_000,
    );
    expect(breached.routingPriority).toBe(95);
    // The metrics are flushed when the invocation that wrote the breach ends, a moment after the write.
    await eventually(async () => (harness.logLines.some((l) => /"SlaWarnings":1/.test(l)) ? true : undefined), 'the SLA warning metric');
    await eventually(async () => (harness.logLines.some((l) => /"SlaBreaches":1/.test(l)) ? true : undefined), 'the SLA breach metric');
  });
});
