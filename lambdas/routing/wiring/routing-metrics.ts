import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { METRIC, METRIC_SERVICE } from '#lambdas/shared/metric-names';
import { metricsNamespace } from '#lambdas/shared/powertools';

/**
 * Routing's own metrics instance (dimension `service` = `routing`), so the counts are the same
 * metric whether the routing consumer or the human-agent API made the engine call. Flushed by
 * each handler's `logMetrics` middleware next to the function's own instance.
 */
export const routingMetrics = new Metrics({ namespace: metricsNamespace, serviceName: METRIC_SERVICE.routing });

/** The count metric of each routing event (one per event published). */
export const ROUTING_EVENT_METRIC: Readonly<Partial<Record<string, string>>> = {
  [DETAIL_TYPE.conversationQueued]: METRIC.conversationsQueued,
  [DETAIL_TYPE.conversationOffered]: METRIC.conversationsOffered,
  [DETAIL_TYPE.conversationAssigned]: METRIC.conversationsAssigned,
  [DETAIL_TYPE.conversationOfferWithdrawn]: METRIC.offersWithdrawn,
  [DETAIL_TYPE.conversationTransferred]: METRIC.conversationsTransferred,
  [DETAIL_TYPE.slaWarning]: METRIC.slaWarnings,
  [DETAIL_TYPE.slaBreached]: METRIC.slaBreaches,
};

/**
 * The engine's publisher, counting what it published: the counts follow the events, so a
 * transition the engine skipped as a repeat (nothing published) is not counted twice. No business,
 * queue or conversation id becomes a dimension (bounded cardinality).
 */
export function countingPublisher(inner: EventPublisher, count: (metricName: string) => void): EventPublisher {
  return {
    async publish(events) {
      await inner.publish(events);
      for (const event of events) {
        if (event.source !== EVENT_SOURCE.routing) continue;
        const metricName = ROUTING_EVENT_METRIC[event.detailType];
        if (metricName) count(metricName);
      }
    },
  };
}

export function countInRoutingMetrics(metricName: string): void {
  routingMetrics.addMetric(metricName, MetricUnit.Count, 1);
}
