import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { readEnvironment, variable } from '#lambdas/shared/handler-environment';
import { METRIC_NAMESPACE } from '#lambdas/shared/metric-names';

/**
 * One logger and one metrics instance per Lambda process. Log lines carry ids only: message
 * text, phone numbers, names, tokens and secrets never reach a log call.
 */
export const logger = new Logger();

/**
 * The namespace of every Metrics instance (this one, routing's and spend's). Powertools reads its
 * other variables itself (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_DISABLED…).
 */
export const metricsNamespace = readEnvironment({ POWERTOOLS_METRICS_NAMESPACE: variable.text().default(METRIC_NAMESPACE) }).POWERTOOLS_METRICS_NAMESPACE;
export const metrics = new Metrics({ namespace: metricsNamespace });
