import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { isPlatform, requireAction, requireActsFor } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import type { IntegrationAdmin } from '#lambdas/integrations/api/integration-admin';
import { INTEGRATIONS_ROUTES } from '#lambdas/integrations/api/integrations-api-contract';
import { isIntegrationId } from '#lambdas/integrations/integration-keys';
import { jsonResponse } from '#lambdas/shared/http-json';
import { operatorJsonObjectBody, parseOperatorInput } from '#lambdas/identity/operator-request-input';
import { IntegrationAdminError, ProvisioningFailedError } from '#lambdas/integrations/errors';

const json = jsonResponse;
const BASE = '/admin/integrations';

export const isIntegrationsRoute = (event: APIGatewayProxyEventV2): boolean => event.rawPath === BASE || event.rawPath.startsWith(`${BASE}/`);

const businessId = z.string().refine(isBusinessId, 'a business id (letters, digits, . _ -; at most 100)');
const businessQuery = z.strictObject({ businessId: businessId.optional() });
const deliveriesQuery = z.strictObject({
  businessId: businessId.optional(),
  limit: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, 'a number from 1 to 100')
    .transform(Number)
    .refine((n) => n <= 100, 'a number from 1 to 100')
    .optional(),
});

/** The path's shape: the collection, one integration, or one of its actions. The id is checked later (after authorisation). */
function pathOf(rawPath: string): { id?: string; action?: 'test' | 'deliveries' } | undefined {
  const path = rawPath.length > 1 ? rawPath.replace(/\/$/, '') : rawPath;
  if (path === BASE) return {};
  const rest = path.slice(BASE.length + 1).split('/');
  if (rest.length === 1 && rest[0]) return { id: decoded(rest[0]) };
  if (rest.length === 2 && rest[0] && (rest[1] === 'test' || rest[1] === 'deliveries')) return { id: decoded(rest[0]), action: rest[1] };
  return undefined;
}

/** A malformed escape is not an id either (refused as one later), never a 500. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The integrations admin routes (INTEGRATIONS_ROUTES). Reading needs `integrations.read`, changing
 * `integrations.write` (admins, platform). The business acted on is the caller's own, or the one a
 * platform operator names (`?businessId=`); naming another business is a 403. An integration id
 * of another business is not found (404), as an unknown one is.
 */
export async function routeIntegrationsRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  deps: { admin: IntegrationAdmin },
  audit: AuditContext = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const shape = pathOf(event.rawPath);
  if (!shape) return json(404, { error: 'route_not_found' });
  const query = event.queryStringParameters ?? {};
  const target = shape.id === undefined ? 'integrations' : `integration ${shape.id.slice(0, 40)}`;

  const businessFor = (named: string | undefined): string => {
    if (named === undefined && isPlatform(identity))
      throw new OperatorRequestError(400, 'invalid_request', 'businessId: a platform operator names the business it acts on');
    const business = named ?? identity.businessId;
    audit.target = `${target} ${business}`.slice(0, 256);
    audit.targetBusinessId = business;
    requireActsFor(identity, business);
    return business;
  };
  const idOf = (id: string): string => {
    if (!isIntegrationId(id)) throw new OperatorRequestError(400, 'invalid_request', 'id: an integration id (i and 11 lower-case letters or digits)');
    return id;
  };

  try {
    if (shape.id === undefined) {
      if (method === INTEGRATIONS_ROUTES.list.method) {
        requireAction(identity, 'integrations.read');
        const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId);
        return json(200, { items: await deps.admin.list(business) });
      }
      if (method === INTEGRATIONS_ROUTES.create.method) {
        requireAction(identity, 'integrations.write');
        const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId);
        const created = await deps.admin.create(business, operatorJsonObjectBody(event), identity.actor);
        audit.target = `integration ${created.integration.integrationId} ${business}`.slice(0, 256);
        return json(201, created);
      }
      return json(405, { error: 'method_not_allowed' });
    }

    if (shape.action === 'test') {
      if (method !== INTEGRATIONS_ROUTES.test.method) return json(405, { error: 'method_not_allowed' });
      requireAction(identity, 'integrations.write');
      const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId);
      return json(200, await deps.admin.test(business, idOf(shape.id)));
    }
    if (shape.action === 'deliveries') {
      if (method !== INTEGRATIONS_ROUTES.deliveries.method) return json(405, { error: 'method_not_allowed' });
      requireAction(identity, 'integrations.read');
      const q = parseOperatorInput(deliveriesQuery, query, '(query)');
      const business = businessFor(q.businessId);
      return json(200, { items: await deps.admin.deliveries(business, idOf(shape.id), q.limit ?? 20) });
    }

    switch (method) {
      case INTEGRATIONS_ROUTES.get.method: {
        requireAction(identity, 'integrations.read');
        const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId);
        return json(200, await deps.admin.get(business, idOf(shape.id)));
      }
      case INTEGRATIONS_ROUTES.update.method: {
        requireAction(identity, 'integrations.write');
        const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId);
        return json(200, await deps.admin.update(business, idOf(shape.id), operatorJsonObjectBody(event), identity.actor));
      }
      case INTEGRATIONS_ROUTES.remove.method: {
        requireAction(identity, 'integrations.write');
        const business = businessFor(parseOperatorInput(businessQuery, query, '(query)').businessId);
        return json(200, await deps.admin.remove(business, idOf(shape.id), identity.actor));
      }
      default:
        return json(405, { error: 'method_not_allowed' });
    }
  } catch (err) {
    if (err instanceof OperatorRequestError) return json(err.status, { error: err.code, message: err.message });
    if (err instanceof IntegrationAdminError) return refusal(err);
    if (err instanceof ProvisioningFailedError) {
      // Stored, but EventBridge refused part of it (a quota, a bad endpoint): the admin sees where it stopped.
      return json(502, {
        error: 'provisioning_failed',
        message: err.message,
        integration: err.integration,
        ...(err.signingSecret ? { signingSecret: err.signingSecret } : {}),
      });
    }
    throw err;
  }
}

function refusal(err: IntegrationAdminError): APIGatewayProxyStructuredResultV2 {
  switch (err.code) {
    case 'invalid':
      return json(400, { error: 'invalid_request', message: err.message });
    case 'not_found':
      return json(404, { error: 'integration_not_found', message: err.message });
    case 'version_conflict':
      return json(409, {
        error: 'version_conflict',
        message: err.message,
        ...(err.details.currentVersion !== undefined ? { currentVersion: err.details.currentVersion } : {}),
      });
    case 'limit_reached':
      return json(409, { error: 'limit_reached', message: err.message });
    case 'no_credentials':
      return json(409, { error: 'no_credentials', message: err.message });
  }
}
