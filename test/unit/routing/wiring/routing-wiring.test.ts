import { readdirSync, readFileSync } from 'node:fs';
import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { RoutingEngine, RoutingTimer } from '#lambdas/routing/routing-ports';
import { handleRoutingMessage, isPersonsReply, type RoutingMessageDeps } from '#lambdas/routing/wiring/handle-routing-message';
import { routingWorkOf } from '#lambdas/routing/wiring/routing-message';
import { countingPublisher } from '#lambdas/routing/wiring/routing-metrics';
import { MAX_SQS_DELAY_SECONDS, sqsTimerScheduler, timerDelaySeconds } from '#lambdas/routing/wiring/sqs-timer-scheduler';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { METRIC } from '#lambdas/shared/metric-names';
import { RoutingRetryError } from '#lambdas/routing/errors';

const NOW = new Date('2026-03-02T15:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const envelope = (source: string, detailType: string, detail: unknown) => JSON.stringify({ source, 'detail-type': detailType, detail });
const slaTimer = (dueAt: string): RoutingTimer => ({
  kind: 'sla_breach',
  target: 'first_response',
  businessId: 'b1',
  conversationKey: 'wa:100:5215550001',
  routingVersion: 3,
  dueAt,
});

function fakeEngine(overrides: Partial<RoutingEngine> = {}) {
  const calls: Array<[string, ...unknown[]]> = [];
  const record =
    (name: string, answer: unknown) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return answer;
    };
  const engine = {
    routeHandoff: record('routeHandoff', { ok: true, value: {} }),
    dispatch: record('dispatch', { offered: 2 }),
    setPresence: record('setPresence', { ok: true, value: {} }),
    acceptOffer: record('acceptOffer', { ok: true, value: {} }),
    declineOffer: record('declineOffer', { ok: true, value: {} }),
    transfer: record('transfer', { ok: true, value: {} }),
    recordHumanResponse: record('recordHumanResponse', undefined),
    release: record('release', undefined),
    onTimer: record('onTimer', undefined),
    ...overrides,
  } as RoutingEngine;
  return { engine, calls };
}

function depsWith(engine: RoutingEngine, extra: Partial<RoutingMessageDeps> = {}) {
  const scheduled: RoutingTimer[] = [];
  const deps: RoutingMessageDeps = {
    engine,
    businessOfAccount: async (accountId) => (accountId === '100' ? 'b1' : undefined),
    replyAuthor: async () => undefined,
    scheduler: { schedule: async (t) => void scheduled.push(t) },
    now: () => NOW,
    ...extra,
  };
  return { deps, scheduled };
}

