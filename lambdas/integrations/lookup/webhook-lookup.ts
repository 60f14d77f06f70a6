import * as z from 'zod';
import type { Contact } from '#lambdas/contacts/contact-model';
import { bodyBytes, signatureOf, stableBody } from '#lambdas/integrations/signed-body';
import { INTEGRATION_HEADER, SIGNATURE_HEADER, withDeliveryParameters } from '#lambdas/integrations/delivery-parameters';
import type { IntegrationLookup } from '#lambdas/integrations/lookup/lookup-port';
import { LookupAnswerError } from '#lambdas/integrations/errors';

/**
 * The business's own lookup endpoint (`lookupUrl` of a webhook integration): one POST, signed like
 * the deliveries (HMAC-SHA256 over the exact body with the integration's signing secret, as the
 * `signature` query parameter, and since our Lambda makes this call, also as `X-Hub-Signature-256`)
 * and authenticated with the integration's credentials.
 *
 *   → { "businessId", "contactId", "identities": [{ "kind", "value", "accountId"? }], "phoneE164"?, "name"? }
 *   ← 200 { "crmId"?, "name"?, "tags"?: [...], "vip"?: bool, "attributes"?: { key: string|number|boolean } }
 *     404 (or 200 with `{}`): not known
 */
export const webhookLookupAnswerSchema = z.object({
  crmId: z.string().min(1).max(256).optional(),
  name: z.string().max(200).optional(),
  tags: z.array(z.string().max(40)).max(50).optional(),
  vip: z.boolean().optional(),
  attributes: z.record(z.string().max(40), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
});

export function webhookLookupRequest(businessId: string, contact: Contact) {
  return stableBody({
    businessId,
    contactId: contact.contactId,
    identities: contact.identities.map((i) => ({ kind: i.kind, value: i.value, ...(i.accountId ? { accountId: i.accountId } : {}) })),
    ...(contact.phoneE164 ? { phoneE164: contact.phoneE164 } : {}),
    ...(contact.name ? { name: contact.name } : {}),
  });
}

export const webhookLookup: IntegrationLookup = async (integration, credentials, contact, fetch, signal) => {
  if (!integration.lookupUrl) return undefined;
  const bytes = bodyBytes(webhookLookupRequest(integration.businessId, contact));
  const signature = signatureOf(bytes, credentials.signingSecret);
  const res = await fetch(withDeliveryParameters(integration.lookupUrl, { signature }), {
    method: 'POST',
    headers: {
      ...(await credentials.authHeaders(signal)),
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      [INTEGRATION_HEADER.toLowerCase()]: integration.integrationId,
      [SIGNATURE_HEADER.toLowerCase()]: signature,
    },
    body: bytes,
    signal,
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new LookupAnswerError(`http_${res.status}`);
  const parsed = webhookLookupAnswerSchema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new LookupAnswerError('answer_not_understood');
  const a = parsed.data;
  const result = {
    ...(a.crmId ? { crmIds: { external: a.crmId } } : {}),
    ...(a.name?.trim() ? { name: a.name.trim() } : {}),
    ...(a.tags?.length ? { tags: a.tags } : {}),
    ...(a.vip !== undefined ? { vip: a.vip } : {}),
    ...(a.attributes && Object.keys(a.attributes).length > 0 ? { attributes: a.attributes } : {}),
  };
  return Object.keys(result).length > 0 ? result : undefined;
};
