import type { Contact } from '#lambdas/contacts/contact-model';
import type { CrmLookupResult } from '#lambdas/contacts/contact-ports';
import type { Integration, IntegrationAuth } from '#lambdas/integrations/integration-model';
import { crmContactId, e164, isStandInName } from '#lambdas/integrations/mappers/crm-fields';
import { SALESFORCE_API_VERSION, SALESFORCE_CONTACT_EXTERNAL_ID } from '#lambdas/integrations/mappers/salesforce';
import {
  authorizationHeaders,
  baseUrlOf,
  clientCredentialsToken,
  failureOf,
  isRecord,
  requestJson,
  stringField,
  tagsFrom,
  truthy,
  type JsonAnswer,
} from '#lambdas/integrations/lookup/crm-lookup-http';
import { CrmLookupError } from '#lambdas/integrations/errors';

/**
 * Salesforce: one SOQL query, `GET /services/data/v62.0/query?q=…`, over Contacts (see
 * mappers/salesforce.ts for why Contacts, not Leads): our external id, or the number in E.164 in
 * MobilePhone or Phone. The record with our id wins; otherwise the oldest.
 *
 * Every value put into the query is a string literal built by `soqlString`, which escapes what
 * SOQL's grammar gives meaning to inside quotes (`\` `'` `"` and line breaks): a customer's value can
 * never end the literal and add a condition. The values are also narrowed first (our id's alphabet,
 * E.164), so the escaping is the second line of defence, not the only one.
 *
 * OAuth integrations fetch a client-credentials token from their token URL; a 401 drops it and
 * the query is tried once more with a new one.
 */

export const SALESFORCE_VIP_FIELD = 'Omnichannel_VIP__c';
export const SALESFORCE_TAGS_FIELD = 'Omnichannel_Tags__c';

const SOQL_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A SOQL string literal (quotes included) holding `value` exactly; other control characters are dropped. */
export function soqlString(value: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (c) => SOQL_ESCAPES[c] ?? '').replace(/[\u0000-\u001F\u007F]/g, '');
  return `'${escaped}'`;
}

/** The lookup's query for one contact. */
export function salesforceLookupQuery(contact: Contact): string {
  const phone = e164(contact);
  const conditions = [`${SALESFORCE_CONTACT_EXTERNAL_ID} = ${soqlString(crmContactId(contact.contactId))}`];
  if (phone) conditions.push(`MobilePhone = ${soqlString(phone)}`, `Phone = ${soqlString(phone)}`);
  return (
    `SELECT Id, FirstName, LastName, ${SALESFORCE_CONTACT_EXTERNAL_ID}, ${SALESFORCE_TAGS_FIELD}, ${SALESFORCE_VIP_FIELD} ` +
    `FROM Contact WHERE ${conditions.join(' OR ')} ORDER BY CreatedDate ASC LIMIT 10`
  );
}

export async function lookupSalesforceContact(
  integration: Integration,
  credentials: IntegrationAuth,
  contact: Contact,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<CrmLookupResult | undefined> {
  const url = `${baseUrlOf(integration)}/services/data/${SALESFORCE_API_VERSION}/query?q=${encodeURIComponent(salesforceLookupQuery(contact))}`;
  const query = async (): Promise<JsonAnswer> => {
    const token = credentials.type === 'oauth_client_credentials' ? await clientCredentialsToken.get(credentials, fetchImpl, signal, 'salesforce') : undefined;
    return requestJson(fetchImpl, url, { method: 'GET', headers: authorizationHeaders(credentials, token), signal }, 'salesforce');
  };
  let answer = await query();
  if (answer.status === 401 && credentials.type === 'oauth_client_credentials' && !signal.aborted) {
    clientCredentialsToken.forget(credentials);
    answer = await query();
  }
  if (answer.status !== 200) throw failureOf('salesforce', answer.status);
  if (!isRecord(answer.json) || !Array.isArray(answer.json.records)) throw new CrmLookupError('salesforce', 'unreadable', answer.status);

  const ourId = crmContactId(contact.contactId);
  const records = answer.json.records.filter(isRecord).filter((r) => typeof r.Id === 'string' && /^[A-Za-z0-9]{15,18}$/.test(r.Id));
  const found = records.find((r) => r[SALESFORCE_CONTACT_EXTERNAL_ID] === ourId) ?? records[0];
  if (!found) return undefined;
  const name = [stringField(found, 'FirstName', 40), stringField(found, 'LastName', 80)].filter((p) => p !== undefined).join(' ');
  const tags = tagsFrom(found[SALESFORCE_TAGS_FIELD]);
  return {
    crmIds: { salesforce: found.Id as string, salesforceObject: 'Contact' },
    // The mapping names a contact without a name by its number or our id (LastName is required):
    // that stand-in is not a name to bring back.
    ...(name !== '' && !isStandInName(name, contact) ? { name } : {}),
    ...(tags ? { tags } : {}),
    vip: truthy(found[SALESFORCE_VIP_FIELD]) || (tags?.includes('vip') ?? false),
  };
}
