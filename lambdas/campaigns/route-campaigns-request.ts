import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { isCampaignId } from '#lambdas/campaigns/campaign-id';
import { RECIPIENT_STATES } from '#lambdas/campaigns/campaign-model';
import { CAMPAIGNS_ROUTES } from '#lambdas/campaigns/campaigns-api-contract';
import { cancelCampaign, pauseCampaign, resumeCampaign } from '#lambdas/campaigns/change-campaign-state';
import { createCampaign } from '#lambdas/campaigns/create-campaign';
import { previewCampaignAudience } from '#lambdas/campaigns/preview-campaign-audience';
import { getCampaign, listCampaignRecipients, listCampaigns } from '#lambdas/campaigns/read-campaigns';
import { scheduleCampaign } from '#lambdas/campaigns/schedule-campaign';
import { updateCampaignDraft } from '#lambdas/campaigns/update-campaign-draft';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { isPlatform, mayDo, requireAction, requireActsFor, type OperatorAction } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { jsonResponse } from '#lambdas/shared/http-json';
import { InvalidCursorError } from '#lambdas/shared/page-cursor';
import { operatorJsonObjectBody, parseOperatorInput } from '#lambdas/identity/operator-request-input';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

const json = jsonResponse;
const BASE = '/admin/campaigns';

export const isCampaignsRoute = (event: APIGatewayProxyEventV2): boolean => event.rawPath === BASE || event.rawPath.startsWith(`${BASE}/`);

const businessId = z.string().refine(isBusinessId, 'a business id (letters, digits, . _ -; at most 100)');
const campaignId = z.string().refine(isCampaignId, 'a campaign id (cmp_ and 26 letters or digits)');
const limit = z
  .string()
  .regex(/^[1-9]\d{0,2}$/, 'a number from 1 to 100')
  .transform(Number)
  .refine((n) => n <= 100, 'a number from 1 to 100');
const cursor = z.string().min(1).max(4_000);
const businessQuery = z.strictObject({ businessId: businessId.optional() });
const listQuery = z.strictObject({ businessId: businessId.optional(), limit: limit.optional(), cursor: cursor.optional() });
const idQuery = z.strictObject({ businessId: businessId.optional(), id: campaignId });
const recipientsQuery = z.strictObject({
  businessId: businessId.optional(),
  id: campaignId,
  state: z.enum(RECIPIENT_STATES).optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});

type Route = { method: string; path: string };
const ROUTES = Object.values(CAMPAIGNS_ROUTES) as readonly Route[];
const is = (route: Route, method: string, path: string) => route.method === method && route.path === path;

/**
 * The campaigns admin routes (CAMPAIGNS_ROUTES). Reading needs `campaigns.read` (supervisors,
 * admins, platform), changing `campaigns.write` (admins, platform). The business acted on is the
 * caller's own, or the one a platform operator names (`?businessId=`); naming another business is
 * a 403, and a campaign id of another business is not found (404), as an unknown one is.
 * Supervisors see recipients' numbers masked and their variables' values withheld. Bad input is a
 * 400 with a message, never a 500.
 */
export async function routeCampaignsRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  deps: CampaignAdminDeps,
  audit: AuditContext = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/$/, '') : event.rawPath;
  if (!ROUTES.some((r) => r.path === path)) return json(404, { error: 'route_not_found' });
  const route = ROUTES.find((r) => is(r, method, path));
  if (!route) return json(405, { error: 'method_not_allowed' });
  const query = event.queryStringParameters ?? {};

  /** The caller may do this, for the business it names (or its own). */
  const authorise = (action: OperatorAction, named: string | undefined, target: string): string => {
    requireAction(identity, action);
    if (named === undefined && isPlatform(identity))
      throw new OperatorRequestError(400, 'invalid_request', 'businessId: a platform operator names the business it acts on');
    const business = named ?? identity.businessId;
    audit.target = `${target} ${business}`.slice(0, 256);
    audit.targetBusinessId = business;
    requireActsFor(identity, business);
    return business;
  };
  const idTarget = (q: { id: string }) => `campaign ${q.id}`;

  try {
    if (is(CAMPAIGNS_ROUTES.list, method, path)) {
      const q = parseOperatorInput(listQuery, query, '(query)');
      const business = authorise('campaigns.read', q.businessId, 'campaigns');
      return json(200, await listCampaigns(deps, business, { limit: q.limit ?? 20, ...(q.cursor ? { cursor: q.cursor } : {}) }));
    }
    if (is(CAMPAIGNS_ROUTES.create, method, path)) {
      const q = parseOperatorInput(businessQuery, query, '(query)');
      const business = authorise('campaigns.write', q.businessId, 'campaigns');
      const created = await createCampaign(deps, business, identity.actor, operatorJsonObjectBody(event));
      audit.target = `campaign ${created.campaignId} ${business}`.slice(0, 256);
      return json(201, created);
    }
    if (is(CAMPAIGNS_ROUTES.recipients, method, path)) {
      const q = parseOperatorInput(recipientsQuery, query, '(query)');
      const business = authorise('campaigns.read', q.businessId, idTarget(q));
      const page = await listCampaignRecipients(
        deps,
        business,
        q.id,
        { limit: q.limit ?? 50, ...(q.state ? { state: q.state } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) },
        {
          maskNumbers: !mayDo(identity, 'campaigns.write'),
        },
      );
      return json(200, page);
    }

    const q = parseOperatorInput(idQuery, query, '(query)');
    const write = route.method !== 'GET';
    const business = authorise(write ? 'campaigns.write' : 'campaigns.read', q.businessId, idTarget(q));
    if (is(CAMPAIGNS_ROUTES.get, method, path)) return json(200, await getCampaign(deps, business, q.id));
    if (is(CAMPAIGNS_ROUTES.preview, method, path)) {
      return json(200, await previewCampaignAudience(deps, business, q.id, { withholdVariables: !mayDo(identity, 'campaigns.write') }));
    }
    const body = operatorJsonObjectBody(event);
    if (is(CAMPAIGNS_ROUTES.update, method, path)) return json(200, await updateCampaignDraft(deps, business, q.id, body));
    if (is(CAMPAIGNS_ROUTES.schedule, method, path)) return json(200, await scheduleCampaign(deps, business, q.id, body));
    if (is(CAMPAIGNS_ROUTES.pause, method, path)) return json(200, await pauseCampaign(deps, business, q.id, body));
    if (is(CAMPAIGNS_ROUTES.resume, method, path)) return json(200, await resumeCampaign(deps, business, q.id, body));
    if (is(CAMPAIGNS_ROUTES.cancel, method, path)) return json(200, await cancelCampaign(deps, business, q.id, body));
    return json(405, { error: 'method_not_allowed' });
  } catch (err) {
    if (err instanceof OperatorRequestError) return json(err.status, { error: err.code, message: err.message });
    if (err instanceof CampaignRequestError) return json(err.status, { error: err.code, message: err.message, ...err.details });
    if (err instanceof InvalidCursorError) return json(400, { error: 'invalid_request', message: err.message });
    throw err;
  }
}
