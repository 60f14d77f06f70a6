import type { HandoffConversation, HandoffMessage, HandoffSources, OutOfHoursNotice } from '#lambdas/routing/engine/handoff-sources';
import type { AgentChange, AgentState, RoutingStateStore, StoredRouting, TransitionOutcome, WaitingEntry } from '#lambdas/routing/engine/routing-state-store';
import { waitingSk } from '#lambdas/routing/routing-keys';
import type { Presence } from '#lambdas/routing/routing-model';

/**
 * In-memory routing state with the DynamoDB store's semantics: transitions are conditional on the
 * routing version read, agents take a conversation only when online, below capacity and not
 * holding it yet, all or nothing; the waiting list holds queued conversations only, highest
 * priority then oldest first. Values handed out are copies.
 */
export interface InMemoryRoutingState extends RoutingStateStore, HandoffSources {
  /** A conversation (as the normalizer and the bot would have left it). */
  addConversation(conversation: Omit<HandoffConversation, 'recentMessages'> & { recentMessages?: HandoffMessage[]; tags?: string[] }): void;
  /** An outbound message the bot sent (its reply kind is what the handoff checks). */
  addOutbound(conversationKey: string, outboundId: string, replyKind: string): void;
  /** An agent item exists (the admin created it); its engine fields start offline and empty. */
  addAgent(businessId: string, agentId: string, state?: Partial<Omit<AgentState, 'agentId'>>): void;
  notices(conversationKey?: string): Array<OutOfHoursNotice & { conversationKey: string }>;
  /** Runs before each transition is applied (tests interleave other writers here). */
  beforeTransition?: (conversationKey: string) => void | Promise<void>;
  /** Every conversation's routing (tests check invariants). */
  allRoutings(): StoredRouting[];
}

