import * as z from 'zod';
import { replyRequestedDetailSchema } from '#lambdas/outbound/reply-requested';
import { CLOSE_OUTCOMES, PRESENCES, routingId } from '#lambdas/routing/routing-model';
import type { RoutingTimer } from '#lambdas/routing/routing-ports';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * What one message of the routing queue asks for. The queue carries two kinds of message: bus
 * events (the EventBridge envelope, delivered by the Routing rule) and the engine's own timers
 * (`{ timer }`, sent with a delay by sqs-timer-scheduler.ts). Every field is bounded: a message that
 * does not fit is consumed as invalid, never retried.
 */
const businessId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/);
const conversationKey = z.string().min(3).max(1000);
const accountId = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });

const timerSchema: z.ZodType<RoutingTimer> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offer_expiry'), businessId, conversationKey, offerId: z.string().min(1).max(200), dueAt: isoTime }),
  z.strictObject({
    kind: z.enum(['sla_warning', 'sla_breach']),
    target: z.enum(['first_response', 'resolution']),
    businessId,
    conversationKey,
    routingVersion: z.number().int().min(0).max(1_000_000_000),
    dueAt: isoTime,
  }),
  z.strictObject({ kind: z.literal('queue_open'), businessId, queueId: routingId, dueAt: isoTime }),
]);

const handoffSchema = z.looseObject({
  conversationKey,
  accountId,
  reason: z.string().min(1).max(64),
  requestedAt: isoTime,
  outboundId: z.string().min(1).max(200).optional(),
});
const closedSchema = z.looseObject({
  conversationKey,
  accountId,
  closedAt: isoTime,
  /** The outcome the person chose (the extended close); absent: plainly closed. */
  outcome: z.enum(CLOSE_OUTCOMES).optional(),
});
const handedBackSchema = z.looseObject({ conversationKey, accountId, handedBackAt: isoTime });
// `reply.requested`'s schema (zod/mini) with this consumer's tighter fields.
const replySchema = z.looseObject({ ...replyRequestedDetailSchema.shape, conversationKey, outboundId: z.string().min(1).max(200), accountId });
const presenceSchema = z.looseObject({ businessId, agentId: routingId, presence: z.enum(PRESENCES) });
const routingChangedSchema = z.looseObject({ businessId });

export type RoutingWork =
  | { kind: 'timer'; timer: RoutingTimer }
  | { kind: 'handoff'; conversationKey: string; accountId: string; reason: string; requestedAt: string; outboundId?: string }
  | {
      kind: 'release';
      conversationKey: string;
      accountId: string;
      how: { closed: (typeof CLOSE_OUTCOMES)[number] | 'closed' } | { handedBack: true };
      at: string;
    }
  | { kind: 'reply'; conversationKey: string; accountId: string; outboundId: string }
  | { kind: 'presence'; businessId: string; agentId: string; presence: (typeof PRESENCES)[number] }
  | { kind: 'routing_changed'; businessId: string }
  /** An event the routing queue is not fed with (a rule changed without this code): consumed. */
  | { kind: 'ignored'; detailType: string }
  | { kind: 'invalid'; what: string; issues: string[] };

const MAX_BODY_CHARS = 256 * 1024;

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): { ok: true; value: T } | { ok: false; work: RoutingWork } {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, work: { kind: 'invalid', what, issues: result.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) } };
}

const bodyIssue = (message: string): string[] => [message];

/** The account part of a conversation key (`wa:<account>:<customer>`) must be the account the event names. */
function keyNamesAccount(key: string, account: string): boolean {
  return key.split(':')[1] === account;
}

export function routingWorkOf(body: string): RoutingWork {
  if (body.length > MAX_BODY_CHARS) return { kind: 'invalid', what: 'routing message', issues: bodyIssue('too large') };
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return { kind: 'invalid', what: 'routing message', issues: bodyIssue('not JSON') };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { kind: 'invalid', what: 'routing message', issues: bodyIssue('not an object') };
  }
  const record = message as Record<string, unknown>;
  if ('timer' in record) {
    const timer = parsed(timerSchema, record['timer'], 'routing timer');
    return timer.ok ? { kind: 'timer', timer: timer.value } : timer.work;
  }
  const detailType = record['detail-type'];
  const source = record['source'];
  const detail = record['detail'];
  if (typeof detailType !== 'string' || typeof source !== 'string') {
    return { kind: 'invalid', what: 'routing event', issues: bodyIssue('neither a timer nor an event') };
  }
  switch (detailType) {
    case DETAIL_TYPE.conversationHandoffRequested: {
      const d = parsed(handoffSchema, detail, 'handoff request');
      if (!d.ok) return d.work;
      if (!keyNamesAccount(d.value.conversationKey, d.value.accountId))
        return { kind: 'invalid', what: 'handoff request', issues: bodyIssue('key of another account') };
      return {
        kind: 'handoff',
        conversationKey: d.value.conversationKey,
        accountId: d.value.accountId,
        reason: d.value.reason,
        requestedAt: d.value.requestedAt,
        ...(d.value.outboundId ? { outboundId: d.value.outboundId } : {}),
      };
    }
    case DETAIL_TYPE.conversationClosed: {
      const d = parsed(closedSchema, detail, 'conversation closed');
      if (!d.ok) return d.work;
      if (!keyNamesAccount(d.value.conversationKey, d.value.accountId))
        return { kind: 'invalid', what: 'conversation closed', issues: bodyIssue('key of another account') };
      return {
        kind: 'release',
        conversationKey: d.value.conversationKey,
        accountId: d.value.accountId,
        how: { closed: d.value.outcome ?? 'closed' },
        at: d.value.closedAt,
      };
    }
    case DETAIL_TYPE.conversationHandedBack: {
      const d = parsed(handedBackSchema, detail, 'conversation handed back');
      if (!d.ok) return d.work;
      if (!keyNamesAccount(d.value.conversationKey, d.value.accountId))
        return { kind: 'invalid', what: 'conversation handed back', issues: bodyIssue('key of another account') };
      return { kind: 'release', conversationKey: d.value.conversationKey, accountId: d.value.accountId, how: { handedBack: true }, at: d.value.handedBackAt };
    }
    case DETAIL_TYPE.replyRequested: {
      // Only people's replies stop the first-response clock; the bot's never reach this queue.
      if (source !== EVENT_SOURCE.humanAgent && source !== EVENT_SOURCE.templates) return { kind: 'ignored', detailType };
      const d = parsed(replySchema, detail, 'reply request');
      if (!d.ok) return d.work;
      if (!keyNamesAccount(d.value.conversationKey, d.value.accountId))
        return { kind: 'invalid', what: 'reply request', issues: bodyIssue('key of another account') };
      return { kind: 'reply', conversationKey: d.value.conversationKey, accountId: d.value.accountId, outboundId: d.value.outboundId };
    }
    case DETAIL_TYPE.agentPresenceChanged: {
      const d = parsed(presenceSchema, detail, 'presence change');
      return d.ok ? { kind: 'presence', businessId: d.value.businessId, agentId: d.value.agentId, presence: d.value.presence } : d.work;
    }
    case DETAIL_TYPE.routingChanged: {
      const d = parsed(routingChangedSchema, detail, 'routing change');
      return d.ok ? { kind: 'routing_changed', businessId: d.value.businessId } : d.work;
    }
    default:
      return { kind: 'ignored', detailType: detailType.slice(0, 64) };
  }
}
