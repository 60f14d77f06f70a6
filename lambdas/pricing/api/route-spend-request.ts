import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { isPlatform, requireAction, requireActsFor } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { budgetInputSchema, type SpendAdmin } from '#lambdas/pricing/api/spend-admin';
import { SPEND_ROUTES } from '#lambdas/pricing/api/spend-api-contract';
import { isMonth, monthOf } from '#lambdas/pricing/spend-keys';
import { jsonResponse } from '#lambdas/shared/http-json';
import { operatorJsonObjectBody, parseOperatorInput } from '#lambdas/identity/operator-request-input';
import { SpendAdminError } from '#lambdas/pricing/errors';

const json = jsonResponse;
const businessId = z.string().refine(isBusinessId, 'a business id (letters, digits, . _ -; at most 100)');
const businessQuery = z.strictObject({ businessId: businessId.optional() });
const summaryQuery = z.strictObject({ businessId: businessId.optional(), month: z.string().refine(isMonth, 'a month, yyyy-mm').optional() });

/**
 * The spend routes (SPEND_ROUTES): a month's summary and the budget need `spend.read`
 * (supervisors up), saving the budget `spend.write` (admins up). The business is the caller's
 * own, or the one a platform operator names (`?businessId=`); naming another business is a 403.
 */
export async function routeSpendRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  deps: { admin: SpendAdmin; now?: () => Date },
  audit: AuditContext = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/$/, '') : event.rawPath;
  const is = (route: { method: string; path: string }) => path === route.path && method === route.method;
  const query = event.queryStringParameters ?? {};
  const now = (deps.now ?? (() => new Date()))();

  const businessFor = (named: string | undefined, target: string): string => {
    if (named === undefined && isPlatform(identity))
      throw new OperatorRequestError(400, 'invalid_request', 'businessId: a platform operator names the business it acts on');
    const business = named ?? identity.businessId;
    audit.target = `${target} ${business}`.slice(0, 256);
    audit.targetBusinessId = business;
    requireActsFor(identity, business);
    return business;
  };

  try {
    if (is(SPEND_ROUTES.summary)) {
      requireAction(identity, 'spend.read');
      const q = parseOperatorInput(summaryQuery, query, '(query)');
      const month = q.month ?? monthOf(now);
      return json(200, await deps.admin.summary(businessFor(q.businessId, `spend ${month}`), month));
    }
    if (is(SPEND_ROUTES.getBudget)) {
      requireAction(identity, 'spend.read');
      const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId, 'budget');
      return json(200, { budget: await deps.admin.budget(business) });
    }
    if (is(SPEND_ROUTES.putBudget)) {
      requireAction(identity, 'spend.write');
      const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId, 'budget');
      const input = parseOperatorInput(budgetInputSchema, operatorJsonObjectBody(event), '(body)');
      return json(200, { budget: await deps.admin.saveBudget(business, input, identity.actor, now) });
    }
    return json(Object.values(SPEND_ROUTES).some((r) => r.path === path) ? 405 : 404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof OperatorRequestError) return json(err.status, { error: err.code, message: err.message });
    if (err instanceof SpendAdminError) {
      return err.code === 'version_conflict'
        ? json(409, { error: 'version_conflict', message: err.message, currentVersion: err.details.currentVersion })
        : json(400, { error: 'invalid_request', message: err.message });
    }
    throw err;
  }
}
