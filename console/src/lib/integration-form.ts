/**
 * The integrations admin form ↔ the integrations API's bodies (docs/integrations.md § Admin API).
 * Credentials are write-only: a form opened on a saved integration starts with empty secret fields
 * and sends `auth` only when the admin chose to replace the credentials (absent = kept).
 */
import type { IntegrationEvent, IntegrationKind } from '../../../lambdas/integrations/integration-model.ts';

/** lambdas/integrations/integration-model.ts INTEGRATION_KINDS (that module brings zod; only its types are imported). */
export const INTEGRATION_KIND_CHOICES = ['webhook', 'hubspot', 'salesforce', 'zendesk'] as const satisfies readonly IntegrationKind[];

/** lambdas/integrations/integration-model.ts INTEGRATION_EVENTS, in the same order. */
export const INTEGRATION_EVENT_CHOICES = [
  'message.received',
  'message.sent',
  'message.status',
  'message.failed',
  'conversation.opened',
  'conversation.assigned',
  'conversation.closed',
  'template.sent',
  'contact.updated',
  'contact.merged',
] as const satisfies readonly IntegrationEvent[];

// A new kind or event in the model that the form does not offer fails the type-check here.
type Missing<All, Offered> = Exclude<All, Offered> extends never ? true : Exclude<All, Offered>;
const _allKinds: Missing<IntegrationKind, (typeof INTEGRATION_KIND_CHOICES)[number]> = true;
const _allEvents: Missing<IntegrationEvent, (typeof INTEGRATION_EVENT_CHOICES)[number]> = true;
void _allKinds;
void _allEvents;

export const AUTH_TYPES = ['api_key', 'basic', 'oauth_client_credentials'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** An integration as the API returns it (`Integration` + provisioning), read defensively. */
export interface IntegrationRow {
  integrationId: string;
  kind: IntegrationKind;
  name: string;
  baseUrl: string;
  authType?: AuthType;
  events?: string[];
  rateLimitPerSecond?: number;
  lookup?: boolean;
  lookupUrl?: string;
  enabled?: boolean;
  version: number;
  provisioning?: { state?: string; at?: string; error?: string };
}

/** One delivery (`GET /admin/integrations/{id}/deliveries`, or the answer of a test call). */
export interface DeliveryRow {
  deliveryId: string;
  eventType: string;
  status: 'requested' | 'dead_lettered' | 'test_ok' | 'test_failed' | string;
  at: string;
  httpStatus?: number;
  error?: { code?: string; message?: string };
}

export interface IntegrationForm {
  kind: IntegrationKind;
  name: string;
  baseUrl: string;
  /** On a saved integration: whether the admin is replacing the credentials. Always true for a new one. */
  replaceAuth: boolean;
  authType: AuthType;
  headerName: string;
  apiKey: string;
  username: string;
  password: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  events: string[];
  rateLimit: string;
  lookup: boolean;
  lookupUrl: string;
  enabled: boolean;
}

export function newIntegrationForm(): IntegrationForm {
  return {
    kind: 'webhook',
    name: '',
    baseUrl: '',
    replaceAuth: true,
    authType: 'api_key',
    headerName: 'X-Api-Key',
    apiKey: '',
    username: '',
    password: '',
    tokenUrl: '',
    clientId: '',
    clientSecret: '',
    scope: '',
    events: [],
    rateLimit: '10',
    lookup: false,
    lookupUrl: '',
    enabled: true,
  };
}

/** A saved integration in the form: its settings, and no secret (the API never returns them). */
export function formOf(row: IntegrationRow): IntegrationForm {
  const empty = newIntegrationForm();
  return {
    ...empty,
    kind: row.kind,
    name: row.name ?? '',
    baseUrl: row.baseUrl ?? '',
    replaceAuth: false,
    authType: AUTH_TYPES.find((a) => a === row.authType) ?? 'api_key',
    events: Array.isArray(row.events) ? row.events.filter((e): e is string => typeof e === 'string') : [],
    rateLimit: String(row.rateLimitPerSecond ?? 10),
    lookup: row.kind === 'webhook' ? typeof row.lookupUrl === 'string' : row.lookup === true,
    lookupUrl: row.lookupUrl ?? '',
    enabled: row.enabled !== false,
  };
}

function authOf(form: IntegrationForm): Record<string, string> {
  if (form.authType === 'api_key') return { type: 'api_key', headerName: form.headerName.trim(), apiKey: form.apiKey };
  if (form.authType === 'basic') return { type: 'basic', username: form.username, password: form.password };
  return {
    type: 'oauth_client_credentials',
    tokenUrl: form.tokenUrl.trim(),
    clientId: form.clientId,
    clientSecret: form.clientSecret,
    ...(form.scope.trim() ? { scope: form.scope.trim() } : {}),
  };
}

/**
 * The body of `POST /admin/integrations` (no `expectedVersion`) or of `PUT …/{id}` (with it: no
 * `kind`, and `auth` only when replaced). The API checks everything; a rate limit that is not a
 * number is sent as it is typed so the API's message names it.
 */
export function bodyOf(form: IntegrationForm, expectedVersion?: number): Record<string, unknown> {
  const rate = Number(form.rateLimit);
  const webhook = form.kind === 'webhook';
  return {
    ...(expectedVersion === undefined ? { kind: form.kind } : { expectedVersion }),
    name: form.name.trim(),
    baseUrl: form.baseUrl.trim(),
    ...(expectedVersion === undefined || form.replaceAuth ? { auth: authOf(form) } : {}),
    events: INTEGRATION_EVENT_CHOICES.filter((e) => form.events.includes(e)),
    rateLimitPerSecond: form.rateLimit.trim() !== '' && Number.isFinite(rate) ? rate : form.rateLimit,
    lookup: !webhook && form.lookup,
    ...(webhook && form.lookup && form.lookupUrl.trim() ? { lookupUrl: form.lookupUrl.trim() } : {}),
    enabled: form.enabled,
  };
}

/** `/admin/integrations/{id}` with the id filled in. */
export function integrationPath(template: string, integrationId: string): string {
  return template.replace('{id}', encodeURIComponent(integrationId));
}
