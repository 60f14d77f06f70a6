import type { Integration, IntegrationKind } from '#lambdas/integrations/integration-model';

/**
 * What a delivery carries besides its body, and where EventBridge can put it.
 *
 * A rule target's HttpParameters may read values from the event with a JSON path (`$.detail.x`)
 * everywhere except in HeaderParameters: "You can use dynamic JSON path parameters in
 * HttpParameters (except HeaderParameters)" (EventBridge user guide, Event bus targets → Target
 * parameters). A header value is sent as written. So the two values that change per delivery
 * travel in the query string, read from the event:
 *
 *   idempotency_key=<key>          every destination             `$.detail.idempotencyKey`
 *   signature=sha256=<hex>         webhooks                      `$.detail.request.signature`
 *
 * and the only header we add is a literal one, on webhooks: `X-Omnichannel-Integration: <id>`, so
 * a receiver serving several integrations knows which signing secret to check with before it
 * parses anything. The connection's credentials (API key header, Basic, OAuth bearer) are
 * EventBridge's own and unaffected.
 */
export const IDEMPOTENCY_PARAMETER = 'idempotency_key';
export const SIGNATURE_PARAMETER = 'signature';
export const INTEGRATION_HEADER = 'X-Omnichannel-Integration';
/** Our own calls (lookups) also carry the signature as a header, the scheme Meta uses. */
export const SIGNATURE_HEADER = 'X-Hub-Signature-256';

/** Query parameter names a delivery sets: a webhook URL may not use them itself. */
export const RESERVED_QUERY_PARAMETERS: readonly string[] = [IDEMPOTENCY_PARAMETER, SIGNATURE_PARAMETER];

/** Where the dynamic values sit in the `integration.delivery_requested` event. */
export const IDEMPOTENCY_KEY_PATH = '$.detail.idempotencyKey';
export const SIGNATURE_PATH = '$.detail.request.signature';

/** The target's QueryStringParameters for a kind: each value read from the event. */
export function queryStringParameters(kind: IntegrationKind): Record<string, string> {
  return {
    [IDEMPOTENCY_PARAMETER]: IDEMPOTENCY_KEY_PATH,
    ...(kind === 'webhook' ? { [SIGNATURE_PARAMETER]: SIGNATURE_PATH } : {}),
  };
}

/** The target's HeaderParameters: literal values only; undefined when the kind has none. */
export function staticHeaderParameters(integration: Pick<Integration, 'kind' | 'integrationId'>): Record<string, string> | undefined {
  return integration.kind === 'webhook' ? { [INTEGRATION_HEADER]: integration.integrationId } : undefined;
}

/** A URL with the delivery's query parameters set, as EventBridge sends it (for calls our Lambdas make themselves). */
export function withDeliveryParameters(url: string, values: { idempotencyKey?: string; signature?: string }): string {
  const out = new URL(url);
  if (values.idempotencyKey !== undefined) out.searchParams.set(IDEMPOTENCY_PARAMETER, values.idempotencyKey);
  if (values.signature !== undefined) out.searchParams.set(SIGNATURE_PARAMETER, values.signature);
  return out.toString();
}
