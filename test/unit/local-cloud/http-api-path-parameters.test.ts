import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApi, startHttpApi } from '#lib/local-cloud/http-api';

/** Routes with path variables (`/admin/integrations/{id}/test`) are matched as API Gateway matches them. */
describe('local HTTP API path variables', () => {
  let api: HttpApi;
  const seen: APIGatewayProxyEventV2[] = [];
  const route = (routeKey: string) => ({
    routeKey,
    invoke: async (event: APIGatewayProxyEventV2) => {
      seen.push(event);
      return { statusCode: 200, body: JSON.stringify({ routeKey: event.routeKey, pathParameters: event.pathParameters ?? null }) };
    },
  });

  beforeAll(async () => {
    api = await startHttpApi({
      port: 0,
      routes: [
        route('GET /admin/integrations'),
        route('GET /admin/integrations/{id}'),
        route('POST /admin/integrations/{id}/test'),
        route('GET /admin/integrations/{id}/deliveries'),
      ],
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const call = async (method: string, path: string) => {
    const res = await fetch(`${api.url}${path}`, { method });
    return { status: res.status, body: (await res.json()) as { routeKey?: string; pathParameters?: Record<string, string> | null } };
  };

  it('prefers an exact route and gives it no path parameters', async () => {
    expect(await call('GET', '/admin/integrations')).toEqual({ status: 200, body: { routeKey: 'GET /admin/integrations', pathParameters: null } });
  });

  it('fills each variable from its one path segment, decoded', async () => {
    expect(await call('GET', '/admin/integrations/iabc123def45')).toEqual({
      status: 200,
      body: { routeKey: 'GET /admin/integrations/{id}', pathParameters: { id: 'iabc123def45' } },
    });
    expect(await call('POST', '/admin/integrations/i%20x/test')).toEqual({
      status: 200,
      body: { routeKey: 'POST /admin/integrations/{id}/test', pathParameters: { id: 'i x' } },
    });
    expect(seen.at(-1)?.rawPath).toBe('/admin/integrations/i%20x/test');
  });

  it('answers 404 for a method or a depth no route has', async () => {
    expect((await call('DELETE', '/admin/integrations/iabc123def45')).status).toBe(404);
    expect((await call('GET', '/admin/integrations/a/b/deliveries')).status).toBe(404);
    expect((await call('POST', '/admin/integrations/iabc123def45/deliveries')).status).toBe(404);
  });
});
