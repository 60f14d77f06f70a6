import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { cachedBudgets } from '#lambdas/pricing/budget-gate';
import { messageSpendCounter, type MessageSpendCounter } from '#lambdas/pricing/count-message-spend';
import { dynamoSpendStore } from '#lambdas/pricing/spend-store';
import { METRIC, METRIC_SERVICE } from '#lambdas/shared/metric-names';
import { logger, metricsNamespace } from '#lambdas/shared/powertools';

/**
 * Spend's own metrics instance (dimension `service` = `spend`), so the threshold metric is one
 * metric whichever function priced the message; the stack's MetaBudgetThresholdAlarm watches it.
 */
const spendMetrics = new Metrics({ namespace: metricsNamespace, serviceName: METRIC_SERVICE.spend });

/** A threshold crossing as a metric with the threshold as a dimension, written at once (no flush needed). */
export function countThresholdCrossed(threshold: number, businessId: string): void {
  const single = spendMetrics.singleMetric();
  single.addDimension('threshold', String(threshold));
  single.addMetric(METRIC.metaBudgetThresholdCrossed, MetricUnit.Count, 1);
  // A business id is an id, not personal data: on-call needs to know whose budget it is.
  logger.warn('Meta budget threshold crossed', { businessId, threshold });
}

/**
 * The spend counter the receipt handlers (normalizer, status tracking) give the charge recorder:
 * the table store, the registry for account → business, the budget cached a minute per business.
 */
export function tableSpendCounter(deps: {
  db: DocumentClient;
  tableName: string;
  publisher: EventPublisher;
  accounts: AccountReader;
  /** Told each charged message counted (USD micros): the handler's own metric. */
  onCharged?: (micros: number) => void;
}): MessageSpendCounter {
  const store = dynamoSpendStore(deps);
  return messageSpendCounter({
    store,
    publisher: deps.publisher,
    businessOfAccount: async (accountId) => (await deps.accounts.account(accountId))?.businessId,
    budgetOf: cachedBudgets(store),
    ...(deps.onCharged ? { onCharged: deps.onCharged } : {}),
    onThresholdCrossed: countThresholdCrossed,
  });
}
