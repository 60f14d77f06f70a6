import type { Contact } from '#lambdas/contacts/contact-model';
import type { CrmLookupResult } from '#lambdas/contacts/contact-ports';
import type { Integration, IntegrationAuth } from '#lambdas/integrations/integration-model';
import { crmContactId, e164 } from '#lambdas/integrations/mappers/crm-fields';
import { HUBSPOT_CONTACT_ID_PROPERTY } from '#lambdas/integrations/mappers/hubspot';
import { authorizationHeaders, baseUrlOf, failureOf, isRecord, requestJson, stringField, tagsFrom, truthy } from '#lambdas/integrations/lookup/crm-lookup-http';
import { CrmLookupError } from '#lambdas/integrations/errors';

/**
 * HubSpot: `POST /crm/v3/objects/contacts/search`, one call. Filter groups are ORed: our contact id
 * (`omnichannel_contact_id`, written by the mapping), or the number in E.164 in `phone` or
 * `mobilephone` (HubSpot compares the stored text, so a number typed with spaces is not found).
 * The record carrying our id wins; otherwise the oldest match.
 *
 * Read back: the HubSpot id, the name (`firstname` + `lastname`), tags (`omnichannel_tags`, `;`
 * separated) and VIP (the `omnichannel_vip` checkbox, or a `vip` tag).
 */

export const HUBSPOT_VIP_PROPERTY = 'omnichannel_vip';
const PROPERTIES = ['firstname', 'lastname', 'phone', 'mobilephone', HUBSPOT_CONTACT_ID_PROPERTY, 'omnichannel_tags', HUBSPOT_VIP_PROPERTY];

export async function lookupHubSpotContact(
  integration: Integration,
  credentials: IntegrationAuth,
  contact: Contact,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<CrmLookupResult | undefined> {
  const ourId = crmContactId(contact.contactId);
  const phone = e164(contact);
  const filterGroups = [
    { filters: [{ propertyName: HUBSPOT_CONTACT_ID_PROPERTY, operator: 'EQ', value: ourId }] },
    ...(phone
      ? [{ filters: [{ propertyName: 'phone', operator: 'EQ', value: phone }] }, { filters: [{ propertyName: 'mobilephone', operator: 'EQ', value: phone }] }]
      : []),
  ];
  const answer = await requestJson(
    fetchImpl,
    `${baseUrlOf(integration)}/crm/v3/objects/contacts/search`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authorizationHeaders(credentials) },
      body: JSON.stringify({ filterGroups, properties: PROPERTIES, sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }], limit: 10 }),
      signal,
    },
    'hubspot',
  );
  if (answer.status !== 200) throw failureOf('hubspot', answer.status);
  if (!isRecord(answer.json) || !Array.isArray(answer.json.results)) throw new CrmLookupError('hubspot', 'unreadable', answer.status);

  const records = answer.json.results.filter(isRecord).filter((r) => typeof r.id === 'string' && /^\d{1,30}$/.test(r.id) && isRecord(r.properties));
  const ours = records.find((r) => (r.properties as Record<string, unknown>)[HUBSPOT_CONTACT_ID_PROPERTY] === ourId);
  const found = ours ?? records[0];
  if (!found) return undefined;
  const props = found.properties as Record<string, unknown>;
  const name = [stringField(props, 'firstname', 100), stringField(props, 'lastname', 100)].filter((p) => p !== undefined).join(' ');
  const tags = tagsFrom(props.omnichannel_tags);
  return {
    crmIds: { hubspot: found.id as string },
    ...(name !== '' ? { name } : {}),
    ...(tags ? { tags } : {}),
    vip: truthy(props[HUBSPOT_VIP_PROPERTY]) || (tags?.includes('vip') ?? false),
  };
}
