import { describe, expect, it } from 'vitest';
import { type ConnectionPoster, type ConnectionStore, pushChange, type PushChangeDeps } from '#lambdas/push/push-change';
import type { AgentConnection, ConversationPeople } from '#lambdas/push/recipients';
import type { WorkspaceChange } from '#lambdas/workspace/change-feed';

const KEY = 'wa:100000000000301:5511987650301';
const OTHER_KEY = 'wa:100000000000401:5511987650401';

function conn(businessId: string, connectionId: string, agentId: string, roles: AgentConnection['roles'] = ['agent']): AgentConnection {
  return { businessId, connectionId, agentId, roles, connectedAt: '2026-12-01T10:00:00.000Z' };
}

/** In-memory connections, a poster that records what it sent (some connections gone), a registry and a feed. */
function world(options: { connections: AgentConnection[]; conversations?: Record<string, ConversationPeople>; gone?: string[]; failing?: string[] }) {
  const connections = [...options.connections];
  const posted: Array<{ connectionId: string; data: any }> = [];
  const feed: Array<{ businessId: string; change: WorkspaceChange }> = [];
  const store: ConnectionStore = {
    listByBusiness: async (b) => connections.filter((c) => c.businessId === b),
    remove: async (b, id) => {
      const i = connections.findIndex((c) => c.businessId === b && c.connectionId === id);
      if (i >= 0) connections.splice(i, 1);
    },
  };
  const poster: ConnectionPoster = {
    post: async (connectionId, data) => {
      if (options.failing?.includes(connectionId)) throw new Error('throttled');
      if (options.gone?.includes(connectionId)) return 'gone';
      posted.push({ connectionId, data: JSON.parse(data) });
      return 'sent';
    },
  };
  const deps: PushChangeDeps = {
    connections: store,
    poster,
    conversationPeople: async (key) => options.conversations?.[key],
    businessOfAccount: async (accountId) => ({ '100000000000301': 'acme', '100000000000401': 'globex' })[accountId],
    changeFeed: {
      appendChange: async (businessId, change) => {
        feed.push({ businessId, change });
        return { ...change, changeId: String(feed.length) };
      },
    },
  };
  return { deps, posted, feed, connections };
}

const received = (key = KEY, accountId = '100000000000301') => ({
  detailType: 'message.received',
  time: '2026-12-01T10:05:00Z',
  detail: {
    v: 1,
    conversationKey: key,
    channel: 'whatsapp',
    accountId,
    providerMessageId: 'wamid.X1',
    occurredAt: '2026-12-01T10:04:59.000Z',
    text: 'never pushed',
  },
});

