import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { CONVERSATION_SK, conversationPk, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import { createRoutingEngine } from '#lambdas/routing/engine/create-routing-engine';
import { dynamoRoutingStateStore } from '#lambdas/routing/engine/dynamodb-routing-state-store';
import type { RoutingStateStore } from '#lambdas/routing/engine/routing-state-store';
import { offered, queuedForHandoff } from '#lambdas/routing/engine/routing-transitions';
import { agentSk, routingPk } from '#lambdas/routing/routing-keys';
import type { RoutingTimer } from '#lambdas/routing/routing-ports';
import { PRIORITY } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { inMemoryRoutingConfig } from '#test/helpers/in-memory-routing-config';

const B = 'biz-int';
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let store: RoutingStateStore;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  store = dynamoRoutingStateStore({ db: table.db, tableName });
});

async function putConversation(key: string, over: Record<string, unknown> = {}) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: conversationPk(key),
        sk: CONVERSATION_SK,
        entity: 'Conversation',
        conversationKey: key,
        channel: 'whatsapp',
        accountId: 'acct-1',
        customerId: `cust-${key}`,
        language: 'es',
        state: 'human',
        lastInboundAt: new Date().toISOString(),
        ...over,
      },
    }),
  );
}

/** The agent item as the config store leaves it (settings), with the engine's presence. */
async function putAgentItem(agentId: string, presence: string) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: routingPk(B), sk: agentSk(agentId), entity: 'RoutingAgent', agentId, name: agentId, languages: ['es'], presence },
    }),
  );
}

const queuedState = async (key: string, priority: number, queuedAt: string) => {
  const current = (await store.getRouting(key))!;
  return {
    current,
    next: queuedForHandoff(current, {
      businessId: B,
      queueId: 'q1',
      priority,
      tags: ['vip'],
      queuedAt,
      handoffAt: queuedAt,
      handoffContext: { reason: 'customer_request', lastCustomerTexts: ['hola'], botAnswers: [], captured: {}, tags: ['vip'] },
    }),
  };
};

