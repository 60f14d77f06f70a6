import { describe, expect, it } from 'vitest';
import { B, routingWorld } from '#test/unit/routing/engine/routing-world';

/**
 * Found by the chaos run with handoffs: a second handoff of a conversation, asked for while a
 * person already had it, reached the engine only after that person closed it. It queued the
 * closed conversation again and it was offered and assigned, holding an agent's place for good.
 */
describe('a handoff arriving after the close it preceded', () => {
  it('queues nothing and takes no place; a handoff asked for after the close queues again', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana', maxConcurrent: 1 });
    w.conversation('c1');
    await w.handoff('c1', { requestedAt: '2025-03-18T16:00:00.000Z' });
    await w.engine.acceptOffer(B, 'ana', 'c1');
    await w.engine.release(B, 'c1', { closed: 'resolved' }, '2025-03-18T16:10:00.000Z');

    // Asked for at 16:05, while ana had it; delivered after her close at 16:10.
    const late = await w.handoff('c1', { requestedAt: '2025-03-18T16:05:00.000Z' });
    expect(late.ok).toBe(true);
    expect(await w.routing('c1')).toMatchObject({ routingStatus: 'closed', closedAt: '2025-03-18T16:10:00.000Z', assignedAgentId: 'ana' });
    expect(await w.loadOf('ana')).toEqual([]);

    // The customer asks again after the close: a new handoff, offered to ana.
    await w.handoff('c1', { requestedAt: '2025-03-18T16:12:00.000Z' });
    expect(await w.routing('c1')).toMatchObject({ routingStatus: 'offered', offeredAgentId: 'ana' });
    expect(await w.loadOf('ana')).toEqual(['c1']);
  });
});
