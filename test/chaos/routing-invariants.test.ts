import { describe, expect, it } from 'vitest';
import { waitingPk } from '#lambdas/routing/routing-keys';
import { countViolations, holdingViolations, type RoutingSnapshot } from '#test/chaos/routing-invariants';

/** The checker the load and chaos runs rely on: it must see each kind of broken state, and only those. */
const agent = (agentId: string, keys: string[], maxConcurrent = 2) => ({ agentId, maxConcurrent, presence: 'online', activeConversationKeys: keys });

function sound(): RoutingSnapshot {
  return {
    businessId: 'local',
    agents: [agent('ana', ['c1', 'c2']), agent('bruno', ['c3'])],
    conversations: [
      { conversationKey: 'c1', state: 'human', routingStatus: 'offered', offeredAgentId: 'ana', queueId: 'general' },
      { conversationKey: 'c2', state: 'human', routingStatus: 'assigned', assignedAgentId: 'ana', queueId: 'general' },
      { conversationKey: 'c3', state: 'human', routingStatus: 'assigned', assignedAgentId: 'bruno', queueId: 'general' },
      { conversationKey: 'c4', state: 'human', routingStatus: 'queued', queueId: 'vip', gsi2pk: waitingPk('local', 'vip') },
      { conversationKey: 'c5', state: 'closed', routingStatus: 'closed', assignedAgentId: 'bruno', queueId: 'general' },
    ],
  };
}

describe('routing invariants', () => {
  it('finds nothing wrong with a sound snapshot', () => {
    expect(holdingViolations(sound())).toEqual([]);
  });

  it('sees an agent above capacity', () => {
    const s = sound();
    s.agents[0] = agent('ana', ['c1', 'c2'], 1);
    expect(countViolations(holdingViolations(s))).toMatchObject({ over_capacity: 1 });
  });

  it('sees a conversation held by two agents, and an agent counting one that is not theirs', () => {
    const s = sound();
    s.agents[1] = agent('bruno', ['c3', 'c2']);
    const found = holdingViolations(s);
    expect(countViolations(found).held_twice).toBe(2);
    expect(found.map((v) => v.detail).join('\n')).toMatch(/c2 held by 2 agents: ana, bruno/);
  });

  it("sees an offer or assignment the agent's load does not count", () => {
    const s = sound();
    s.agents[0] = agent('ana', ['c2']);
    expect(holdingViolations(s)).toEqual([{ kind: 'load_mismatch', detail: 'c1 is offered to ana, whose load does not count it' }]);
  });

  it('sees a queued conversation missing from its waiting index, and a held one still on it', () => {
    const s = sound();
    s.conversations[3] = { ...s.conversations[3]!, gsi2pk: waitingPk('local', 'general') };
    s.conversations[2] = { ...s.conversations[2]!, gsi2pk: waitingPk('local', 'general') };
    expect(countViolations(holdingViolations(s))).toEqual({ over_capacity: 0, held_twice: 0, load_mismatch: 0, lost: 2 });
  });
});