describe('DynamoDB routing state store', () => {
  it('writes transitions conditional on the version; the waiting index lists queued ones, highest priority then oldest', async () => {
    for (const key of ['wa:1:a', 'wa:1:b', 'wa:1:c']) await putConversation(key);
    const writes = [
      ['wa:1:a', PRIORITY.normal, '2025-01-01T10:00:00.000Z'],
      ['wa:1:b', PRIORITY.vip, '2025-01-01T11:00:00.000Z'],
      ['wa:1:c', PRIORITY.normal, '2025-01-01T09:00:00.000Z'],
    ] as const;
    for (const [key, priority, at] of writes) {
      const { current, next } = await queuedState(key, priority, at);
      expect((await store.transition(current, next, [], at)).ok).toBe(true);
      // The same decision again, on the version it read: refused.
      expect(await store.transition(current, next, [], at)).toEqual({ ok: false, failed: 'conversation_changed' });
    }
    const waiting = await store.waiting(B, 'q1', 10);
    expect(waiting.entries.map((e) => e.conversationKey)).toEqual(['wa:1:b', 'wa:1:c', 'wa:1:a']);
    const page = await store.waiting(B, 'q1', 2);
    expect(page.cursor).toBeDefined();
    expect((await store.waiting(B, 'q1', 2, page.cursor)).entries.map((e) => e.conversationKey)).toEqual(['wa:1:a']);

    const read = (await store.getRouting('wa:1:b'))!;
    expect(read).toMatchObject({
      routingStatus: 'queued',
      routingVersion: 1,
      tags: ['vip'],
      declinedBy: [],
      businessId: B,
      channel: 'whatsapp',
      customerId: 'cust-wa:1:b',
    });
    expect(read.handoffContext?.lastCustomerTexts).toEqual(['hola']);
  });

  it('an offer takes the agent only when online, below capacity and not holding it; it leaves the waiting list', async () => {
    await putConversation('wa:1:a');
    await putConversation('wa:1:b');
    await putAgentItem('ana', 'online');
    await putAgentItem('off', 'offline');
    for (const key of ['wa:1:a', 'wa:1:b']) {
      const { current, next } = await queuedState(key, 50, '2025-01-01T10:00:00.000Z');
      await store.transition(current, next, [], '2025-01-01T10:00:00.000Z');
    }
    const a = (await store.getRouting('wa:1:a'))!;
    const offerTo = (agentId: string) => offered(a, { agentId, offerId: 'o1', at: 't', expiresAt: 't2' });
    expect(await store.transition(a, offerTo('off'), [{ agentId: 'off', take: { maxConcurrent: 3 } }], 't')).toMatchObject({
      ok: false,
      failed: 'agent_unavailable',
      agentId: 'off',
    });
    expect(await store.transition(a, offerTo('ghost'), [{ agentId: 'ghost', take: { maxConcurrent: 3 } }], 't')).toMatchObject({
      ok: false,
      failed: 'agent_unavailable',
    });
    expect((await store.transition(a, offerTo('ana'), [{ agentId: 'ana', take: { maxConcurrent: 1 } }], 't')).ok).toBe(true);
    const raw = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk('wa:1:a'), sk: CONVERSATION_SK } }));
    expect(raw.Item?.gsi2pk).toBeUndefined();
    expect(raw.Item?.routingStatus).toBe('offered');
    expect((await store.waiting(B, 'q1', 10)).entries.map((e) => e.conversationKey)).toEqual(['wa:1:b']);

    const b = (await store.getRouting('wa:1:b'))!;
    const full = await store.transition(
      b,
      offered(b, { agentId: 'ana', offerId: 'o2', at: 't', expiresAt: 't2' }),
      [{ agentId: 'ana', take: { maxConcurrent: 1 } }],
      't',
    );
    expect(full).toMatchObject({ ok: false, failed: 'agent_unavailable' });
    // Nothing of a refused transaction is written.
    expect((await store.getRouting('wa:1:b'))!.routingStatus).toBe('queued');
    const states = await store.agentStates(B);
    expect(states.find((s) => s.agentId === 'ana')).toMatchObject({ presence: 'online', activeConversationKeys: ['wa:1:a'], lastActivityAt: 't' });
    expect(await store.setPresence(B, 'ghost', 'online', 't')).toBeUndefined();
    expect(await store.setPresence(B, 'ana', 'away', 't3')).toMatchObject({ before: 'online', after: { presence: 'away', presenceChangedAt: 't3' } });
  });
});

