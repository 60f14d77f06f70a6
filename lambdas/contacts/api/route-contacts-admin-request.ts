import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { checkSavedSchema } from '#lambdas/contacts/api/attribute-values';
import { refusalError } from '#lambdas/contacts/api/contact-request-error';
import { schemaBodySchema, schemaQuerySchema } from '#lambdas/contacts/api/contact-request-schemas';
import { CONTACTS_ADMIN_ROUTES } from '#lambdas/contacts/api/contacts-api-contract';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { isPlatform, requireAction, requireActsFor } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import { ContactRequestError } from '#lambdas/contacts/errors';

export interface ContactsAdminDeps {
  contacts: Pick<ContactStore, 'getAttributeSchema' | 'putAttributeSchema'>;
  now?: () => Date;
}

const json = jsonResponse;
const PATHS: ReadonlySet<string> = new Set(Object.values(CONTACTS_ADMIN_ROUTES).map((r) => r.path));

export const isContactsAdminRoute = (event: APIGatewayProxyEventV2): boolean => PATHS.has(event.rawPath);

function parse<T>(schema: z.ZodType<T>, value: unknown, wholeValue: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ContactRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, wholeValue));
  return parsed.data;
}

/**
 * The admin API's contact attribute schema (`CONTACTS_ADMIN_ROUTES`): the custom attributes a
 * business keeps on its contacts, with the labels agents see and whether agents may edit them.
 * Anyone who reads contacts may read it (`contacts.read`); saving needs `contacts.admin` and the
 * version the admin edited, so that two admins' saves never silently overwrite each other.
 */
export async function routeContactsAdminRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: ContactsAdminDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const is = (route: { method: string; path: string }) => event.rawPath === route.path && method === route.method;

  const businessFor = (named: string | undefined): string => {
    if (named === undefined && isPlatform(identity)) {
      throw new ContactRequestError(400, 'invalid_request', 'businessId: a platform operator names the business it acts on');
    }
    const business = named ?? identity.businessId;
    audit.target = `contact schema ${business}`.slice(0, 256);
    audit.targetBusinessId = business;
    requireActsFor(identity, business);
    return business;
  };

  try {
    if (is(CONTACTS_ADMIN_ROUTES.getSchema)) {
      requireAction(identity, 'contacts.read');
      const q = parse(schemaQuerySchema, event.queryStringParameters ?? {}, '(query)');
      return json(200, await deps.contacts.getAttributeSchema(businessFor(q.businessId)));
    }
    if (is(CONTACTS_ADMIN_ROUTES.putSchema)) {
      requireAction(identity, 'contacts.admin');
      const body = readJsonBody(event);
      if (!body.ok) throw new ContactRequestError(400, 'invalid_json', 'The body is not JSON');
      const b = parse(schemaBodySchema, body.value, '(body)');
      const business = businessFor(b.businessId);
      const checked = checkSavedSchema({ attributes: b.attributes });
      if (!checked.ok) throw new ContactRequestError(400, 'invalid_request', checked.message);
      const schema = checked.value;
      const at = (deps.now ?? (() => new Date()))().toISOString();
      const saved = await deps.contacts.putAttributeSchema(business, schema, b.expectedVersion, at);
      if (!saved.ok && saved.refusal === 'changed_meanwhile') {
        const current = await deps.contacts.getAttributeSchema(business);
        throw new ContactRequestError(409, 'changed_meanwhile', `Someone saved version ${current.version} meanwhile: reload and apply your change again`, {
          version: current.version,
        });
      }
      if (!saved.ok) throw refusalError(saved.refusal, saved.message);
      return json(200, saved.value);
    }
    return json(404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof ContactRequestError) return json(err.status, { error: err.code, message: err.message, ...err.details });
    throw err;
  }
}
