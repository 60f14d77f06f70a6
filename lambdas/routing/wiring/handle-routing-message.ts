import type { RoutingEngine, RoutingRefusal, TimerScheduler } from '#lambdas/routing/routing-ports';
import { timerDelaySeconds } from '#lambdas/routing/wiring/sqs-timer-scheduler';
import type { RoutingWork } from '#lambdas/routing/wiring/routing-message';
import { RoutingRetryError } from '#lambdas/routing/errors';

/** A reply's author as the outbound Message item records it. */
export interface ReplyAuthor {
  /** The person who wrote it (absent: the bot, a campaign or a template sent by a backend). */
  agentId?: string;
  replyKind?: string;
  createdAt?: string;
}

export interface RoutingMessageDeps {
  engine: RoutingEngine;
  /** The business of a channel account, from the registry (undefined: not registered). */
  businessOfAccount(accountId: string): Promise<string | undefined>;
  replyAuthor(conversationKey: string, outboundId: string): Promise<ReplyAuthor | undefined>;
  scheduler: TimerScheduler;
  now?: () => Date;
}

export type RoutingMessageOutcome =
  | { outcome: 'invalid'; what: string; issues: string[] }
  | { outcome: 'ignored'; detailType: string }
  | { outcome: 'unknown_account' }
  | { outcome: 'timer_fired'; businessId: string; timer: string }
  | { outcome: 'timer_not_due'; businessId: string; timer: string; delaySeconds: number }
  | { outcome: 'routed'; businessId: string }
  | { outcome: 'not_routed'; businessId: string; refusal: RoutingRefusal }
  | { outcome: 'released'; businessId: string }
  | { outcome: 'human_response'; businessId: string }
  | { outcome: 'not_a_person'; businessId: string }
  | { outcome: 'dispatched'; businessId: string; offered: number };

/** A timer arriving this close to its due time fires (SQS never delivers early, clocks differ a little). */
const DUE_TOLERANCE_MS = 1000;

/** Whether an outbound message is a person's answer to the customer (the CSAT question is not one). */
export function isPersonsReply(author: ReplyAuthor | undefined): boolean {
  return typeof author?.agentId === 'string' && author.agentId.length > 0 && author.replyKind !== 'csat_question';
}

/**
 * One message of the routing queue → the engine call it asks for. The business of a conversation
 * is the registry's owner of the account the event names (never a field of the event). A timer
 * that is not yet due goes back to the queue with the remaining delay (SQS holds a message back at
 * most 15 minutes); a due one is the engine's, which checks state so repeats do nothing.
 */
export async function handleRoutingMessage(work: RoutingWork, deps: RoutingMessageDeps): Promise<RoutingMessageOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  switch (work.kind) {
    case 'invalid':
      return { outcome: 'invalid', what: work.what, issues: work.issues };
    case 'ignored':
      return { outcome: 'ignored', detailType: work.detailType };
    case 'timer': {
      const { timer } = work;
      if (Date.parse(timer.dueAt) - now.getTime() > DUE_TOLERANCE_MS) {
        await deps.scheduler.schedule(timer);
        return { outcome: 'timer_not_due', businessId: timer.businessId, timer: timer.kind, delaySeconds: timerDelaySeconds(timer.dueAt, now) };
      }
      await deps.engine.onTimer(timer);
      return { outcome: 'timer_fired', businessId: timer.businessId, timer: timer.kind };
    }
    case 'presence': {
      const scope = work.presence === 'online' ? { agentId: work.agentId } : undefined;
      const { offered } = await deps.engine.dispatch(work.businessId, scope);
      return { outcome: 'dispatched', businessId: work.businessId, offered };
    }
    case 'routing_changed': {
      const { offered } = await deps.engine.dispatch(work.businessId);
      return { outcome: 'dispatched', businessId: work.businessId, offered };
    }
  }
  const businessId = await deps.businessOfAccount(work.accountId);
  if (!businessId) return { outcome: 'unknown_account' };
  switch (work.kind) {
    case 'handoff': {
      const result = await deps.engine.routeHandoff({
        businessId,
        conversationKey: work.conversationKey,
        reason: work.reason,
        requestedAt: work.requestedAt,
        ...(work.outboundId ? { outboundId: work.outboundId } : {}),
      });
      if (result.ok) return { outcome: 'routed', businessId };
      if (result.refusal === 'changed_meanwhile') throw new RoutingRetryError(`handoff not routed: ${result.refusal}`);
      return { outcome: 'not_routed', businessId, refusal: result.refusal };
    }
    case 'release':
      await deps.engine.release(businessId, work.conversationKey, work.how, work.at);
      return { outcome: 'released', businessId };
    case 'reply': {
      const author = await deps.replyAuthor(work.conversationKey, work.outboundId);
      if (!isPersonsReply(author)) return { outcome: 'not_a_person', businessId };
      await deps.engine.recordHumanResponse(businessId, work.conversationKey, author?.createdAt ?? now.toISOString());
      return { outcome: 'human_response', businessId };
    }
  }
}
