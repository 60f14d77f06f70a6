import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * Events are wake-up calls that carry ids, never content: consumers read the truth (and any
 * PII) from the table, and the bus archive holds no message text.
 */
export function domainEventFor(event: NormalizedEvent): DomainEvent {
  const source = EVENT_SOURCE.normalizer;
  const base = { v: 1, conversationKey: event.conversationKey, channel: event.channel, eventId: event.eventId, occurredAt: event.occurredAt };
  switch (event.kind) {
    case 'message': {
      const detailType =
        event.origin === 'customer' ? DETAIL_TYPE.messageReceived : event.origin === 'history' ? DETAIL_TYPE.messageImported : DETAIL_TYPE.messageEchoed;
      return {
        source,
        detailType,
        detail: {
          ...base,
          accountId: event.accountId,
          providerMessageId: event.providerMessageId,
          type: event.type,
          origin: event.origin,
          direction: event.direction,
          standby: event.standby === true,
        },
      };
    }
    case 'status':
      return {
        source,
        detailType: DETAIL_TYPE.statusReceived,
        detail: {
          ...base,
          accountId: event.accountId,
          status: event.status,
          providerMessageId: event.providerMessageId,
          providerMessageIds: event.providerMessageIds,
          watermark: event.watermark,
          errorCodes: event.errors?.map((e) => e.code) ?? [],
        },
      };
    case 'message_deleted':
    case 'message_edited':
      return {
        source,
        detailType: DETAIL_TYPE.messageChanged,
        detail: { ...base, accountId: event.accountId, change: event.kind, providerMessageId: event.providerMessageId },
      };
    case 'notification':
      return {
        source,
        detailType: DETAIL_TYPE.notificationReceived,
        detail: { ...base, accountId: event.accountId, topic: event.topic },
      };
    case 'quarantine':
      return { source, detailType: DETAIL_TYPE.eventQuarantined, detail: { ...base, reason: event.reason } };
  }
}

/**
 * EventBridge refuses a PutEvents request over 256 KB, counting each entry's source, detail type,
 * detail and time. Our events carry bounded ids only and stay far below, but a list of ids (a
 * receipt naming thousands of messages) can still grow one: such an event is quarantined before
 * anything is written, never retried against the limit.
 */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024 - 1024;

export function eventEntryBytes(event: DomainEvent): number {
  const time = 14;
  return Buffer.byteLength(event.source) + Buffer.byteLength(event.detailType) + Buffer.byteLength(JSON.stringify(event.detail)) + time;
}

export function fitsEventBus(event: DomainEvent): boolean {
  return eventEntryBytes(event) <= MAX_EVENT_ENTRY_BYTES;
}
