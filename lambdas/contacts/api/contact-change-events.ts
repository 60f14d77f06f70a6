import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { CONTACTS_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';

export { contactUpdatedEvent } from '#lambdas/contacts/contact-events';

/** Two contacts became one (ids only, like every contact event: contact-events.ts). */
export const contactMergedEvent = (input: {
  businessId: string;
  survivorId: string;
  absorbedId: string;
  mergeId: string;
  version: number;
  at: string;
}): DomainEvent => ({
  source: EVENT_SOURCE.contacts,
  detailType: DETAIL_TYPE.contactMerged,
  detail: { v: 1, ...input },
});

/** A merge was undone: the absorbed contact is its own again. */
export const contactUnmergedEvent = (input: { businessId: string; survivorId: string; restoredId: string; mergeId: string; at: string }): DomainEvent => ({
  source: EVENT_SOURCE.contacts,
  detailType: DETAIL_TYPE.contactUnmerged,
  detail: { v: 1, ...input },
});

/**
 * Publishes an operator's change after it is stored. The publisher already retries; if it still
 * fails the change stands (the person sees it saved) and the lost announcement is counted and
 * logged, as routing's `routing.changed` is.
 */
export async function announce(publisher: EventPublisher, event: DomainEvent): Promise<void> {
  try {
    await publisher.publish([event]);
  } catch (err) {
    metrics.addMetric(CONTACTS_METRIC.changeNotPublished, MetricUnit.Count, 1);
    logger.error('contact change not published', { detailType: event.detailType, error: (err as Error).name });
  }
}