describe('routing engine on DynamoDB Local', () => {
  it('50 simultaneous handoffs, 5 agents of capacity 3, concurrent dispatchers: no conversation twice, no agent over capacity, none lost', async () => {
    const config = inMemoryRoutingConfig();
    const events: DomainEvent[] = [];
    const timers: RoutingTimer[] = [];
    const agents = ['a1', 'a2', 'a3', 'a4', 'a5'];
    for (const agentId of agents) {
      await config.putAgent(B, { agentId, name: agentId, languages: ['es'], maxConcurrent: 3 }, { actor: 'admin' });
      await putAgentItem(agentId, 'online');
    }
    const keys = Array.from({ length: 50 }, (_, i) => `wa:1:${String(i).padStart(3, '0')}`);
    for (const key of keys) {
      await putConversation(key);
      await table.db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: conversationPk(key),
            sk: messageSk(`m-${key}`),
            lsi1sk: messageTimeSk('2025-01-01T00:00:00Z', `m-${key}`),
            direction: 'inbound',
            origin: 'customer',
            text: 'necesito ayuda',
            occurredAt: '2025-01-01T00:00:00Z',
          },
        }),
      );
    }
    // Several Lambda instances: separate engines over the same table.
    const engines = Array.from({ length: 4 }, () =>
      createRoutingEngine({
        db: table.db,
        tableName,
        config,
        publisher: { publish: async (e) => void events.push(...e) },
        scheduler: { schedule: async (t) => void timers.push(t) },
        retentionDays: 30,
      }),
    );
    const requestedAt = new Date().toISOString();
    await Promise.all([
      ...keys.map((key, i) => engines[i % engines.length]!.routeHandoff({ businessId: B, conversationKey: key, reason: 'customer_request', requestedAt })),
      ...engines.map((engine) => engine.dispatch(B)),
      ...engines.map((engine) => engine.dispatch(B)),
    ]);
    // Redelivered handoffs change nothing.
    await Promise.all(
      keys.slice(0, 10).map((key) => engines[0]!.routeHandoff({ businessId: B, conversationKey: key, reason: 'customer_request', requestedAt })),
    );
    await engines[0]!.dispatch(B);

    const routings = await Promise.all(keys.map((key) => store.getRouting(key)));
    const states = await store.agentStates(B);
    const offeredTo = new Map<string, string[]>();
    for (const r of routings) {
      expect(['queued', 'offered']).toContain(r!.routingStatus);
      expect(r!.routingVersion).toBeGreaterThan(0);
      if (r!.routingStatus === 'offered') offeredTo.set(r!.offeredAgentId!, [...(offeredTo.get(r!.offeredAgentId!) ?? []), r!.conversationKey]);
    }
    for (const state of states) {
      expect(state.activeConversationKeys.length).toBeLessThanOrEqual(3);
      // The agent's load and the conversations offered to them are the same set.
      expect(state.activeConversationKeys).toEqual((offeredTo.get(state.agentId) ?? []).sort());
    }
    const held = states.flatMap((s) => s.activeConversationKeys);
    expect(new Set(held).size).toBe(held.length);
    expect(held.length).toBe(15);
    // Every conversation still waiting is on the waiting list.
    const waiting = [];
    let cursor: string | undefined;
    do {
      const page = await store.waiting(B, 'default', 100, cursor);
      waiting.push(...page.entries.map((e) => e.conversationKey));
      cursor = page.cursor;
    } while (cursor);
    expect(waiting.sort()).toEqual(
      routings
        .filter((r) => r!.routingStatus === 'queued')
        .map((r) => r!.conversationKey)
        .sort(),
    );
    expect(waiting.length).toBe(35);
    expect(events.filter((e) => e.detailType === DETAIL_TYPE.conversationQueued)).toHaveLength(50);
    expect(events.filter((e) => e.detailType === DETAIL_TYPE.conversationOffered)).toHaveLength(15);

    // Closing one frees a place that the next waiting conversation takes.
    const first = routings.find((r) => r!.routingStatus === 'offered')!;
    await engines[1]!.acceptOffer(B, first.offeredAgentId!, first.conversationKey);
    await engines[1]!.release(B, first.conversationKey, { closed: 'resolved' }, new Date().toISOString());
    const after = await store.agentStates(B);
    expect(after.flatMap((s) => s.activeConversationKeys)).toHaveLength(15);
    expect(after.find((s) => s.agentId === first.offeredAgentId)!.activeConversationKeys).not.toContain(first.conversationKey);
  });

  it('an out-of-hours handoff writes one notice item and asks for its send', async () => {
    const config = inMemoryRoutingConfig();
    await config.putQueue(
      B,
      {
        queueId: 'day',
        name: 'Day',
        sla: { firstResponseSeconds: 600 },
        hours: { timezone: 'UTC', weekly: { mon: [{ from: '09:00', to: '10:00' }] }, holidays: [] },
      },
      { actor: 'admin' },
    );
    await config.putRules(B, { defaultQueueId: 'day', rules: [] }, { actor: 'admin' });
    const events: DomainEvent[] = [];
    const now = new Date('2025-03-18T12:00:00.000Z'); // a Tuesday
    await putConversation('wa:1:x', { language: 'en', lastInboundAt: now.toISOString() });
    const engine = createRoutingEngine({
      db: table.db,
      tableName,
      config,
      publisher: { publish: async (e) => void events.push(...e) },
      scheduler: { schedule: async () => undefined },
      retentionDays: 30,
      now: () => now,
    });
    const input = { businessId: B, conversationKey: 'wa:1:x', reason: 'customer_request', requestedAt: now.toISOString() };
    await engine.routeHandoff(input);
    await engine.routeHandoff(input);
    const requests = events.filter((e) => e.detailType === DETAIL_TYPE.replyRequested);
    expect(requests.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(requests.map((e) => (e.detail as { outboundId: string }).outboundId));
    expect(ids.size).toBe(1);
    const item = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk('wa:1:x'), sk: messageSk([...ids][0]!) } }));
    expect(item.Item).toMatchObject({ direction: 'outbound', status: 'pending', replyKind: 'queue_out_of_hours', language: 'en' });
    expect(item.Item?.text).toContain('Monday');
  });
});