describe('routing timers as delayed SQS messages', () => {
  it('holds a timer back until it is due, at most 15 minutes, never negative', () => {
    expect(timerDelaySeconds(at(30), NOW)).toBe(30);
    expect(timerDelaySeconds(at(29.2), NOW)).toBe(30);
    expect(timerDelaySeconds(at(3600), NOW)).toBe(MAX_SQS_DELAY_SECONDS);
    expect(timerDelaySeconds(at(-60), NOW)).toBe(0);
    expect(timerDelaySeconds('not a time', NOW)).toBe(0);
  });

  it('sends the timer to the routing queue with its delay', async () => {
    const sent: SendMessageCommand[] = [];
    const scheduler = sqsTimerScheduler({
      sqs: { send: async (c: unknown) => void sent.push(c as SendMessageCommand) } as never,
      queueUrl: 'https://q/routing',
      now: () => NOW,
    });
    await scheduler.schedule(slaTimer(at(120)));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input).toMatchObject({ QueueUrl: 'https://q/routing', DelaySeconds: 120 });
    expect(JSON.parse(sent[0]!.input.MessageBody!)).toEqual({ timer: slaTimer(at(120)) });
  });

  it('sends a timer that arrives early on again with the remaining delay, and does not fire it', async () => {
    const { engine, calls } = fakeEngine();
    const { deps, scheduled } = depsWith(engine);
    const timer = slaTimer(at(2000));
    const result = await handleRoutingMessage(routingWorkOf(JSON.stringify({ timer })), deps);
    expect(result).toEqual({ outcome: 'timer_not_due', businessId: 'b1', timer: 'sla_breach', delaySeconds: MAX_SQS_DELAY_SECONDS });
    expect(scheduled).toEqual([timer]);
    expect(calls).toEqual([]);
  });

  it('hands a due timer to the engine (and a repeat again: the engine checks state)', async () => {
    const { engine, calls } = fakeEngine();
    const { deps, scheduled } = depsWith(engine);
    const body = JSON.stringify({ timer: slaTimer(at(0.5)) });
    expect(await handleRoutingMessage(routingWorkOf(body), deps)).toMatchObject({ outcome: 'timer_fired' });
    await handleRoutingMessage(routingWorkOf(body), deps);
    expect(calls).toEqual([
      ['onTimer', slaTimer(at(0.5))],
      ['onTimer', slaTimer(at(0.5))],
    ]);
    expect(scheduled).toEqual([]);
  });

  it('refuses a timer with hostile fields', () => {
    expect(routingWorkOf(JSON.stringify({ timer: { ...slaTimer(at(1)), businessId: 'x'.repeat(500) } }))).toMatchObject({ kind: 'invalid' });
    expect(routingWorkOf(JSON.stringify({ timer: { ...slaTimer(at(1)), extra: 1 } }))).toMatchObject({ kind: 'invalid' });
    expect(routingWorkOf(JSON.stringify({ timer: { kind: 'queue_open', businessId: 'b1', queueId: '../x', dueAt: at(1) } }))).toMatchObject({
      kind: 'invalid',
    });
  });
});

