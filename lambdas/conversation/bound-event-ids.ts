import type { CustomerRef, NormalizedEvent } from '#lambdas/conversation/model';
import { boundedId, boundedKey, rawIdAttribute, truncateUtf8 } from '#lambdas/shared/bounded-id';

/** Longest quarantine reason kept: reasons are ours, but some quote a payload field name. */
export const MAX_REASON_BYTES = 256;
/** Longest quarantine detail kept: zod issue paths can quote payload keys. */
export const MAX_DETAIL_BYTES = 2_048;

/**
 * Replaces every payload id of a normalized event that can reach a key, a queue id or a domain
 * event by its bounded form (shared/bounded-id.ts): conversation key, event id, account ids,
 * provider message ids, customer ids, reply, reaction and story targets, group and media ids.
 * What was replaced is kept in `rawIds` (field path → the id as sent, cut to a bound) so the item
 * still shows it. Everything downstream (table, bus, agent, outbound) sees the bounded ids only,
 * so the same message always lands on the same keys.
 *
 * Pure and idempotent: bounding an already bounded event changes nothing.
 */
export function boundEventIds(event: NormalizedEvent): NormalizedEvent {
  const raw: Record<string, string> = { ...(event.rawIds ?? {}) };
  const bound = (path: string, id: string, composite = false): string => {
    const out = composite ? boundedKey(id) : boundedId(id);
    if (out !== id) raw[path] = rawIdAttribute(id);
    return out;
  };
  const optional = (path: string, id: string | undefined): string | undefined => (id === undefined ? undefined : bound(path, id));
  const customer = <C extends CustomerRef | undefined>(c: C): C =>
    c === undefined
      ? c
      : (drop({
          ...c,
          id: bound('customer.id', c.id),
          waId: optional('customer.waId', c.waId),
          userId: optional('customer.userId', c.userId),
          parentUserId: optional('customer.parentUserId', c.parentUserId),
        }) as C);

  let out: NormalizedEvent;
  switch (event.kind) {
    case 'quarantine':
      out = drop({
        ...event,
        conversationKey: bound('conversationKey', event.conversationKey, true),
        eventId: bound('eventId', event.eventId, true),
        reason: truncateUtf8(event.reason, MAX_REASON_BYTES),
        detail: event.detail === undefined ? undefined : truncateUtf8(event.detail, MAX_DETAIL_BYTES),
      });
      break;
    case 'message': {
      const base = common(event, bound);
      out = drop({
        ...event,
        ...base,
        providerMessageId: bound('providerMessageId', event.providerMessageId),
        customer: customer(event.customer),
        replyToMessageId: optional('replyToMessageId', event.replyToMessageId),
        reaction: event.reaction ? { ...event.reaction, targetMessageId: bound('reaction.targetMessageId', event.reaction.targetMessageId) } : undefined,
        storyReply: event.storyReply ? drop({ ...event.storyReply, id: optional('storyReply.id', event.storyReply.id) }) : undefined,
        groupId: optional('groupId', event.groupId),
        media: event.media?.map((m, i) => drop({ ...m, id: optional(`media.${i}.id`, m.id) })),
      });
      break;
    }
    case 'status':
      out = drop({
        ...event,
        ...common(event, bound),
        providerMessageId: optional('providerMessageId', event.providerMessageId),
        providerMessageIds: event.providerMessageIds?.map((id, i) => bound(`providerMessageIds.${i}`, id)),
        customer: customer(event.customer),
      });
      break;
    case 'message_deleted':
    case 'message_edited':
      out = drop({
        ...event,
        ...common(event, bound),
        providerMessageId: bound('providerMessageId', event.providerMessageId),
        customer: customer(event.customer),
      });
      break;
    case 'notification':
      out = drop({ ...event, ...common(event, bound), topic: bound('topic', event.topic), customer: customer(event.customer) });
      break;
  }
  if (Object.keys(raw).length > 0) out.rawIds = raw;
  return out;
}

function common(event: Exclude<NormalizedEvent, { kind: 'quarantine' }>, bound: (path: string, id: string, composite?: boolean) => string) {
  return {
    conversationKey: bound('conversationKey', event.conversationKey, true),
    eventId: bound('eventId', event.eventId, true),
    accountId: bound('accountId', event.accountId),
    businessAccountId: bound('businessAccountId', event.businessAccountId),
  };
}

/** The object without its undefined fields (bounding must not add keys the event did not have). */
function drop<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
