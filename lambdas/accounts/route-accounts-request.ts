import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { ACCOUNTS_ADMIN_ROUTES } from '#lambdas/accounts/accounts-api-contract';
import { InvalidAccountsCursorError, listBusinessAccounts } from '#lambdas/accounts/business-accounts-store';
import { channelAccountRow } from '#lambdas/accounts/channel-account-row';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { isPlatform, requireAction, requireActsFor } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { describeIssues, jsonResponse } from '#lambdas/shared/http-json';

const listQuery = z.strictObject({
  businessId: z.string().refine(isBusinessId, 'a business id (letters, digits, . _ -; at most 100)').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(400).optional(),
});

export const isAccountsRoute = (event: APIGatewayProxyEventV2): boolean =>
  event.requestContext.http.method.toUpperCase() === ACCOUNTS_ADMIN_ROUTES.list.method && event.rawPath.replace(/\/$/, '') === ACCOUNTS_ADMIN_ROUTES.list.path;

/**
 * `GET /admin/accounts`: the business's channel accounts (channel, ids, status, quality, messaging
 * limit, token state), a page at a time, for those who may read its settings (supervisors,
 * admins); a `platform` operator names the business. Never a token or its secret's name.
 */
export async function routeAccountsRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: Parameters<typeof listBusinessAccounts>[0],
): Promise<APIGatewayProxyStructuredResultV2> {
  requireAction(identity, 'settings.read');
  const parsed = listQuery.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new OperatorRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, '(query)'));
  const q = parsed.data;
  if (q.businessId === undefined && isPlatform(identity)) {
    throw new OperatorRequestError(400, 'invalid_request', 'businessId: a platform operator names the business it acts on');
  }
  const businessId = q.businessId ?? identity.businessId;
  audit.target = `accounts ${businessId}`;
  audit.targetBusinessId = businessId;
  requireActsFor(identity, businessId);
  try {
    const page = await listBusinessAccounts(deps, businessId, { limit: q.limit, cursor: q.cursor });
    return jsonResponse(200, { items: page.items.map(channelAccountRow), ...(page.cursor ? { cursor: page.cursor } : {}) });
  } catch (err) {
    if (err instanceof InvalidAccountsCursorError) throw new OperatorRequestError(400, 'invalid_request', `cursor: ${err.message}`);
    throw err;
  }
}