describe('routing events → engine calls', () => {
  const handoff = { v: 1, conversationKey: 'wa:100:5215550001', channel: 'whatsapp', accountId: '100', reason: 'customer_request', requestedAt: at(-5) };

  it('routes a handoff in the business the registry names for the account', async () => {
    const { engine, calls } = fakeEngine();
    const { deps } = depsWith(engine);
    const result = await handleRoutingMessage(
      routingWorkOf(envelope(EVENT_SOURCE.agent, DETAIL_TYPE.conversationHandoffRequested, { ...handoff, businessId: 'someone-else' })),
      deps,
    );
    expect(result).toEqual({ outcome: 'routed', businessId: 'b1' });
    expect(calls).toEqual([
      ['routeHandoff', { businessId: 'b1', conversationKey: handoff.conversationKey, reason: 'customer_request', requestedAt: handoff.requestedAt }],
    ]);
  });

  it('consumes events of an account nobody registered, and keys naming another account', async () => {
    const { engine, calls } = fakeEngine();
    const { deps } = depsWith(engine);
    expect(
      await handleRoutingMessage(
        routingWorkOf(envelope(EVENT_SOURCE.agent, DETAIL_TYPE.conversationHandoffRequested, { ...handoff, accountId: '999', conversationKey: 'wa:999:1' })),
        deps,
      ),
    ).toEqual({ outcome: 'unknown_account' });
    expect(
      routingWorkOf(envelope(EVENT_SOURCE.agent, DETAIL_TYPE.conversationHandoffRequested, { ...handoff, conversationKey: 'wa:200:5215550001' })),
    ).toMatchObject({ kind: 'invalid' });
    expect(routingWorkOf(envelope(EVENT_SOURCE.agent, DETAIL_TYPE.conversationHandoffRequested, { ...handoff, reason: 'r'.repeat(65) }))).toMatchObject({
      kind: 'invalid',
    });
    expect(routingWorkOf('{not json')).toMatchObject({ kind: 'invalid' });
    expect(routingWorkOf('x'.repeat(300_000))).toMatchObject({ kind: 'invalid' });
    expect(calls).toEqual([]);
  });

  it('retries a handoff the engine found changed meanwhile; consumes other refusals', async () => {
    const refusing = (refusal: string) => fakeEngine({ routeHandoff: async () => ({ ok: false, refusal, message: 'no' }) as never }).engine;
    const body = envelope(EVENT_SOURCE.agent, DETAIL_TYPE.conversationHandoffRequested, handoff);
    await expect(handleRoutingMessage(routingWorkOf(body), depsWith(refusing('changed_meanwhile')).deps)).rejects.toBeInstanceOf(RoutingRetryError);
    expect(await handleRoutingMessage(routingWorkOf(body), depsWith(refusing('queue_not_found')).deps)).toEqual({
      outcome: 'not_routed',
      businessId: 'b1',
      refusal: 'queue_not_found',
    });
  });

  it('releases on close (with the outcome) and on hand-back', async () => {
    const { engine, calls } = fakeEngine();
    const { deps } = depsWith(engine);
    const base = { v: 1, conversationKey: 'wa:100:5215550001', channel: 'whatsapp', accountId: '100' };
    await handleRoutingMessage(
      routingWorkOf(envelope(EVENT_SOURCE.humanAgent, DETAIL_TYPE.conversationClosed, { ...base, closedAt: at(0), outcome: 'resolved' })),
      deps,
    );
    await handleRoutingMessage(routingWorkOf(envelope(EVENT_SOURCE.humanAgent, DETAIL_TYPE.conversationClosed, { ...base, closedAt: at(1) })), deps);
    await handleRoutingMessage(routingWorkOf(envelope(EVENT_SOURCE.humanAgent, DETAIL_TYPE.conversationHandedBack, { ...base, handedBackAt: at(2) })), deps);
    expect(calls).toEqual([
      ['release', 'b1', base.conversationKey, { closed: 'resolved' }, at(0)],
      ['release', 'b1', base.conversationKey, { closed: 'closed' }, at(1)],
      ['release', 'b1', base.conversationKey, { handedBack: true }, at(2)],
    ]);
  });

  it("stops the first-response clock on a person's reply only", async () => {
    const authors: Record<string, { agentId?: string; replyKind?: string; createdAt?: string }> = {
      out_h_1: { agentId: 'ana', replyKind: 'human_reply', createdAt: at(-1) },
      out_csat_1: { agentId: 'ana', replyKind: 'csat_question' },
      out_t_1: {},
    };
    const { engine, calls } = fakeEngine();
    const { deps } = depsWith(engine, { replyAuthor: async (_k, id) => authors[id] });
    const reply = (source: string, outboundId: string) =>
      handleRoutingMessage(
        routingWorkOf(
          envelope(source, DETAIL_TYPE.replyRequested, { v: 1, conversationKey: 'wa:100:5215550001', outboundId, channel: 'whatsapp', accountId: '100' }),
        ),
        deps,
      );
    expect(await reply(EVENT_SOURCE.humanAgent, 'out_h_1')).toEqual({ outcome: 'human_response', businessId: 'b1' });
    expect(await reply(EVENT_SOURCE.humanAgent, 'out_csat_1')).toEqual({ outcome: 'not_a_person', businessId: 'b1' });
    expect(await reply(EVENT_SOURCE.templates, 'out_t_1')).toEqual({ outcome: 'not_a_person', businessId: 'b1' });
    expect(await reply(EVENT_SOURCE.agent, 'out_h_1')).toEqual({ outcome: 'ignored', detailType: DETAIL_TYPE.replyRequested });
    expect(calls).toEqual([['recordHumanResponse', 'b1', 'wa:100:5215550001', at(-1)]]);
    expect(isPersonsReply(undefined)).toBe(false);
  });

  it('dispatches on presence and configuration changes', async () => {
    const { engine, calls } = fakeEngine();
    const { deps } = depsWith(engine);
    await handleRoutingMessage(
      routingWorkOf(envelope(EVENT_SOURCE.routing, DETAIL_TYPE.agentPresenceChanged, { v: 1, businessId: 'b1', agentId: 'ana', presence: 'online' })),
      deps,
    );
    await handleRoutingMessage(
      routingWorkOf(envelope(EVENT_SOURCE.routing, DETAIL_TYPE.agentPresenceChanged, { v: 1, businessId: 'b1', agentId: 'ana', presence: 'offline' })),
      deps,
    );
    expect(await handleRoutingMessage(routingWorkOf(envelope(EVENT_SOURCE.routing, DETAIL_TYPE.routingChanged, { v: 1, businessId: 'b1' })), deps)).toEqual({
      outcome: 'dispatched',
      businessId: 'b1',
      offered: 2,
    });
    expect(calls).toEqual([
      ['dispatch', 'b1', { agentId: 'ana' }],
      ['dispatch', 'b1', undefined],
      ['dispatch', 'b1'],
    ]);
  });
});

