import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/** What one record of the contacts queue asks for. */
export type ContactWork =
  | { kind: 'customer_message'; detail: unknown }
  | { kind: 'address_book'; detail: unknown }
  | { kind: 'consent'; status: 'opted_in' | 'opted_out'; detail: unknown }
  | { kind: 'ignored'; detailType: string }
  | { kind: 'invalid'; issues: string[] };

/**
 * The queue carries whole EventBridge envelopes (the rule's target), from several sources and
 * detail types: which one decides the work. An envelope that cannot be read is invalid (consumed).
 */
export function contactWorkOf(body: string): ContactWork {
  let envelope: { source?: unknown; 'detail-type'?: unknown; detail?: unknown };
  try {
    envelope = JSON.parse(body) as typeof envelope;
  } catch {
    return { kind: 'invalid', issues: ['body: not JSON'] };
  }
  if (!envelope || typeof envelope !== 'object') return { kind: 'invalid', issues: ['body: not an event'] };
  const source = typeof envelope.source === 'string' ? envelope.source : '';
  const detailType = typeof envelope['detail-type'] === 'string' ? envelope['detail-type'] : '';
  if (!detailType) return { kind: 'invalid', issues: ['detail-type: missing'] };
  const detail = envelope.detail;
  if (source === EVENT_SOURCE.normalizer && detailType === DETAIL_TYPE.messageReceived) return { kind: 'customer_message', detail };
  if (source === EVENT_SOURCE.normalizer && detailType === DETAIL_TYPE.notificationReceived) return { kind: 'address_book', detail };
  if (detailType === DETAIL_TYPE.consentWithdrawn) return { kind: 'consent', status: 'opted_out', detail };
  if (detailType === DETAIL_TYPE.consentGiven) return { kind: 'consent', status: 'opted_in', detail };
  return { kind: 'ignored', detailType: detailType.slice(0, 100) };
}
