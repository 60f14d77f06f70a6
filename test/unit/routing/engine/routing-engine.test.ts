import { describe, expect, it } from 'vitest';
import { PRIORITY } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { B, routingWorld } from '#test/unit/routing/engine/routing-world';

describe('routing a handoff', () => {
  it('queues by the rules with the handoff context, SLA due times and timers, and offers to an eligible agent', async () => {
    const w = routingWorld();
    await w.queue({ queueId: 'general' });
    await w.queue({ queueId: 'vip', priority: 90, sla: { firstResponseSeconds: 120, resolutionSeconds: 3600 } });
    await w.rules({
      defaultQueueId: 'general',
      rules: [{ ruleId: 'vip', when: { tags: ['vip'] }, then: { queueId: 'vip', priority: PRIORITY.vip, addTags: ['priority'] } }],
    });
    await w.vip('cust-c1');
    w.conversation('c1', {
      messages: [
        { direction: 'outbound', origin: 'agent', text: 'Te comunico con una persona', replyKind: 'handoff_ack', occurredAt: '3' },
        { direction: 'inbound', origin: 'customer', text: 'quiero hablar con alguien', occurredAt: '2' },
        { direction: 'inbound', origin: 'customer', text: 'mi pedido no llegó', occurredAt: '1' },
      ],
    });
    await w.agent({ agentId: 'ana' });

    const out = await w.handoff('c1', { reason: 'customer_request' });
    expect(out.ok).toBe(true);
    const r = await w.routing('c1');
    expect(r).toMatchObject({ routingStatus: 'offered', queueId: 'vip', routingPriority: PRIORITY.vip, offeredAgentId: 'ana', businessId: B, slaState: 'ok' });
    expect(r.tags).toEqual(['priority', 'vip']);
    expect(r.handoffContext).toEqual({
      reason: 'customer_request',
      language: 'es',
      lastCustomerTexts: ['mi pedido no llegó', 'quiero hablar con alguien'],
      botAnswers: ['Te comunico con una persona'],
      captured: {},
      tags: ['priority', 'vip'],
    });
    expect(r.slaFirstResponseDueAt).toBe('2025-03-18T16:02:00.000Z');
    expect(r.slaResolutionDueAt).toBe('2025-03-18T17:00:00.000Z');
    expect(w.timers.map((t) => `${t.kind}:${'target' in t ? t.target : ''}:${t.dueAt}`)).toEqual([
      'sla_warning:first_response:2025-03-18T16:01:36.000Z',
      'sla_breach:first_response:2025-03-18T16:02:00.000Z',
      'sla_warning:resolution:2025-03-18T16:48:00.000Z',
      'sla_breach:resolution:2025-03-18T17:00:00.000Z',
      'offer_expiry::2025-03-18T16:01:00.000Z',
    ]);
    expect(w.types()).toEqual([DETAIL_TYPE.conversationQueued, DETAIL_TYPE.conversationOffered]);
    // Events carry ids only.
    expect(JSON.stringify(w.events)).not.toContain('pedido');
    expect(w.events.every((e) => e.source === EVENT_SOURCE.routing)).toBe(true);
    expect(await w.loadOf('ana')).toEqual(['c1']);
  });

  it('serves VIP before an older non-VIP, then oldest first', async () => {
    const w = routingWorld();
    await w.vip('cust-vip');
    for (const key of ['old', 'older-still', 'vip']) w.conversation(key, key === 'vip' ? { customerId: 'cust-vip' } : {});
    await w.handoff('older-still');
    w.advance(10);
    await w.handoff('old');
    w.advance(10);
    await w.handoff('vip');
    await w.agent({ agentId: 'ana', maxConcurrent: 1 });
    await w.engine.dispatch(B);
    expect((await w.routing('vip')).routingStatus).toBe('offered');
    expect((await w.routing('vip')).queueId).toBe('default');
    await w.engine.acceptOffer(B, 'ana', 'vip');
    await w.engine.release(B, 'vip', { closed: 'resolved' }, w.now().toISOString());
    expect((await w.routing('older-still')).routingStatus).toBe('offered');
    expect((await w.routing('old')).routingStatus).toBe('queued');
  });

  it('offers only to agents who speak the language, serve the channel and have the skills; least busy then longest idle', async () => {
    const w = routingWorld();
    await w.queue({ queueId: 'billing', requiredSkills: ['billing'] });
    await w.rules({ defaultQueueId: 'billing', rules: [] });
    await w.agent({ agentId: 'en-only', languages: ['en'], skills: ['billing'] });
    await w.agent({ agentId: 'no-skill', languages: ['pt'] });
    await w.agent({ agentId: 'messenger-only', languages: ['pt'], skills: ['billing'], channels: ['messenger'] });
    await w.agent({ agentId: 'busy', languages: ['pt'], skills: ['billing'] }, 'online', '2025-01-01T00:00:00Z');
    await w.agent({ agentId: 'recent', languages: ['pt'], skills: ['billing'] }, 'online', '2025-03-18T15:00:00Z');
    await w.agent({ agentId: 'idle', languages: ['pt'], skills: ['billing'] }, 'online', '2025-03-18T09:00:00Z');
    w.conversation('warm-up', { language: 'pt' });
    w.state.addAgent(B, 'busy', { presence: 'online', activeConversationKeys: ['elsewhere'], lastActivityAt: '2025-01-01T00:00:00Z' });
    w.conversation('p1', { language: 'pt' });
    w.conversation('p2', { language: 'pt' });
    w.conversation('p3', { language: 'pt' });
    await w.handoff('p1');
    await w.handoff('p2');
    await w.handoff('p3');
    expect((await w.routing('p1')).offeredAgentId).toBe('idle');
    expect((await w.routing('p2')).offeredAgentId).toBe('recent');
    // Both now hold one, as does "busy": the longest idle of the three is "busy".
    expect((await w.routing('p3')).offeredAgentId).toBe('busy');
  });

  it('is idempotent under redelivery: the same handoff queues and offers nothing again', async () => {
    const w = routingWorld();
    w.conversation('c1');
    await w.agent({ agentId: 'ana' });
    const requestedAt = '2025-03-18T15:59:00.000Z';
    await w.handoff('c1', { requestedAt });
    const first = await w.routing('c1');
    const eventsBefore = w.events.length;
    await w.handoff('c1', { requestedAt });
    await w.handoff('c1', { requestedAt: '2025-03-18T15:58:00.000Z' }); // an older one, late
    expect(await w.routing('c1')).toEqual(first);
    expect(w.events.length).toBe(eventsBefore);
    expect(await w.loadOf('ana')).toEqual(['c1']);
  });

  it('a conversation of another business is not found', async () => {
    const w = routingWorld();
    w.conversation('c1');
    await w.handoff('c1');
    expect(await w.engine.acceptOffer('other-biz', 'ana', 'c1')).toMatchObject({ ok: false, refusal: 'not_found' });
    expect(await w.engine.transfer('other-biz', 'c1', { queueId: 'default' }, { id: 'sup', kind: 'supervisor' })).toMatchObject({
      ok: false,
      refusal: 'not_found',
    });
    expect(await w.engine.routeHandoff({ businessId: 'other-biz', conversationKey: 'c1', reason: 'x', requestedAt: '2030-01-01T00:00:00Z' })).toMatchObject({
      ok: false,
      refusal: 'not_found',
    });
  });
});

