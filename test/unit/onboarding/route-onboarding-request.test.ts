import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { type OnboardingApiDeps, routeOnboardingRequest } from '#lambdas/onboarding/route-onboarding-request';

const PLATFORM: OperatorIdentity = { subject: 's', actor: 's', businessId: 'ops', roles: ['platform'], scopes: [] };

const event = (method: string, path: string, body?: unknown, query?: Record<string, string>) =>
  ({
    rawPath: path,
    routeKey: `${method} ${path}`,
    requestContext: { http: { method }, requestId: 'r' },
    headers: {},
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(query ? { queryStringParameters: query } : {}),
  }) as unknown as APIGatewayProxyEventV2;

// Validation happens before any dependency is touched: a call on one fails the test.
const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('no dependency may be used');
    },
  },
) as OnboardingApiDeps;

describe('routeOnboardingRequest', () => {
  it.each([
    ['a body that is not JSON', event('POST', '/onboarding/whatsapp', '{nope'), /not JSON/],
    ['a WhatsApp request without the number id', event('POST', '/onboarding/whatsapp', { businessId: 'b', wabaId: '1', code: 'c' }), /phoneNumberId/],
    ['a PIN that is not 6 digits', event('POST', '/onboarding/whatsapp', { businessId: 'b', wabaId: '1', phoneNumberId: '2', pin: '12' }), /pin/],
    ['an Instagram request without the Page', event('POST', '/onboarding/instagram', { businessId: 'b', code: 'c' }), /pageId/],
    ['a progress query without ids', event('GET', '/onboarding/progress', undefined, { wabaId: '1' }), /invalid|Required|expected/i],
  ])('answers 400 to %s', async (_what, request, message) => {
    const response = await routeOnboardingRequest(request, PLATFORM, {}, untouchable);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body)).message).toMatch(message);
  });

  it('answers 404 to a route it does not serve', async () => {
    expect((await routeOnboardingRequest(event('DELETE', '/onboarding/whatsapp'), PLATFORM, {}, untouchable)).statusCode).toBe(404);
  });
});
