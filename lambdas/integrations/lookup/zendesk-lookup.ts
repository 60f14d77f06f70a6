import type { Contact } from '#lambdas/contacts/contact-model';
import type { CrmLookupResult } from '#lambdas/contacts/contact-ports';
import type { Integration, IntegrationAuth } from '#lambdas/integrations/integration-model';
import { crmContactId, e164, isStandInName } from '#lambdas/integrations/mappers/crm-fields';
import {
  authorizationHeaders,
  baseUrlOf,
  clientCredentialsToken,
  failureOf,
  isRecord,
  requestJson,
  stringField,
  tagsFrom,
  type JsonAnswer,
} from '#lambdas/integrations/lookup/crm-lookup-http';
import { CrmLookupError } from '#lambdas/integrations/errors';

/**
 * Zendesk: `GET /api/v2/users/search`, by `external_id` (our contact id, exact) and, in parallel, by
 * `query=phone:"<E.164>"` (Zendesk's search syntax; the value is E.164-checked before it goes in,
 * so it holds no quote or operator). The user with our id wins; otherwise the oldest phone match.
 *
 * Read back: the Zendesk user id, the name, the user's tags, and VIP from the user tag `vip`
 * (Zendesk's own tags, set by agents or triggers; the mapping never writes user tags).
 */

export const ZENDESK_VIP_TAG = 'vip';

interface ZendeskUser {
  id: string;
  createdAt: string;
  record: Record<string, unknown>;
}

function usersOf(answer: JsonAnswer): ZendeskUser[] {
  if (answer.status !== 200) throw failureOf('zendesk', answer.status);
  if (!isRecord(answer.json) || !Array.isArray(answer.json.users)) throw new CrmLookupError('zendesk', 'unreadable', answer.status);
  return answer.json.users
    .filter(isRecord)
    .filter((u) => (typeof u.id === 'number' && Number.isSafeInteger(u.id) && u.id > 0) || (typeof u.id === 'string' && /^\d{1,19}$/.test(u.id)))
    .filter((u) => u.active !== false)
    .map((u) => ({ id: String(u.id), createdAt: typeof u.created_at === 'string' ? u.created_at : '', record: u }));
}

export async function lookupZendeskUser(
  integration: Integration,
  credentials: IntegrationAuth,
  contact: Contact,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<CrmLookupResult | undefined> {
  const base = `${baseUrlOf(integration)}/api/v2/users/search`;
  const token = credentials.type === 'oauth_client_credentials' ? await clientCredentialsToken.get(credentials, fetchImpl, signal, 'zendesk') : undefined;
  const headers = authorizationHeaders(credentials, token);
  const ourId = crmContactId(contact.contactId);
  const phone = e164(contact);
  const [byId, byPhone] = await Promise.all([
    requestJson(fetchImpl, `${base}?external_id=${encodeURIComponent(ourId)}`, { method: 'GET', headers, signal }, 'zendesk'),
    phone ? requestJson(fetchImpl, `${base}?query=${encodeURIComponent(`phone:"${phone}"`)}`, { method: 'GET', headers, signal }, 'zendesk') : undefined,
  ]);
  const ours = usersOf(byId).find((u) => u.record.external_id === ourId);
  const found = ours ?? (byPhone ? usersOf(byPhone).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))[0] : undefined);
  if (!found) return undefined;
  const name = stringField(found.record, 'name', 255);
  const tags = tagsFrom(found.record.tags);
  return {
    crmIds: { zendesk: found.id },
    ...(name !== undefined && !isStandInName(name, contact) ? { name } : {}),
    ...(tags ? { tags } : {}),
    vip: tags?.includes(ZENDESK_VIP_TAG) ?? false,
  };
}