describe('offers', () => {
  it('decline → offered to someone else, never again to the decliner', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana' }, 'online', '2025-01-01T00:00:00Z');
    await w.agent({ agentId: 'beto' }, 'online', '2025-01-02T00:00:00Z');
    w.conversation('c1');
    await w.handoff('c1');
    expect((await w.routing('c1')).offeredAgentId).toBe('ana');
    const declined = await w.engine.declineOffer(B, 'ana', 'c1');
    expect(declined).toMatchObject({ ok: true, value: { routingStatus: 'offered', offeredAgentId: 'beto', declinedBy: ['ana'] } });
    expect(await w.loadOf('ana')).toEqual([]);
    expect(await w.engine.declineOffer(B, 'ana', 'c1')).toMatchObject({ ok: true }); // repeated
    await w.engine.declineOffer(B, 'beto', 'c1');
    const r = await w.routing('c1');
    expect(r).toMatchObject({ routingStatus: 'queued', declinedBy: ['ana', 'beto'] });
    await w.engine.dispatch(B);
    expect((await w.routing('c1')).routingStatus).toBe('queued');
    expect(w.types()).toContain(DETAIL_TYPE.conversationOfferWithdrawn);
  });

  it('accept → assigned; only the agent offered may accept; a second accept is the same answer', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana' });
    await w.agent({ agentId: 'beto', maxConcurrent: 1 }, 'offline');
    w.conversation('c1');
    await w.handoff('c1');
    expect(await w.engine.acceptOffer(B, 'beto', 'c1')).toMatchObject({ ok: false, refusal: 'not_offered_to_you' });
    expect(await w.engine.acceptOffer(B, 'ana', 'c1')).toMatchObject({ ok: true, value: { routingStatus: 'assigned', assignedAgentId: 'ana' } });
    expect(await w.engine.acceptOffer(B, 'ana', 'c1')).toMatchObject({ ok: true, value: { routingStatus: 'assigned' } });
    expect(await w.loadOf('ana')).toEqual(['c1']);
  });

  it('an offer not accepted in time goes to someone else; a late or repeated timer does nothing', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana' }, 'online', '2025-01-01T00:00:00Z');
    await w.agent({ agentId: 'beto' }, 'online', '2025-01-02T00:00:00Z');
    w.conversation('c1');
    await w.handoff('c1');
    const expiry = w.timers.find((t) => t.kind === 'offer_expiry')!;
    w.advance(61);
    await w.engine.onTimer(expiry);
    await w.engine.onTimer(expiry);
    const r = await w.routing('c1');
    expect(r).toMatchObject({ routingStatus: 'offered', offeredAgentId: 'beto', declinedBy: ['ana'] });
    expect(await w.loadOf('ana')).toEqual([]);
    expect(await w.loadOf('beto')).toEqual(['c1']);
  });

  it('going offline withdraws pending offers (re-offered to others) and keeps assigned ones; online dispatches', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana', maxConcurrent: 2 }, 'online', '2025-01-01T00:00:00Z');
    w.conversation('c1');
    w.conversation('c2');
    await w.handoff('c1');
    await w.handoff('c2');
    await w.engine.acceptOffer(B, 'ana', 'c1');
    await w.agent({ agentId: 'beto' }, 'offline');
    const out = await w.engine.setPresence(B, 'ana', 'offline');
    expect(out).toMatchObject({ ok: true, value: { presence: 'offline', activeConversationKeys: ['c1'] } });
    expect(await w.routing('c2')).toMatchObject({ routingStatus: 'queued', declinedBy: [] });
    expect(w.types()).toContain(DETAIL_TYPE.agentPresenceChanged);
    await w.engine.setPresence(B, 'beto', 'online');
    expect((await w.routing('c2')).offeredAgentId).toBe('beto');
    expect(await w.engine.setPresence(B, 'nobody', 'online')).toMatchObject({ ok: false, refusal: 'agent_not_found' });
  });

  it('never offers past capacity', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana', maxConcurrent: 2 });
    for (const key of ['a', 'b', 'c']) {
      w.conversation(key);
      await w.handoff(key);
    }
    await w.engine.dispatch(B);
    expect((await w.loadOf('ana')).length).toBe(2);
    expect((await w.routing('c')).routingStatus).toBe('queued');
  });
});

