import type { RoutingAgent, RoutingQueue } from '#lambdas/routing/routing-model';

/** What the choice looks at on the conversation. */
export interface OfferTarget {
  conversationKey: string;
  channel: string;
  language?: string;
  declinedBy: readonly string[];
}

/**
 * Whether an agent may be offered the conversation now: online, with free capacity, every skill
 * the queue requires, the conversation's language (when known), its channel, and not one who
 * declined it or let it expire in this handoff.
 */
export function isEligible(agent: RoutingAgent, queue: RoutingQueue, target: OfferTarget): boolean {
  return (
    agent.presence === 'online' &&
    agent.activeConversationKeys.length < agent.maxConcurrent &&
    !agent.activeConversationKeys.includes(target.conversationKey) &&
    queue.requiredSkills.every((skill) => agent.skills.includes(skill)) &&
    (target.language === undefined || (agent.languages as readonly string[]).includes(target.language)) &&
    (agent.channels as readonly string[]).includes(target.channel) &&
    !target.declinedBy.includes(agent.agentId)
  );
}

/** Eligible agents, best first: least busy, then longest idle (oldest last activity; never active first). */
export function rankAgents(agents: readonly RoutingAgent[], queue: RoutingQueue, target: OfferTarget): RoutingAgent[] {
  return agents
    .filter((agent) => isEligible(agent, queue, target))
    .sort(
      (a, b) =>
        a.activeConversationKeys.length - b.activeConversationKeys.length ||
        (a.lastActivityAt ?? '').localeCompare(b.lastActivityAt ?? '') ||
        a.agentId.localeCompare(b.agentId),
    );
}

export function chooseAgent(agents: readonly RoutingAgent[], queue: RoutingQueue, target: OfferTarget): RoutingAgent | undefined {
  return rankAgents(agents, queue, target)[0];
}

/** Whether any agent could take one more conversation at all (dispatch stops when none can). */
export function anyFreeCapacity(agents: readonly RoutingAgent[]): boolean {
  return agents.some((agent) => agent.presence === 'online' && agent.activeConversationKeys.length < agent.maxConcurrent);
}
