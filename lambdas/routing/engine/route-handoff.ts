import { dispatch } from '#lambdas/routing/engine/dispatch-queue';
import { DECISION_ATTEMPTS, findQueue, loadWorld, ok, refuse, routingEvent, type EngineDeps } from '#lambdas/routing/engine/engine-context';
import { buildHandoffContext } from '#lambdas/routing/engine/handoff-context';
import type { HandoffConversation } from '#lambdas/routing/engine/handoff-sources';
import { implicitDefaultQueue, matchRoutingRule } from '#lambdas/routing/engine/match-routing-rule';
import { noticeLanguage, outOfHoursNoticeText } from '#lambdas/routing/engine/out-of-hours-notice';
import { isOpen, nextOpening } from '#lambdas/routing/engine/queue-calendar';
import type { StoredRouting } from '#lambdas/routing/engine/routing-state-store';
import { inRouting, queuedForHandoff } from '#lambdas/routing/engine/routing-transitions';
import { scheduleSlaTimers, slaDueTimes } from '#lambdas/routing/engine/sla-timers';
import { replyRequestedEvent } from '#lambdas/outbound/reply-requested';
import type { RoutingResult } from '#lambdas/routing/routing-ports';
import type { ConversationRouting, RoutingQueue } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { sha256Hex } from '#lambdas/shared/hash';

export interface HandoffInput {
  businessId: string;
  conversationKey: string;
  reason: string;
  requestedAt: string;
  outboundId?: string;
}

/** Tags a conversation carries at most (the workspace's cap too). */
const MAX_TAGS = 50;
/** Reply kinds of a bot acknowledgement that already told the customer the team is away. */
const AWAY_REPLY_KINDS = new Set(['out_of_hours', 'queue_out_of_hours']);
/** A free-form notice needs the customer to have written within the last day. */
const NOTICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * A handoff: the rules choose queue and priority, the handoff context is kept, the conversation
 * waits with its SLA timers, the customer hears when a person will answer if the queue is closed,
 * and waiting conversations are offered. A redelivered (or older) handoff queues nothing again; a
 * conversation already with the people stays where it is.
 */
export async function routeHandoff(deps: EngineDeps, input: HandoffInput): Promise<RoutingResult<ConversationRouting>> {
  const conversation = await deps.sources.readConversation(input.conversationKey);
  if (!conversation) return refuse('not_found', 'No such conversation');
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const current = await deps.state.getRouting(input.conversationKey);
    if (!current) return refuse('not_found', 'No such conversation');
    if (current.businessId && current.businessId !== input.businessId) return refuse('not_found', 'No such conversation');
    const world = await loadWorld(deps, input.businessId);
    const seen = current.routingHandoffAt !== undefined && input.requestedAt <= current.routingHandoffAt;
    // Asked for before a person last closed the conversation: that close served it (the event only
    // arrived late, behind a crash or a busy queue); queuing it now would hold an agent's place
    // for a conversation nobody is waiting on.
    const servedByClose = current.routingStatus === 'closed' && current.closedAt !== undefined && input.requestedAt <= current.closedAt;
    if (seen || servedByClose || inRouting(current)) {
      // The same handoff again: finish what a crash may have left undone (notice, offers); queue nothing.
      if (current.routingHandoffAt === input.requestedAt && current.routingStatus === 'queued') {
        await afterQueued(deps, input, conversation, current, findQueue(world, current.queueId) ?? implicitDefaultQueue(input.businessId));
      }
      return ok(current);
    }

    const contactTags = await deps.config.contactTags(input.businessId, conversation.channel, conversation.customerId, conversation.accountId);
    const factsTags = [...new Set([...contactTags, ...current.tags])];
    const intent = conversation.lastFaqId ?? conversation.recentMessages.find((m) => m.direction === 'outbound' && m.faqId)?.faqId;
    const decision = matchRoutingRule(world.config.rules, {
      channel: conversation.channel,
      accountId: conversation.accountId,
      reason: input.reason,
      tags: factsTags,
      ...(conversation.language ? { language: conversation.language } : {}),
      ...(intent ? { intent } : {}),
    });
    const queue = findQueue(world, decision.queueId) ?? findQueue(world, world.config.rules?.defaultQueueId) ?? implicitDefaultQueue(input.businessId);
    const tags = [...new Set([...factsTags, ...decision.addTags])].sort().slice(0, MAX_TAGS);
    const now = deps.now();
    const at = now.toISOString();
    const due = slaDueTimes(queue, now);
    const next = queuedForHandoff(current, {
      businessId: input.businessId,
      queueId: queue.queueId,
      priority: decision.priority,
      tags,
      queuedAt: at,
      handoffAt: input.requestedAt,
      handoffContext: buildHandoffContext(conversation, input.reason, tags),
      ...(due.firstResponse ? { slaFirstResponseDueAt: due.firstResponse.toISOString() } : {}),
      ...(due.resolution ? { slaResolutionDueAt: due.resolution.toISOString() } : {}),
    });
    // Asked for before the write: a timer of a write that lost finds another version and does nothing.
    await scheduleSlaTimers(
      deps.scheduler,
      { businessId: input.businessId, conversationKey: input.conversationKey, routingVersion: next.routingHandoffVersion! },
      due,
    );
    const out = await deps.state.transition(current, next, [], at);
    if (!out.ok) continue;
    await deps.publisher.publish([
      routingEvent(DETAIL_TYPE.conversationQueued, out.routing, at, { reason: 'handoff', ...(decision.ruleId ? { by: decision.ruleId } : {}) }),
    ]);
    await afterQueued(deps, input, conversation, out.routing, queue);
    return ok((await deps.state.getRouting(input.conversationKey)) ?? out.routing);
  }
  return refuse('changed_meanwhile', 'The conversation changed meanwhile; try again');
}

/** An open queue offers now; a closed one wakes at its opening, and the customer is told when that is (once). */
async function afterQueued(
  deps: EngineDeps,
  input: HandoffInput,
  conversation: HandoffConversation,
  routing: StoredRouting,
  queue: RoutingQueue,
): Promise<void> {
  const now = deps.now();
  if (isOpen(queue.hours, now)) {
    await dispatch(deps, input.businessId, { queueId: queue.queueId });
    return;
  }
  const opens = nextOpening(queue.hours, now);
  if (!opens || !queue.hours) return;
  await deps.scheduler.schedule({ kind: 'queue_open', businessId: input.businessId, queueId: queue.queueId, dueAt: opens.toISOString() });
  if (input.outboundId && AWAY_REPLY_KINDS.has((await deps.sources.outboundReplyKind(input.conversationKey, input.outboundId)) ?? '')) return;
  if (!conversation.lastInboundAt || now.getTime() - Date.parse(conversation.lastInboundAt) > NOTICE_WINDOW_MS) return;
  const language = noticeLanguage(conversation.language);
  // One notice per handoff: its id comes from the handoff, and the item is written only if absent.
  const outboundId = `out_route_${sha256Hex(`${input.conversationKey}|${routing.routingHandoffAt ?? input.requestedAt}`).slice(0, 32)}`;
  await deps.sources.writeNotice(conversation, {
    outboundId,
    text: outOfHoursNoticeText(language, opens, queue.hours.timezone),
    language,
    at: now.toISOString(),
  });
  // Requested again after a crash or redelivery: the sender sends an outbound id at most once.
  await deps.publisher.publish([
    replyRequestedEvent(EVENT_SOURCE.routing, {
      conversationKey: input.conversationKey,
      outboundId,
      channel: conversation.channel,
      accountId: conversation.accountId,
    }),
  ]);
}