describe('transfer and release', () => {
  it('to a queue frees the agent; to an agent checks capacity; an agent transfers only their own', async () => {
    const w = routingWorld();
    await w.queue({ queueId: 'tier2' });
    await w.agent({ agentId: 'ana' }, 'online', '2025-01-01T00:00:00Z');
    await w.agent({ agentId: 'beto', maxConcurrent: 1 }, 'offline');
    w.conversation('c1');
    w.conversation('c2');
    await w.handoff('c1');
    await w.engine.acceptOffer(B, 'ana', 'c1');
    expect(await w.engine.transfer(B, 'c1', { queueId: 'tier2' }, { id: 'beto', kind: 'agent' })).toMatchObject({ ok: false, refusal: 'not_assigned_to_you' });
    expect(await w.engine.transfer(B, 'c1', { queueId: 'nope' }, { id: 'sup', kind: 'supervisor' })).toMatchObject({ ok: false, refusal: 'queue_not_found' });
    expect(await w.engine.transfer(B, 'c1', { agentId: 'beto' }, { id: 'sup', kind: 'supervisor' })).toMatchObject({
      ok: false,
      refusal: 'agent_not_available',
    });

    const moved = await w.engine.transfer(B, 'c1', { queueId: 'tier2' }, { id: 'ana', kind: 'agent' });
    // Ana gave it away: it waits in tier2 (she is not offered it again).
    expect(moved).toMatchObject({ ok: true, value: { routingStatus: 'queued', queueId: 'tier2', transfers: 1, declinedBy: ['ana'] } });
    expect(await w.loadOf('ana')).toEqual([]);

    await w.engine.setPresence(B, 'beto', 'online');
    expect((await w.routing('c1')).offeredAgentId).toBe('beto');
    await w.handoff('c2');
    expect(await w.engine.transfer(B, 'c2', { agentId: 'beto' }, { id: 'sup', kind: 'supervisor' })).toMatchObject({ ok: false, refusal: 'agent_at_capacity' });
    const assigned = await w.engine.transfer(B, 'c2', { agentId: 'ana' }, { id: 'sup', kind: 'supervisor' });
    expect(assigned).toMatchObject({ ok: true, value: { routingStatus: 'assigned', assignedAgentId: 'ana' } });
    expect(await w.loadOf('ana')).toEqual(['c2']);
  });

  it('release on close frees capacity, keeps the assignee, and offers the next; release twice is harmless', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana', maxConcurrent: 1 });
    w.conversation('c1');
    w.conversation('c2');
    await w.handoff('c1');
    await w.handoff('c2');
    await w.engine.acceptOffer(B, 'ana', 'c1');
    await w.engine.recordHumanResponse(B, 'c1', '2025-03-18T16:00:30.000Z');
    await w.engine.recordHumanResponse(B, 'c1', '2025-03-18T16:05:00.000Z');
    await w.engine.release(B, 'c1', { closed: 'resolved' }, '2025-03-18T16:10:00.000Z');
    await w.engine.release(B, 'c1', { closed: 'resolved' }, '2025-03-18T16:11:00.000Z');
    expect(await w.routing('c1')).toMatchObject({
      routingStatus: 'closed',
      closeOutcome: 'resolved',
      assignedAgentId: 'ana',
      firstHumanResponseAt: '2025-03-18T16:00:30.000Z',
      closedAt: '2025-03-18T16:10:00.000Z',
    });
    expect((await w.routing('c2')).offeredAgentId).toBe('ana');
    await w.engine.release(B, 'c2', { handedBack: true }, w.now().toISOString());
    expect((await w.routing('c2')).routingStatus).toBeUndefined();
    expect(await w.loadOf('ana')).toEqual([]);
    // A new handoff after the hand-back queues again.
    await w.handoff('c2');
    expect((await w.routing('c2')).routingStatus).toBe('offered');
  });
});

