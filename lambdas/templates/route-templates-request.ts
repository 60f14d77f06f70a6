import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import { listTemplates } from '#lambdas/templates/list-templates';
import { requestTemplateSend, templateSendSchema, type TemplateSendDeps } from '#lambdas/templates/request-template-send';
import { syncTemplates, type SyncTemplatesDeps } from '#lambdas/templates/sync-templates';
import { TEMPLATES_API_ROUTES } from '#lambdas/templates/templates-api-contract';

import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { requireAction, requireOwnTarget } from '#lambdas/identity/operator-permissions';
import { ownerOfAccount, ownerOfConversation, ownerOfWaba } from '#lambdas/identity/resolve-target';
import { TemplateRequestError } from '#lambdas/templates/errors';

export type TemplatesApiDeps = TemplateSendDeps & Omit<SyncTemplatesDeps, 'now'> & { accounts: AccountReader };

const wabaId = z.string().max(100).regex(/^\d+$/, 'a WhatsApp Business Account id');
const syncBody = z.object({ wabaId }).strict();
const listQuery = z.object({ wabaId });

const json = jsonResponse;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TemplateRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, '(body)'));
  return parsed.data;
}

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const body = readJsonBody(event);
  if (!body.ok) throw new TemplateRequestError(400, 'invalid_json', 'The body is not JSON');
  return body.value;
}

/**
 * One request of a signed-in operator or business backend → its JSON response. The sending number,
 * the conversation and the WABA are resolved to their business before anything is read or sent.
 */
export async function routeTemplatesRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: TemplatesApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  const ownWaba = async (id: string) => {
    audit.target = `waba ${id}`;
    audit.targetBusinessId = await ownerOfWaba(id, deps.accounts);
    requireOwnTarget(identity, audit.targetBusinessId, 'waba');
  };
  try {
    if (method === 'POST' && path === TEMPLATES_API_ROUTES.send.path) {
      requireAction(identity, 'templates.send');
      const request = parse(templateSendSchema, bodyOf(event));
      audit.target = request.conversationKey ?? `account ${request.accountId}`;
      const sender = await ownerOfAccount(request.accountId, deps.accounts);
      audit.targetBusinessId = sender?.businessId;
      requireOwnTarget(identity, sender?.businessId, 'account');
      if (request.conversationKey !== undefined) {
        const conversation = await ownerOfConversation(request.conversationKey, deps.accounts);
        // The conversation must be one of the sending number's own.
        requireOwnTarget(identity, conversation?.accountId === request.accountId ? conversation.businessId : undefined, 'conversation');
      }
      const accepted = await requestTemplateSend(request, deps);
      return json(202, accepted);
    }
    if (method === 'POST' && path === TEMPLATES_API_ROUTES.sync.path) {
      requireAction(identity, 'templates.sync');
      const body = parse(syncBody, bodyOf(event));
      await ownWaba(body.wabaId);
      return json(200, await syncTemplates(body.wabaId, deps));
    }
    if (method === 'GET' && path === TEMPLATES_API_ROUTES.list.path) {
      requireAction(identity, 'templates.read');
      const query = parse(listQuery, event.queryStringParameters ?? {});
      await ownWaba(query.wabaId);
      return json(200, { templates: await listTemplates(query.wabaId, deps) });
    }
    return json(404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof TemplateRequestError) return json(err.status, { error: err.code, message: err.message, ...err.extra });
    throw err;
  }
}
