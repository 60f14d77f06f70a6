import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import type { MetricName } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';

/**
 * An event a consumer cannot read is poison: retrying cannot fix it. It is counted under its own
 * metric and logged with the schema's issues (paths and codes, never values); the record is
 * consumed.
 */
export function consumeInvalidEvent(record: SQSRecord, metricName: MetricName, what: string, issues: string[]): void {
  metrics.addMetric(metricName, MetricUnit.Count, 1);
  logger.error(`${what} invalid`, { sqsMessageId: record.messageId, issues });
}
