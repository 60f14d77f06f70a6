import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { variablesFrom } from '../../../bin/templates';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { routeTemplatesRequest, type TemplatesApiDeps } from '#lambdas/templates/route-templates-request';

const ADMIN: OperatorIdentity = { subject: 's', actor: 's', businessId: 'b1', roles: ['admin'], scopes: [] };

/** Requests refused before any table or Graph call: the deps must never be touched. */
const untouchable = new Proxy({} as TemplatesApiDeps, {
  get(_t, key) {
    throw new Error(`touched ${String(key)}`);
  },
});

function request(method: string, path: string, body?: unknown, query?: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    rawPath: path,
    requestContext: { http: { method } },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(query ? { queryStringParameters: query } : {}),
  } as unknown as APIGatewayProxyEventV2;
}

const valid = { accountId: '100000000000001', customerId: '15557654321', name: 'delivery_update', language: 'en_US', requestId: 'r1' };

describe('templates API requests', () => {
  it.each([
    ['a body that is not JSON', '{', 'invalid_json'],
    ['no request id', { ...valid, requestId: undefined }, 'invalid_request'],
    ['both a customer and a conversation', { ...valid, conversationKey: 'wa:1:2' }, 'invalid_request'],
    ['an unknown field', { ...valid, template: 'x' }, 'invalid_request'],
    ['a customer id that is not a wa_id', { ...valid, customerId: '+1 555' }, 'invalid_request'],
    ['a map of buttons keyed by name', { ...valid, variables: { buttons: { track: 'x' } } }, 'invalid_request'],
    ['header media with a link and an id', { ...valid, variables: { headerMedia: { link: 'https://e.com/a.png', id: '1' } } }, 'invalid_request'],
  ])('answers 400 to %s', async (_case, body, error) => {
    const response = await routeTemplatesRequest(request('POST', '/templates/send', body), ADMIN, {}, untouchable);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body))).toMatchObject({ error });
  });

  it('answers 400 to a sync or list without a WABA id, and 404 to other routes', async () => {
    expect((await routeTemplatesRequest(request('POST', '/templates/sync', {}), ADMIN, {}, untouchable)).statusCode).toBe(400);
    expect((await routeTemplatesRequest(request('GET', '/templates', undefined, {}), ADMIN, {}, untouchable)).statusCode).toBe(400);
    expect((await routeTemplatesRequest(request('DELETE', '/templates/send'), ADMIN, {}, untouchable)).statusCode).toBe(404);
  });
});

describe('the CLI --var values', () => {
  it('makes numbered values a list in order, named ones a map, media a link or id, and buttons by index', () => {
    expect(variablesFrom(['body.2=Friday', 'body.1=A-1', 'header.1=A-1', 'button.0=A-1'])).toEqual({
      header: ['A-1'],
      body: ['A-1', 'Friday'],
      buttons: { '0': 'A-1' },
    });
    expect(variablesFrom(['body.first_name=Ana', 'body.date=Fri 3=4', 'header.media=https://example.com/a.png'])).toEqual({
      body: { first_name: 'Ana', date: 'Fri 3=4' },
      headerMedia: { link: 'https://example.com/a.png' },
    });
    expect(variablesFrom(['header.media=1234567890'])).toEqual({ headerMedia: { id: '1234567890' } });
  });
});
