import { describe, expect, it } from 'vitest';
import { integrationUpdateSchema } from '#lambdas/integrations/api/integration-admin';
import { INTEGRATION_EVENTS, INTEGRATION_KINDS, integrationInputSchema } from '#lambdas/integrations/integration-model';
import {
  bodyOf,
  formOf,
  INTEGRATION_EVENT_CHOICES,
  INTEGRATION_KIND_CHOICES,
  integrationPath,
  newIntegrationForm,
} from '../../../console/src/lib/integration-form.ts';

describe('the integrations admin form', () => {
  it('offers every kind and event the API knows, in its order', () => {
    expect([...INTEGRATION_KIND_CHOICES]).toEqual([...INTEGRATION_KINDS]);
    expect([...INTEGRATION_EVENT_CHOICES]).toEqual([...INTEGRATION_EVENTS]);
  });

  it('makes a creation body the API accepts, events in the list order', () => {
    const body = bodyOf({
      ...newIntegrationForm(),
      name: ' Orders ',
      baseUrl: 'https://hooks.acme.example/o',
      apiKey: 'k',
      events: ['conversation.closed', 'message.received'],
      lookup: true,
      lookupUrl: 'https://hooks.acme.example/lookup',
    });
    expect(body).toEqual({
      kind: 'webhook',
      name: 'Orders',
      baseUrl: 'https://hooks.acme.example/o',
      auth: { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'k' },
      events: ['message.received', 'conversation.closed'],
      rateLimitPerSecond: 10,
      lookup: false,
      lookupUrl: 'https://hooks.acme.example/lookup',
      enabled: true,
    });
    expect(integrationInputSchema.safeParse(body).success).toBe(true);
  });

  it('opens a saved integration without credentials and keeps them on save unless replaced', () => {
    const form = formOf({
      integrationId: 'i1',
      kind: 'hubspot',
      name: 'HubSpot',
      baseUrl: 'https://api.hubapi.com',
      authType: 'basic',
      events: ['contact.updated'],
      rateLimitPerSecond: 5,
      lookup: true,
      enabled: false,
      version: 3,
    });
    expect(form).toMatchObject({ replaceAuth: false, authType: 'basic', username: '', password: '', lookup: true, enabled: false, rateLimit: '5' });
    const kept = bodyOf(form, 3);
    expect(kept).not.toHaveProperty('auth');
    expect(kept).not.toHaveProperty('kind');
    expect(integrationUpdateSchema.safeParse(kept).success).toBe(true);
    const replaced = bodyOf(
      { ...form, replaceAuth: true, authType: 'oauth_client_credentials', tokenUrl: 'https://x.example/token', clientId: 'c', clientSecret: 's' },
      3,
    );
    expect(replaced.auth).toEqual({ type: 'oauth_client_credentials', tokenUrl: 'https://x.example/token', clientId: 'c', clientSecret: 's' });
  });

  it('sends a rate limit that is not a number as typed, for the API to name it', () => {
    expect(bodyOf({ ...newIntegrationForm(), rateLimit: 'fast' }).rateLimitPerSecond).toBe('fast');
    expect(integrationPath('/admin/integrations/{id}/test', 'a/b')).toBe('/admin/integrations/a%2Fb/test');
  });
});