describe('hours and SLA', () => {
  const hours = { timezone: 'America/Mexico_City', weekly: { tue: [{ from: '09:00', to: '18:00' }], wed: [{ from: '09:00', to: '18:00' }] }, holidays: [] };

  it('out of hours: waits, schedules the opening, tells the customer once in their language; offered when the queue opens', async () => {
    const w = routingWorld('2025-03-19T02:00:00.000Z'); // Tuesday 20:00 in Mexico City
    await w.queue({ queueId: 'day', hours });
    await w.rules({ defaultQueueId: 'day', rules: [] });
    await w.agent({ agentId: 'ana', languages: ['es', 'pt'] });
    w.conversation('c1', { language: 'pt' });
    const requestedAt = '2025-03-19T01:59:00.000Z';
    await w.handoff('c1', { requestedAt });
    await w.handoff('c1', { requestedAt });
    expect((await w.routing('c1')).routingStatus).toBe('queued');
    const opening = w.timers.filter((t) => t.kind === 'queue_open');
    expect(opening[0]).toMatchObject({ queueId: 'day', dueAt: '2025-03-19T15:00:00.000Z' });
    const notices = w.state.notices('c1');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.language).toBe('pt');
    expect(notices[0]!.text).toContain('Uma pessoa vai te responder');
    expect(notices[0]!.text).toContain('09:00');
    expect(
      w.events
        .filter((e) => e.detailType === DETAIL_TYPE.replyRequested)
        .every((e) => (e.detail as { outboundId: string }).outboundId === notices[0]!.outboundId),
    ).toBe(true);
    // SLA counts open time only: 600 s from the opening.
    expect((await w.routing('c1')).slaFirstResponseDueAt).toBe('2025-03-19T15:10:00.000Z');

    w.setClock('2025-03-19T14:59:59.000Z');
    await w.engine.onTimer(opening[0]!); // early: waits for the opening again
    expect((await w.routing('c1')).routingStatus).toBe('queued');
    expect(w.timers.filter((t) => t.kind === 'queue_open')).toHaveLength(3);
    w.setClock('2025-03-19T15:00:00.000Z');
    await w.engine.onTimer(opening[0]!);
    expect((await w.routing('c1')).offeredAgentId).toBe('ana');
  });

  it('no notice when the bot already said it is out of hours', async () => {
    const w = routingWorld('2025-03-19T02:00:00.000Z');
    await w.queue({ queueId: 'day', hours });
    await w.rules({ defaultQueueId: 'day', rules: [] });
    w.conversation('c1');
    w.state.addOutbound('c1', 'out_bot', 'out_of_hours');
    await w.handoff('c1', { outboundId: 'out_bot' });
    expect(w.state.notices()).toHaveLength(0);
    expect(w.timers.some((t) => t.kind === 'queue_open')).toBe(true);
  });

  it('warning then breach of first response: priority raised, overflowed to another queue, each once', async () => {
    const w = routingWorld();
    await w.queue({ queueId: 'overflow', priority: 10 });
    await w.queue({ queueId: 'main', sla: { firstResponseSeconds: 100, warnAtShare: 0.5 }, overflowQueueId: 'overflow' });
    await w.rules({ defaultQueueId: 'main', rules: [] });
    w.conversation('c1');
    await w.handoff('c1');
    const warn = w.timers.find((t) => t.kind === 'sla_warning')!;
    const breach = w.timers.find((t) => t.kind === 'sla_breach')!;
    w.advance(50);
    await w.engine.onTimer(warn);
    await w.engine.onTimer(warn);
    expect(await w.routing('c1')).toMatchObject({ slaState: 'warning', queueId: 'main', routingPriority: PRIORITY.normal });
    w.advance(50);
    await w.engine.onTimer(breach);
    await w.engine.onTimer(breach);
    await w.engine.onTimer(warn); // late warning after the breach: nothing
    expect(await w.routing('c1')).toMatchObject({
      slaState: 'breached',
      queueId: 'overflow',
      routingPriority: PRIORITY.breached,
      routingStatus: 'queued',
      transfers: 1,
    });
    expect(w.types().filter((t) => t === DETAIL_TYPE.slaWarning)).toHaveLength(1);
    expect(w.types().filter((t) => t === DETAIL_TYPE.slaBreached)).toHaveLength(1);
    const breached = w.events.find((e) => e.detailType === DETAIL_TYPE.slaBreached)!;
    expect(breached.detail).toMatchObject({ businessId: B, conversationKey: 'c1', target: 'first_response', priority: PRIORITY.breached });
  });

  it('an answered conversation, or a later handoff, ignores the earlier timers', async () => {
    const w = routingWorld();
    await w.agent({ agentId: 'ana' });
    w.conversation('c1');
    await w.handoff('c1');
    const breach = w.timers.find((t) => t.kind === 'sla_breach')!;
    await w.engine.acceptOffer(B, 'ana', 'c1');
    await w.engine.recordHumanResponse(B, 'c1', w.now().toISOString());
    await w.engine.onTimer(breach);
    expect((await w.routing('c1')).slaState).toBe('ok');
    await w.engine.release(B, 'c1', { handedBack: true }, w.now().toISOString());
    w.advance(5);
    await w.handoff('c1');
    await w.engine.onTimer(breach);
    expect((await w.routing('c1')).slaState).toBe('ok');
    expect(w.types()).not.toContain(DETAIL_TYPE.slaBreached);
  });
});