describe('routing counts', () => {
  const event = (source: string, detailType: string): DomainEvent => ({ source, detailType, detail: {} });

  it('counts the routing events published, once each, and nothing when publishing failed', async () => {
    const counted: string[] = [];
    const publisher = countingPublisher({ publish: async () => undefined }, (m) => counted.push(m));
    await publisher.publish([
      event(EVENT_SOURCE.routing, DETAIL_TYPE.conversationQueued),
      event(EVENT_SOURCE.routing, DETAIL_TYPE.slaBreached),
      event(EVENT_SOURCE.routing, DETAIL_TYPE.agentPresenceChanged),
      event(EVENT_SOURCE.humanAgent, DETAIL_TYPE.conversationQueued),
    ]);
    expect(counted).toEqual([METRIC.conversationsQueued, METRIC.slaBreaches]);
    const failing = countingPublisher({ publish: vi.fn().mockRejectedValue(new Error('down')) }, (m) => counted.push(m));
    await expect(failing.publish([event(EVENT_SOURCE.routing, DETAIL_TYPE.slaWarning)])).rejects.toThrow('down');
    expect(counted).toHaveLength(2);
  });
});

describe('events/routing samples', () => {
  const dir = new URL('../../../../events/routing/', import.meta.url);
  const samples = readdirSync(dir).map(
    (f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { source: string; 'detail-type': string; detail: Record<string, unknown> },
  );

  it('has one sample per routing detail type, each an EventBridge envelope with ids only', () => {
    const routingTypes = [
      DETAIL_TYPE.conversationQueued,
      DETAIL_TYPE.conversationOffered,
      DETAIL_TYPE.conversationOfferWithdrawn,
      DETAIL_TYPE.conversationAssigned,
      DETAIL_TYPE.conversationTransferred,
      DETAIL_TYPE.conversationAnnotated,
      DETAIL_TYPE.agentPresenceChanged,
      DETAIL_TYPE.slaWarning,
      DETAIL_TYPE.slaBreached,
      DETAIL_TYPE.routingChanged,
    ];
    expect(samples.map((s) => s['detail-type']).sort()).toEqual([...routingTypes].sort());
    for (const sample of samples) {
      expect(sample.detail['v'], sample['detail-type']).toBe(1);
      expect(sample.detail['businessId'], sample['detail-type']).toBe('demo-business');
      expect(JSON.stringify(sample.detail)).not.toMatch(/text|name/i);
    }
  });

  it('the samples the routing queue consumes read as the work they ask for', () => {
    const work = samples.map((s) => routingWorkOf(JSON.stringify(s)));
    expect(work.filter((w) => w.kind === 'invalid')).toEqual([]);
    expect(work.filter((w) => w.kind === 'presence' || w.kind === 'routing_changed')).toHaveLength(2);
  });
});
