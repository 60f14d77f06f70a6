import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { type AuditDeps, listOperatorActions } from '#lambdas/identity/audit-trail';
import { ADMIN_ROUTES } from '#lambdas/identity/admin-routes';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { requireAction, requireOwnTarget } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { describeIssues, jsonResponse } from '#lambdas/shared/http-json';

const auditQuery = z
  .object({
    /** Another business's trail: `platform` only. Default: the caller's own. */
    businessId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a business id')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(400).optional(),
  })
  .strict();

/** `GET /admin/audit`: the business's audit trail, newest first, for its admins (and the platform team). */
export async function routeAuditRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: Pick<AuditDeps, 'auditTrail'>,
): Promise<APIGatewayProxyStructuredResultV2> {
  requireAction(identity, 'audit.read');
  const parsed = auditQuery.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new OperatorRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, '(query)'));
  const businessId = parsed.data.businessId ?? identity.businessId;
  audit.target = `audit ${businessId}`;
  audit.targetBusinessId = businessId;
  requireOwnTarget(identity, businessId, 'business');
  return jsonResponse(200, await listOperatorActions(businessId, { limit: parsed.data.limit, cursor: parsed.data.cursor }, deps));
}

export const isAuditRoute = (event: APIGatewayProxyEventV2): boolean =>
  event.requestContext.http.method.toUpperCase() === ADMIN_ROUTES.audit.method && event.rawPath.replace(/\/$/, '') === ADMIN_ROUTES.audit.path;
