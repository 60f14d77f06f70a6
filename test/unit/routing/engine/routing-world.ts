import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { composeRoutingEngine } from '#lambdas/routing/engine/create-routing-engine';
import type { HandoffMessage } from '#lambdas/routing/engine/handoff-sources';
import type { RoutingTimer } from '#lambdas/routing/routing-ports';
import type { AgentInput, Presence, QueueInput, RoutingRulesInput } from '#lambdas/routing/routing-model';
import { inMemoryRoutingConfig } from '#test/helpers/in-memory-routing-config';
import { inMemoryRoutingState } from '#test/helpers/in-memory-routing-state';

export const B = 'biz-1';
const admin = { actor: 'admin' };

/** A business with the engine on in-memory stores, a clock tests move, and what it published and scheduled. */
export function routingWorld(start = '2025-03-18T16:00:00.000Z') {
  let clock = new Date(start);
  const now = () => new Date(clock);
  const config = inMemoryRoutingConfig({ now });
  const state = inMemoryRoutingState();
  const events: DomainEvent[] = [];
  const timers: RoutingTimer[] = [];
  const engine = composeRoutingEngine({
    state,
    sources: state,
    config,
    publisher: { publish: async (e) => void events.push(...e) },
    scheduler: { schedule: async (t) => void timers.push(t) },
    now,
  });
  let handoffs = 0;
  return {
    engine,
    config,
    state,
    events,
    timers,
    now,
    advance(seconds: number) {
      clock = new Date(clock.getTime() + seconds * 1000);
    },
    setClock(iso: string) {
      clock = new Date(iso);
    },
    async agent(input: Partial<AgentInput> & { agentId: string }, presence: Presence = 'online', lastActivityAt?: string) {
      await config.putAgent(B, { name: input.agentId, languages: ['es'], ...input }, admin);
      state.addAgent(B, input.agentId, { presence, ...(lastActivityAt ? { lastActivityAt } : {}) });
    },
    queue: (
      input: Omit<Partial<QueueInput>, 'sla'> & { queueId: string; sla?: { firstResponseSeconds: number; resolutionSeconds?: number; warnAtShare?: number } },
    ) => config.putQueue(B, { name: input.queueId, sla: { firstResponseSeconds: 600 }, ...input }, admin),
    rules: (input: RoutingRulesInput) => config.putRules(B, input, admin),
    vip: (customerId: string) => config.putContactTags(B, { channel: 'whatsapp', customerId }, ['vip'], admin),
    conversation(
      key: string,
      over: { language?: string; channel?: 'whatsapp' | 'instagram' | 'messenger'; customerId?: string; messages?: HandoffMessage[] } = {},
    ) {
      state.addConversation({
        conversationKey: key,
        channel: over.channel ?? 'whatsapp',
        accountId: 'acct-1',
        customerId: over.customerId ?? `cust-${key}`,
        ...(over.language !== undefined ? { language: over.language } : { language: 'es' }),
        lastInboundAt: clock.toISOString(),
        recentMessages: over.messages ?? [],
      });
    },
    /** A handoff of the conversation (a new one each call unless `requestedAt` is given). */
    handoff(key: string, extra: { requestedAt?: string; reason?: string; outboundId?: string } = {}) {
      handoffs++;
      return engine.routeHandoff({
        businessId: B,
        conversationKey: key,
        reason: extra.reason ?? 'customer_request',
        requestedAt: extra.requestedAt ?? new Date(clock.getTime() + handoffs).toISOString(),
        ...(extra.outboundId ? { outboundId: extra.outboundId } : {}),
      });
    },
    routing: async (key: string) => (await state.getRouting(key))!,
    types: () => events.map((e) => e.detailType),
    async loadOf(agentId: string) {
      return (await state.agentStates(B)).find((a) => a.agentId === agentId)!.activeConversationKeys;
    },
  };
}
