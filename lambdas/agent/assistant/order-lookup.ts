import type { BusinessToolsAccess } from '#lambdas/agent/assistant/business-tools-source';
import type { OrderApiConfig } from '#lambdas/agent/assistant/business-tools-config';

/** The headers that tell the business's order API whose order is asked for (lambdas/agent/README.md). */
export const ORDER_API_HEADERS = {
  businessId: 'x-business-id',
  channel: 'x-customer-channel',
  accountId: 'x-customer-account-id',
  customerId: 'x-customer-id',
} as const;

export type OrderLookupResult =
  | { kind: 'found'; order: string }
  /** Missing, or not this customer's: the same answer, so the model learns nothing of other orders. */
  | { kind: 'not_found' }
  | { kind: 'error'; reason: 'refused_credentials' | 'bad_status' | 'unreadable' | 'unreachable' };

const MAX_BODY_CHARS = 64_000;

/**
 * `GET <url>/orders/<id>` on the conversation's business's own API, with the business and the
 * customer named in headers: the order id is the model's, everything else comes from the
 * conversation. No redirects are followed (they could carry the key elsewhere or off HTTPS).
 */
export async function lookupOrder(
  orderId: string,
  access: BusinessToolsAccess & { orderApi: OrderApiConfig },
  options: { fetch: typeof fetch; timeoutMs: number },
): Promise<OrderLookupResult> {
  let res: Response;
  let body: string;
  try {
    res = await options.fetch(`${access.orderApi.url.replace(/\/+$/, '')}/orders/${encodeURIComponent(orderId)}`, {
      method: 'GET',
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${access.orderApi.apiKey}`,
        [ORDER_API_HEADERS.businessId]: access.businessId,
        [ORDER_API_HEADERS.channel]: access.customer.channel,
        [ORDER_API_HEADERS.accountId]: access.customer.accountId,
        [ORDER_API_HEADERS.customerId]: access.customer.customerId,
      },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    body = await res.text();
  } catch {
    return { kind: 'error', reason: 'unreachable' };
  }
  // 403 is read as "not yours" too, so that an API answering it for another customer's order
  // tells the model no more than a missing order would.
  if (res.status === 404 || res.status === 403) return { kind: 'not_found' };
  if (res.status === 401) return { kind: 'error', reason: 'refused_credentials' };
  if (res.status !== 200) return { kind: 'error', reason: 'bad_status' };
  if (body.length > MAX_BODY_CHARS) return { kind: 'error', reason: 'unreadable' };
  let order: unknown;
  try {
    order = JSON.parse(body);
  } catch {
    return { kind: 'error', reason: 'unreadable' };
  }
  if (order === null || typeof order !== 'object' || Array.isArray(order)) return { kind: 'error', reason: 'unreadable' };
  return { kind: 'found', order: JSON.stringify(order) };
}
