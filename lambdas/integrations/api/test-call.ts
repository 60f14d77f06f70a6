import { randomBytes } from 'node:crypto';
import type { CredentialHeaders } from '#lambdas/integrations/credential-headers';
import { INTEGRATION_HEADER, withDeliveryParameters } from '#lambdas/integrations/delivery-parameters';
import type { IntegrationFetch } from '#lambdas/integrations/guarded-fetch';
import type { Integration, IntegrationKind } from '#lambdas/integrations/integration-model';
import type { IntegrationCredentials } from '#lambdas/integrations/integration-secrets';
import type { IntegrationDelivery } from '#lambdas/integrations/integration-store';
import { SALESFORCE_API_VERSION } from '#lambdas/integrations/mappers/salesforce';
import { bodyBytes, signatureOf, stableBody } from '#lambdas/integrations/signed-body';

/**
 * The admin's "test" button: one call made now, directly from our Lambda (not through EventBridge),
 * with the integration's credentials, recorded as a `test_ok` or `test_failed` delivery with the
 * HTTP status. It proves the URL answers and the credentials are accepted.
 *
 * - webhook: POST of a signed `integration.test` body to the base URL, shaped like a delivery
 *   (the `signature` and `idempotency_key` query parameters, `X-Omnichannel-Integration`, and no
 *   signature header: a receiver that passes the test verifies deliveries the same way);
 * - CRMs: a read that needs the credentials and changes nothing (HubSpot: one contact;
 *   Salesforce: the org's limits; Zendesk: the authenticated user).
 *
 * It waits 5 seconds at most, as EventBridge waits for an API destination.
 */
export const TEST_TIMEOUT_MS = 5_000;

export const CRM_PROBES: Readonly<Record<Exclude<IntegrationKind, 'webhook'>, string>> = {
  hubspot: '/crm/v3/objects/contacts?limit=1',
  salesforce: `/services/data/${SALESFORCE_API_VERSION}/limits`,
  zendesk: '/api/v2/users/me.json',
};

export interface TestCallDeps {
  fetch: IntegrationFetch;
  credentials: CredentialHeaders;
  now?: () => Date;
  timeoutMs?: number;
  newDeliveryId?: () => string;
}

export function testBody(integration: Pick<Integration, 'businessId' | 'integrationId'>, deliveryId: string, at: string) {
  return stableBody({
    v: 1,
    id: `test_${deliveryId}`,
    idempotencyKey: testIdempotencyKey(deliveryId),
    type: 'integration.test',
    occurredAt: at,
    businessId: integration.businessId,
    integrationId: integration.integrationId,
  });
}

const testIdempotencyKey = (deliveryId: string) => `test:${deliveryId}`;

export async function testCall(integration: Integration, credentials: IntegrationCredentials, deps: TestCallDeps): Promise<IntegrationDelivery> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const deliveryId = (deps.newDeliveryId ?? (() => randomBytes(16).toString('hex')))();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.timeoutMs ?? TEST_TIMEOUT_MS);
  const started = Date.now();
  const base = {
    businessId: integration.businessId,
    integrationId: integration.integrationId,
    deliveryId,
    eventType: 'integration.test' as const,
    at,
    requestedAt: at,
  };
  let request: { method: 'GET' | 'POST'; path: string } = { method: 'POST', path: '' };
  try {
    const auth = await deps.credentials.headersFor(credentials.auth, deps.fetch, controller.signal);
    let res: Response;
    if (integration.kind === 'webhook') {
      const bytes = bodyBytes(testBody(integration, deliveryId, at));
      const url = withDeliveryParameters(integration.baseUrl, {
        idempotencyKey: testIdempotencyKey(deliveryId),
        signature: signatureOf(bytes, credentials.signingSecret),
      });
      res = await deps.fetch(url, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'application/json; charset=utf-8',
          [INTEGRATION_HEADER.toLowerCase()]: integration.integrationId,
        },
        body: bytes,
        signal: controller.signal,
      });
    } else {
      request = { method: 'GET', path: CRM_PROBES[integration.kind] };
      res = await deps.fetch(`${integration.baseUrl.replace(/\/+$/, '')}${request.path}`, {
        method: 'GET',
        headers: { ...auth, accept: 'application/json' },
        signal: controller.signal,
      });
    }
    const answered = res.status >= 200 && res.status < 300;
    let anonymous = false;
    if (answered && integration.kind === 'zendesk') anonymous = await answeredAnonymously(res);
    else await res.arrayBuffer().catch(() => undefined);
    const ok = answered && !anonymous;
    return {
      ...base,
      method: request.method,
      path: request.path,
      status: ok ? 'test_ok' : 'test_failed',
      httpStatus: res.status,
      durationMs: Date.now() - started,
      ...(ok ? {} : { error: { code: anonymous ? 'credentials_not_used' : `http_${res.status}` } }),
    };
  } catch (err) {
    const name = (err as { name?: string } | null)?.name ?? 'Error';
    const code = controller.signal.aborted
      ? 'timeout'
      : name === 'EndpointRefusedError'
        ? 'endpoint_refused'
        : name === 'CredentialError'
          ? 'credentials_refused'
          : 'network_error';
    return { ...base, method: request.method, path: request.path, status: 'test_failed', durationMs: Date.now() - started, error: { code } };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Zendesk answers `users/me` with 200 and the anonymous user (`id: null`) when the request carries
 * no credentials it recognises as such (an API key put in a header Zendesk does not read): that
 * is not a pass.
 */
async function answeredAnonymously(res: Response): Promise<boolean> {
  const body = (await res.json().catch(() => undefined)) as { user?: { id?: unknown } } | undefined;
  return typeof body?.user?.id !== 'number';
}
