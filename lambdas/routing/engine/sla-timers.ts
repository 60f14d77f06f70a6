import { dispatch } from '#lambdas/routing/engine/dispatch-queue';
import { DECISION_ATTEMPTS, findQueue, loadWorld, readOwned, routingEvent, type EngineDeps } from '#lambdas/routing/engine/engine-context';
import { expireOffer } from '#lambdas/routing/engine/offers';
import { addOpenSeconds, isOpen, nextOpening } from '#lambdas/routing/engine/queue-calendar';
import type { StoredRouting } from '#lambdas/routing/engine/routing-state-store';
import { holder, inRouting, requeued } from '#lambdas/routing/engine/routing-transitions';
import type { RoutingTimer, TimerScheduler } from '#lambdas/routing/routing-ports';
import { PRIORITY, type RoutingQueue, type SlaState } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

/** SLA due times of a handoff queued at `from`, counted in the queue's open hours. */
export function slaDueTimes(
  queue: RoutingQueue,
  from: Date,
): { firstResponse?: Date; firstResponseWarning?: Date; resolution?: Date; resolutionWarning?: Date } {
  const share = queue.sla.warnAtShare ?? 0.8;
  const first = queue.sla.firstResponseSeconds;
  const resolution = queue.sla.resolutionSeconds;
  const due = (seconds: number) => addOpenSeconds(queue.hours, from, seconds);
  const out: ReturnType<typeof slaDueTimes> = {};
  const firstResponse = due(first);
  const firstResponseWarning = due(Math.floor(first * share));
  if (firstResponse) out.firstResponse = firstResponse;
  if (firstResponseWarning) out.firstResponseWarning = firstResponseWarning;
  if (resolution !== undefined) {
    const end = due(resolution);
    const warn = due(Math.floor(resolution * share));
    if (end) out.resolution = end;
    if (warn) out.resolutionWarning = warn;
  }
  return out;
}

/** The warning and breach timers of a handoff, carrying the version its queuing gives the conversation. */
export async function scheduleSlaTimers(
  scheduler: TimerScheduler,
  base: { businessId: string; conversationKey: string; routingVersion: number },
  due: ReturnType<typeof slaDueTimes>,
): Promise<void> {
  const timers: RoutingTimer[] = [];
  const add = (kind: 'sla_warning' | 'sla_breach', target: 'first_response' | 'resolution', at: Date | undefined) => {
    if (at) timers.push({ kind, target, ...base, dueAt: at.toISOString() });
  };
  add('sla_warning', 'first_response', due.firstResponseWarning);
  add('sla_breach', 'first_response', due.firstResponse);
  add('sla_warning', 'resolution', due.resolutionWarning);
  add('sla_breach', 'resolution', due.resolution);
  for (const timer of timers) await scheduler.schedule(timer);
}

const worst = (...states: Array<SlaState | undefined>): SlaState => (states.includes('breached') ? 'breached' : states.includes('warning') ? 'warning' : 'ok');

/** A timer fired. Every branch checks the state first, so a repeated or late timer does nothing. */
export async function onTimer(deps: EngineDeps, timer: RoutingTimer): Promise<void> {
  switch (timer.kind) {
    case 'offer_expiry':
      return expireOffer(deps, timer.businessId, timer.conversationKey, timer.offerId);
    case 'queue_open':
      return queueOpened(deps, timer.businessId, timer.queueId);
    case 'sla_warning':
    case 'sla_breach':
      return slaReached(deps, timer);
  }
}

async function queueOpened(deps: EngineDeps, businessId: string, queueId: string): Promise<void> {
  const world = await loadWorld(deps, businessId);
  const queue = findQueue(world, queueId);
  if (!queue) return;
  const now = deps.now();
  if (isOpen(queue.hours, now)) {
    await dispatch(deps, businessId, { queueId });
    return;
  }
  // Early, or the hours changed meanwhile (a holiday added): wait for the next opening.
  const opens = nextOpening(queue.hours, now);
  if (opens) await deps.scheduler.schedule({ kind: 'queue_open', businessId, queueId, dueAt: opens.toISOString() });
}

async function slaReached(deps: EngineDeps, timer: Extract<RoutingTimer, { kind: 'sla_warning' | 'sla_breach' }>): Promise<void> {
  const level = timer.kind === 'sla_warning' ? 'warning' : 'breached';
  const stateField = timer.target === 'first_response' ? 'slaFirstResponseState' : 'slaResolutionState';
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const current = await readOwned(deps, timer.businessId, timer.conversationKey);
    // Another handoff's timer, or the target is met: a person answered, or the conversation left the people.
    if (!current || current.routingHandoffVersion !== timer.routingVersion || !inRouting(current)) return;
    if (timer.target === 'first_response' && current.firstHumanResponseAt) return;
    const due = timer.target === 'first_response' ? current.slaFirstResponseDueAt : current.slaResolutionDueAt;
    if (!due || (timer.kind === 'sla_breach' && timer.dueAt !== due)) return;
    const already = current[stateField];
    if (already === 'breached' || already === level) return;

    const at = deps.now().toISOString();
    let next: StoredRouting = { ...current, [stateField]: level };
    next.slaState = worst(next.slaFirstResponseState, next.slaResolutionState);
    let overflowTo: RoutingQueue | undefined;
    const releasing = current.routingStatus === 'offered' ? holder(current) : undefined;
    if (level === 'breached' && timer.target === 'first_response') {
      next.routingPriority = Math.max(current.routingPriority ?? 0, PRIORITY.breached);
      const world = await loadWorld(deps, timer.businessId);
      const queue = findQueue(world, current.queueId);
      const overflow = findQueue(world, queue?.overflowQueueId);
      if (overflow && overflow.queueId !== current.queueId && (current.routingStatus === 'queued' || current.routingStatus === 'offered')) {
        overflowTo = overflow;
        next = requeued(next, { queueId: overflow.queueId, transferred: true });
      }
    }
    const out = await deps.state.transition(current, next, overflowTo && releasing ? [{ agentId: releasing, release: true }] : [], at);
    if (!out.ok) continue;
    await deps.publisher.publish([
      routingEvent(timer.kind === 'sla_warning' ? DETAIL_TYPE.slaWarning : DETAIL_TYPE.slaBreached, out.routing, at, {
        target: timer.target,
        agentId: holder(current),
        dueAt: timer.dueAt,
      }),
      ...(overflowTo
        ? [
            routingEvent(DETAIL_TYPE.conversationTransferred, out.routing, at, {
              fromQueueId: current.queueId,
              fromAgentId: releasing,
              by: 'system',
              reason: 'sla_overflow',
            }),
            routingEvent(DETAIL_TYPE.conversationQueued, out.routing, at, { reason: 'sla_overflow' }),
          ]
        : []),
    ]);
    if (out.routing.routingStatus === 'queued') await dispatch(deps, timer.businessId, { queueId: out.routing.queueId });
    return;
  }
}