export function inMemoryRoutingState(): InMemoryRoutingState {
  const conversations = new Map<string, { facts: HandoffConversation; routing: StoredRouting; outbound: Map<string, string> }>();
  const agents = new Map<string, AgentState>();
  const noticeList: Array<OutOfHoursNotice & { conversationKey: string }> = [];
  const agentKey = (businessId: string, agentId: string) => `${businessId}\u0000${agentId}`;
  const copy = <T>(value: T): T => structuredClone(value);

  const store: InMemoryRoutingState = {
    addConversation(conversation) {
      const { tags, recentMessages, ...facts } = conversation;
      conversations.set(conversation.conversationKey, {
        facts: { ...facts, recentMessages: recentMessages ?? [] },
        routing: {
          conversationKey: facts.conversationKey,
          businessId: '',
          channel: facts.channel,
          accountId: facts.accountId,
          customerId: facts.customerId,
          ...(facts.language ? { language: facts.language } : {}),
          tags: [...(tags ?? [])].sort(),
          declinedBy: [],
          transfers: 0,
          routingVersion: 0,
        },
        outbound: new Map(),
      });
    },

    addOutbound(conversationKey, outboundId, replyKind) {
      conversations.get(conversationKey)?.outbound.set(outboundId, replyKind);
    },

    addAgent(businessId, agentId, state = {}) {
      agents.set(agentKey(businessId, agentId), { agentId, presence: 'offline', activeConversationKeys: [], ...copy(state) });
    },

    notices: (conversationKey) => noticeList.filter((n) => conversationKey === undefined || n.conversationKey === conversationKey).map(copy),

    allRoutings: () => [...conversations.values()].map((c) => copy(c.routing)),

    async getRouting(conversationKey) {
      const found = conversations.get(conversationKey);
      return found ? copy(found.routing) : undefined;
    },

    async transition(current, next, changes, at): Promise<TransitionOutcome> {
      await store.beforeTransition?.(current.conversationKey);
      const found = conversations.get(current.conversationKey);
      if (!found || found.routing.routingVersion !== current.routingVersion) return { ok: false, failed: 'conversation_changed' };
      for (const field of ['tags', 'declinedBy'] as const) {
        const after = new Set(next[field]);
        if (after.size > 0 && current[field].some((v) => !after.has(v))) throw new Error(`A transition cannot remove part of ${field}`);
      }
      if (next.routingStatus === 'queued' && (!next.queueId || next.routingPriority === undefined || !next.queuedAt)) {
        throw new Error('A queued conversation needs its queue, priority and time');
      }
      let pending: AgentChange[] = [...changes];
      const refused = pending.find((change) => {
        const agent = agents.get(agentKey(next.businessId, change.agentId));
        if (!('take' in change)) return false;
        return (
          agent?.presence !== 'online' ||
          agent.activeConversationKeys.length >= change.take.maxConcurrent ||
          agent.activeConversationKeys.includes(current.conversationKey)
        );
      });
      if (refused) return { ok: false, failed: 'agent_unavailable', agentId: refused.agentId };
      // Releasing agents that no longer exist are skipped, as the DynamoDB store retries without them.
      pending = pending.filter((change) => 'take' in change || agents.has(agentKey(next.businessId, change.agentId)));
      for (const change of pending) {
        const agent = agents.get(agentKey(next.businessId, change.agentId))!;
        const keys = new Set(agent.activeConversationKeys);
        if ('take' in change) keys.add(current.conversationKey);
        else keys.delete(current.conversationKey);
        agent.activeConversationKeys = [...keys].sort();
        agent.lastActivityAt = at;
      }
      // Tags are added by others too (the workspace): only what the transition adds is added.
      const tags = [...new Set([...found.routing.tags, ...next.tags.filter((t) => !current.tags.includes(t))])].sort();
      const stored: StoredRouting = {
        ...copy(next),
        tags: next.tags.length === 0 && current.tags.length > 0 ? [] : tags,
        routingVersion: current.routingVersion + 1,
      };
      for (const [k, v] of Object.entries(stored)) if (v === undefined) delete (stored as unknown as Record<string, unknown>)[k];
      found.routing = stored;
      return { ok: true, routing: copy(stored) };
    },

    async waiting(businessId, queueId, limit, cursor) {
      const all = [...conversations.values()]
        .map((c) => c.routing)
        .filter((r) => r.routingStatus === 'queued' && r.businessId === businessId && r.queueId === queueId)
        .map((r) => ({
          sk: waitingSk(r.routingPriority!, r.queuedAt!, r.conversationKey),
          entry: { conversationKey: r.conversationKey, priority: r.routingPriority!, queuedAt: r.queuedAt! },
        }))
        .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
      const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
      const rest = after === undefined ? all : all.filter((e) => e.sk > after);
      const page = rest.slice(0, Math.max(1, Math.min(100, limit)));
      const entries: WaitingEntry[] = page.map((e) => e.entry);
      return { entries, ...(page.length < rest.length ? { cursor: Buffer.from(page.at(-1)!.sk).toString('base64url') } : {}) };
    },

    async agentStates(businessId) {
      return [...agents.entries()].filter(([k]) => k.startsWith(`${businessId}\u0000`)).map(([, v]) => copy(v));
    },

    async setPresence(businessId, agentId, presence: Presence, at) {
      const agent = agents.get(agentKey(businessId, agentId));
      if (!agent) return undefined;
      const before = agent.presence;
      if (before !== presence) {
        agent.presence = presence;
        agent.presenceChangedAt = at;
      }
      return { before, after: copy(agent) };
    },

    async readConversation(conversationKey) {
      const found = conversations.get(conversationKey);
      return found ? copy(found.facts) : undefined;
    },

    async outboundReplyKind(conversationKey, outboundId) {
      return conversations.get(conversationKey)?.outbound.get(outboundId);
    },

    async writeNotice(conversation, notice) {
      const found = conversations.get(conversation.conversationKey);
      if (!found || found.outbound.has(notice.outboundId)) return false;
      found.outbound.set(notice.outboundId, 'queue_out_of_hours');
      noticeList.push({ ...copy(notice), conversationKey: conversation.conversationKey });
      return true;
    },
  };
  return store;
}
