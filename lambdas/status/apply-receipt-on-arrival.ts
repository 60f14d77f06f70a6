import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { StatusEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent, type RecordContext, type RecordDeps, type RecordOutcome } from '#lambdas/conversation/record-normalized-event';
import { applyDeliveryStatus, type StatusDeps, type StatusOutcome } from '#lambdas/status/apply-delivery-status';
import { completeInterruptedSend, type CompleteSendDeps } from '#lambdas/status/complete-interrupted-send';

export interface ReceiptOnArrival {
  /** `stored` unless the receipt was kept as a StatusChange item that already existed. */
  outcome: RecordOutcome;
  status: StatusOutcome;
  /** The receipt names a message not known yet: kept and handed to status tracking to retry. */
  handedOver: boolean;
}

/**
 * The normalizer applies a delivery receipt to its message as the receipt arrives, in the
 * conversation's order, with the same conditional, monotonic writes status tracking uses
 * (status/apply-delivery-status.ts). Most receipts end there: one pointer read and one write.
 *
 * The receipt is kept as a StatusChange item only when the message cannot carry it: a message not
 * known yet (a receipt that beat the sender's own write, or a message this pipeline never sent),
 * a failure (the item keeps Meta's full error list), a status the message does not track, or a
 * receipt without a message reference. A receipt for a message not known yet is also published as
 * `message.status_received`, and status tracking retries it with backoff, as it did for every
 * receipt before (see the README's cost section for why). A WhatsApp receipt for a reply whose send
 * Meta accepted but nobody recorded completes that record first (status/complete-interrupted-send.ts).
 */
export async function applyReceiptOnArrival(
  event: StatusEvent,
  ctx: RecordContext,
  deps: RecordDeps & StatusDeps & CompleteSendDeps,
): Promise<ReceiptOnArrival> {
  const published = domainEventFor(event);
  const firstError = event.errors?.[0];
  const apply = () =>
    applyDeliveryStatus(published.detail, deps, {
      receiveCount: 1,
      retryUnknown: false,
      details: {
        ...(firstError?.title !== undefined ? { errorTitle: firstError.title } : {}),
        ...(event.pricing?.category !== undefined ? { pricingCategory: event.pricing.category } : {}),
        ...(event.pricing?.billable !== undefined ? { billable: event.pricing.billable } : {}),
        ...(event.pricing
          ? {
              pricing: { ...event.pricing, conversationOrigin: event.billingConversation?.originType },
              recipientId: event.customer.waId ?? event.customer.userId ?? event.customer.id,
            }
          : {}),
      },
    });
  let status = await apply();
  // A WhatsApp receipt naming, through our id, a reply whose send was never recorded completes it.
  if (status.outcome === 'applied' && status.unknownMessageIds.length > 0 && (await completeInterruptedSend(event, deps))) status = await apply();
  const handedOver = status.outcome === 'applied' && status.unknownMessageIds.length > 0;
  const keep = handedOver || status.outcome !== 'applied' || event.status === 'failed';
  const outcome = keep ? await recordNormalizedEvent(event, ctx, deps) : 'stored';
  if (handedOver) await deps.publisher.publish([published]);
  return { outcome, status, handedOver };
}
