/**
 * The integrations admin API (scope `omnichannel/admin`; `integrations.read` / `integrations.write`:
 * admins and the platform team). A platform operator names the business with `?businessId=`;
 * anyone else acts on their own business and may name only that one. docs/integrations.md § Admin API.
 */
export const INTEGRATIONS_ROUTES = {
  /** → { items: Integration[] } */
  list: { method: 'GET', path: '/admin/integrations' },
  /** IntegrationInput → 201 { integration, signingSecret } (the signing secret is shown this once) */
  create: { method: 'POST', path: '/admin/integrations' },
  /** → Integration */
  get: { method: 'GET', path: '/admin/integrations/{id}' },
  /** { expectedVersion, ...IntegrationInput without kind; auth optional (kept when absent) } → Integration */
  update: { method: 'PUT', path: '/admin/integrations/{id}' },
  /** → { deleted: true, integrationId } (also for one already deleted) */
  remove: { method: 'DELETE', path: '/admin/integrations/{id}' },
  /** A signed call from our Lambda to the endpoint now → the recorded test delivery (test_ok / test_failed, HTTP status) */
  test: { method: 'POST', path: '/admin/integrations/{id}/test' },
  /** ?limit= (1–100, default 20) → { items: IntegrationDelivery[] } newest first */
  deliveries: { method: 'GET', path: '/admin/integrations/{id}/deliveries' },
} as const;

export type IntegrationsRoute = (typeof INTEGRATIONS_ROUTES)[keyof typeof INTEGRATIONS_ROUTES];
