import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import { listTemplates } from '#lambdas/templates/list-templates';
import { requestTemplateSend, TemplateRequestError, templateSendSchema, type TemplateSendDeps } from '#lambdas/templates/request-template-send';
import { syncTemplates, type SyncTemplatesDeps } from '#lambdas/templates/sync-templates';
import { TEMPLATES_API_ROUTES } from '#lambdas/templates/templates-api-contract';

export type TemplatesApiDeps = TemplateSendDeps & Omit<SyncTemplatesDeps, 'now'>;

const wabaId = z.string().regex(/^\d+$/, 'a WhatsApp Business Account id');
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

/** One request of an already authorised caller → its JSON response. */
export async function routeTemplatesRequest(event: APIGatewayProxyEventV2, deps: TemplatesApiDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  try {
    if (method === 'POST' && path === TEMPLATES_API_ROUTES.send.path) {
      const accepted = await requestTemplateSend(parse(templateSendSchema, bodyOf(event)), deps);
      return json(202, accepted);
    }
    if (method === 'POST' && path === TEMPLATES_API_ROUTES.sync.path) {
      return json(200, await syncTemplates(parse(syncBody, bodyOf(event)).wabaId, deps));
    }
    if (method === 'GET' && path === TEMPLATES_API_ROUTES.list.path) {
      return json(200, { templates: await listTemplates(parse(listQuery, event.queryStringParameters ?? {}).wabaId, deps) });
    }
    return json(404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof TemplateRequestError) return json(err.status, { error: err.code, message: err.message, ...err.extra });
    throw err;
  }
}
