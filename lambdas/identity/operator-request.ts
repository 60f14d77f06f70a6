import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type AuditDeps, auditRecord, recordOperatorAction } from '#lambdas/identity/audit-trail';
import { OperatorRequestError } from '#lambdas/identity/errors';
import { type OperatorIdentity, operatorIdentityOf } from '#lambdas/identity/operator-identity';
import { jsonResponse } from '#lambdas/shared/http-json';
import { OPERATOR_METRIC, operatorRequestMetric } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';

/** What a route learnt about its target while authorising it, for the audit trail. */
export interface AuditContext {
  target?: string;
  targetBusinessId?: string;
}

export type OperatorRouter = (event: APIGatewayProxyEventV2, identity: OperatorIdentity, audit: AuditContext) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Every operator request goes through here: the caller's identity from the verified token, the
 * API's router (which resolves its target to a business and refuses what the caller may not do),
 * a JSON refusal for an `OperatorRequestError`, and one audit record whatever the outcome.
 */
export async function serveOperatorRequest(
  event: APIGatewayProxyEventV2,
  api: string,
  router: OperatorRouter,
  deps: AuditDeps & { now?: () => Date },
): Promise<APIGatewayProxyStructuredResultV2> {
  const audit: AuditContext = {};
  let identity: OperatorIdentity | undefined;
  let response: APIGatewayProxyStructuredResultV2;
  let failure: unknown;
  try {
    identity = operatorIdentityOf(event);
    response = await router(event, identity, audit);
  } catch (err) {
    if (err instanceof OperatorRequestError) {
      response = jsonResponse(err.status, { error: err.code, message: err.message });
    } else {
      failure = err;
      response = jsonResponse(500, { error: 'internal_error' });
    }
  }
  const status = response.statusCode ?? 200;
  metrics.addMetric(operatorRequestMetric(api, event.requestContext.http.method, status), MetricUnit.Count, 1);
  if (status === 401 || status === 403) metrics.addMetric(OPERATOR_METRIC.requestRefused, MetricUnit.Count, 1);
  // The route template and status only: paths, queries and bodies name customers.
  logger.info('operator request', { requestId: event.requestContext.requestId, route: event.routeKey, status });
  if (identity) {
    const record = auditRecord({
      identity,
      requestId: event.requestContext.requestId,
      route: event.routeKey,
      status,
      target: audit.target,
      targetBusinessId: audit.targetBusinessId,
      at: (deps.now ?? (() => new Date()))(),
    });
    try {
      await recordOperatorAction(record, deps);
    } catch (err) {
      // The action already happened; losing its record is reported, not turned into an error for the caller.
      metrics.addMetric(OPERATOR_METRIC.auditWriteFailed, MetricUnit.Count, 1);
      logger.error('audit record not written', { requestId: event.requestContext.requestId, error: (err as Error).name });
    }
  }
  if (failure) throw failure;
  return response;
}
