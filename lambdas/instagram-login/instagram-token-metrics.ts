/**
 * Metrics of the Instagram token refresh, named with every other metric in
 * lambdas/shared/metric-names.ts; re-exported here for the refresh's construct and tests.
 */
export { INSTAGRAM_TOKEN_METRIC, INSTAGRAM_TOKEN_REFRESH_SERVICE } from '#lambdas/shared/metric-names';