describe('pushChange', () => {
  it('pushes a customer message of an assigned conversation to its agent and the supervisors of that business only', async () => {
    const w = world({
      connections: [
        conn('acme', 'c-ana', 'ana'),
        conn('acme', 'c-ana-2', 'ana'),
        conn('acme', 'c-bruno', 'bruno'),
        conn('acme', 'c-sup', 'sofia', ['supervisor']),
        conn('acme', 'c-admin', 'alba', ['admin']),
        conn('globex', 'c-globex-sup', 'gus', ['supervisor']),
        conn('globex', 'c-globex-ana', 'ana'),
      ],
      conversations: { [KEY]: { routingStatus: 'assigned', assignedAgentId: 'ana', accountId: '100000000000301' } },
    });
    const out = await pushChange(received(), w.deps);
    expect(out).toMatchObject({ outcome: 'pushed', businessId: 'acme', recipients: 4, sent: 4, gone: 0 });
    expect(w.posted.map((p) => p.connectionId).sort()).toEqual(['c-admin', 'c-ana', 'c-ana-2', 'c-sup']);
    // Ids only: the customer's words never travel.
    expect(w.posted[0]!.data).toEqual({ type: 'message.received', conversationKey: KEY, messageId: 'wamid.X1', at: '2026-12-01T10:04:59.000Z' });
    expect(JSON.stringify(w.posted)).not.toContain('never pushed');
    expect(w.feed).toEqual([{ businessId: 'acme', change: expect.objectContaining({ type: 'message.received', forAgentIds: ['ana'] }) }]);
  });

  it('does not push a customer message while the bot has the conversation', async () => {
    const w = world({
      connections: [conn('acme', 'c-sup', 'sofia', ['supervisor'])],
      conversations: { [KEY]: { state: 'bot', accountId: '100000000000301' } },
    });
    expect(await pushChange(received(), w.deps)).toEqual({ outcome: 'ignored', reason: 'no_audience' });
    expect(w.posted).toEqual([]);
    expect(w.feed).toEqual([]);
  });

  it('pushes a customer message of a queued conversation to the supervisors only', async () => {
    const w = world({
      connections: [conn('acme', 'c-ana', 'ana'), conn('acme', 'c-sup', 'sofia', ['supervisor'])],
      conversations: { [KEY]: { routingStatus: 'queued', accountId: '100000000000301' } },
    });
    await pushChange(received(), w.deps);
    expect(w.posted.map((p) => p.connectionId)).toEqual(['c-sup']);
    expect(w.feed[0]!.change.forAgentIds).toEqual([]);
  });

  it('offers go to the offered agent alone, never to supervisors or other agents', async () => {
    const w = world({
      connections: [conn('acme', 'c-ana', 'ana'), conn('acme', 'c-bruno', 'bruno'), conn('acme', 'c-sup', 'sofia', ['supervisor'])],
      conversations: { [KEY]: { routingStatus: 'offered', offeredAgentId: 'ana', accountId: '100000000000301' } },
    });
    await pushChange(
      {
        detailType: 'conversation.offered',
        time: '2026-12-01T10:06:00Z',
        detail: { v: 1, businessId: 'acme', conversationKey: KEY, agentId: 'ana', queueId: 'ventas', offerId: 'o1' },
      },
      w.deps,
    );
    expect(w.posted).toEqual([
      {
        connectionId: 'c-ana',
        data: { type: 'conversation.offered', conversationKey: KEY, agentId: 'ana', queueId: 'ventas', at: '2026-12-01T10:06:00.000Z' },
      },
    ]);
  });

  it('takes the business of a routing event from the event and never reaches another business', async () => {
    const w = world({ connections: [conn('globex', 'c-globex-ana', 'ana'), conn('acme', 'c-ana', 'ana')] });
    await pushChange(
      { detailType: 'conversation.assigned', time: '2026-12-01T10:06:00Z', detail: { businessId: 'acme', conversationKey: KEY, agentId: 'ana' } },
      w.deps,
    );
    expect(w.posted.map((p) => p.connectionId)).toEqual(['c-ana']);
  });

  it('a transfer reaches the agent it left and the agent it went to', async () => {
    const w = world({
      connections: [conn('acme', 'c-ana', 'ana'), conn('acme', 'c-bruno', 'bruno'), conn('acme', 'c-carla', 'carla')],
      conversations: { [KEY]: { routingStatus: 'assigned', assignedAgentId: 'bruno', accountId: '100000000000301' } },
    });
    await pushChange(
      {
        detailType: 'conversation.transferred',
        time: '2026-12-01T10:07:00Z',
        detail: { businessId: 'acme', conversationKey: KEY, fromAgentId: 'ana', toAgentId: 'bruno' },
      },
      w.deps,
    );
    expect(w.posted.map((p) => p.connectionId).sort()).toEqual(['c-ana', 'c-bruno']);
  });

  it('deletes connections API Gateway answers 410 for and keeps pushing to the others', async () => {
    const w = world({
      connections: [conn('acme', 'c-gone', 'ana'), conn('acme', 'c-live', 'ana'), conn('acme', 'c-flaky', 'ana')],
      conversations: { [KEY]: { routingStatus: 'assigned', assignedAgentId: 'ana', accountId: '100000000000301' } },
      gone: ['c-gone'],
      failing: ['c-flaky'],
    });
    const out = await pushChange(received(), w.deps);
    expect(out).toMatchObject({ outcome: 'pushed', sent: 1, gone: 1, failed: 1 });
    expect(w.connections.map((c) => c.connectionId).sort()).toEqual(['c-flaky', 'c-live']);
  });

  it('ignores events of unregistered accounts, unknown types and non-object details', async () => {
    const w = world({ connections: [conn('acme', 'c-sup', 'sofia', ['supervisor'])], conversations: { 'wa:999:1': { state: 'human' } } });
    expect(await pushChange(received('wa:999:1', '999'), w.deps)).toEqual({ outcome: 'ignored', reason: 'unknown_business' });
    expect(await pushChange({ detailType: 'reply.requested', time: '', detail: {} }, w.deps)).toEqual({ outcome: 'ignored', reason: 'not_pushed_type' });
    expect(await pushChange({ detailType: 'message.read', time: '', detail: 'x' }, w.deps)).toEqual({ outcome: 'ignored', reason: 'invalid_detail' });
    expect(w.posted).toEqual([]);
  });

  it('drops oversized or control-character ids instead of pushing them', async () => {
    const w = world({ connections: [conn('acme', 'c-sup', 'sofia', ['supervisor'])] });
    await pushChange(
      {
        detailType: 'sla.warning',
        time: '2026-12-01T10:08:00Z',
        detail: { businessId: 'acme', conversationKey: KEY, queueId: 'q'.repeat(500), agentId: 'a\u0000b', slaState: 'warning' },
      },
      w.deps,
    );
    expect(w.posted[0]!.data).toEqual({ type: 'sla.warning', conversationKey: KEY, status: 'warning', at: '2026-12-01T10:08:00.000Z' });
  });

  it('a receipt of another business account never reaches this business', async () => {
    const w = world({
      connections: [conn('acme', 'c-sup', 'sofia', ['supervisor']), conn('globex', 'c-gsup', 'gus', ['supervisor'])],
      conversations: { [OTHER_KEY]: { routingStatus: 'assigned', assignedAgentId: 'gina', accountId: '100000000000401' } },
    });
    await pushChange(
      {
        detailType: 'message.read',
        time: '2026-12-01T10:09:00Z',
        detail: { v: 1, conversationKey: OTHER_KEY, accountId: '100000000000401', messageId: 'out-1', status: 'read', occurredAt: '2026-12-01T10:09:00.000Z' },
      },
      w.deps,
    );
    expect(w.posted.map((p) => p.connectionId)).toEqual(['c-gsup']);
    expect(w.posted[0]!.data).toMatchObject({ type: 'message.read', messageId: 'out-1', status: 'read' });
  });
});
