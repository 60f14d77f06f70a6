import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
} from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { integrationAdmin } from '#lambdas/integrations/api/integration-admin';
import { routeIntegrationsRequest } from '#lambdas/integrations/api/route-integrations-request';
import { testCall } from '#lambdas/integrations/api/test-call';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import type { IntegrationCredentials, IntegrationSecrets } from '#lambdas/integrations/integration-secrets';
import { dynamoIntegrationStore, type IntegrationStore } from '#lambdas/integrations/integration-store';
import { mapperRegistry } from '#lambdas/integrations/mappers/index';
import { verifySignature } from '#lambdas/integrations/signed-body';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

const eb = mockClient(EventBridgeClient);
let table: TestTable & { newTable(): Promise<string> };
let store: IntegrationStore;
let secretValues: Map<string, IntegrationCredentials>;
let removedSecrets: string[];
let endpoint: { url: string; server: Server; hits: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }>; status: number };
let ids: string[];

const secrets: IntegrationSecrets = {
  create: async (name, credentials) => {
    secretValues.set(`arn:${name}`, credentials);
    return `arn:${name}`;
  },
  put: async (id, credentials) => void secretValues.set(id, credentials),
  read: async (id) => secretValues.get(id),
  remove: async (id) => {
    removedSecrets.push(id);
    secretValues.delete(id);
  },
};

beforeAll(async () => {
  table = await startTestTable();
  const hits: typeof endpoint.hits = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(endpoint.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits, status: 204 };
});
afterAll(async () => {
  endpoint.server.closeAllConnections();
  await new Promise((r) => endpoint.server.close(r));
  await table?.stop();
});
beforeEach(async () => {
  store = dynamoIntegrationStore({ db: table.db, tableName: await table.newTable() });
  secretValues = new Map();
  removedSecrets = [];
  endpoint.hits.length = 0;
  endpoint.status = 204;
  ids = ['iaaaaaaaaaa1', 'iaaaaaaaaaa2', 'iaaaaaaaaaa3'];
  eb.reset();
  eb.on(CreateConnectionCommand).callsFake((i) => ({ ConnectionArn: `arn:aws:events:us-east-1:1:connection/${i.Name}/u` }));
  eb.on(UpdateConnectionCommand).callsFake((i) => ({ ConnectionArn: `arn:aws:events:us-east-1:1:connection/${i.Name}/u` }));
  eb.on(CreateApiDestinationCommand).callsFake((i) => ({ ApiDestinationArn: `arn:aws:events:us-east-1:1:api-destination/${i.Name}/u` }));
  eb.on(UpdateApiDestinationCommand).callsFake((i) => ({ ApiDestinationArn: `arn:aws:events:us-east-1:1:api-destination/${i.Name}/u` }));
  eb.on(PutRuleCommand).resolves({ RuleArn: 'arn:rule' });
  eb.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
  for (const command of [RemoveTargetsCommand, DeleteRuleCommand, DeleteApiDestinationCommand, DeleteConnectionCommand]) eb.on(command as never).resolves({});
});

function adminFor(allowLoopbackHttp: boolean) {
  const fetch = guardedFetch({ allowLoopback: allowLoopbackHttp });
  return integrationAdmin({
    store,
    secrets,
    provision: {
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
      busName: 'Omnichannel-local-events',
      invokeRoleArn: 'arn:aws:iam::1:role/invoke',
      deadLetterQueueArn: 'arn:aws:sqs:us-east-1:1:dead-letters',
      names: { namePrefix: 'Omnichannel-local-i-', secretPrefix: 'Omnichannel-local/integrations' },
      mappers: mapperRegistry,
    },
    testCall: (integration, credentials) => testCall(integration, credentials, { fetch, credentials: credentialHeaders(), timeoutMs: 2_000 }),
    allowLoopbackHttp,
    newId: () => ids.shift()!,
    newSigningSecret: () => 'd'.repeat(64),
    now: () => new Date('2026-12-07T12:00:00.000Z'),
  });
}

const who = (businessId: string, ...roles: OperatorRole[]): OperatorIdentity => ({
  subject: `sub-${businessId}`,
  actor: `${roles.join('+')}@${businessId}`,
  businessId,
  roles,
  scopes: ['omnichannel/admin'],
});

async function call(
  identity: OperatorIdentity,
  method: string,
  path: string,
  opts: { query?: Record<string, string>; body?: unknown; rawBody?: string } = {},
  allowLoopbackHttp = true,
  audit: AuditContext = {},
) {
  const event = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.rawBody !== undefined ? { body: opts.rawBody } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method, path }, requestId: 'req-1' },
  } as unknown as APIGatewayProxyEventV2;
  const res = await routeIntegrationsRequest(event, identity, { admin: adminFor(allowLoopbackHttp) }, audit);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}

const admin = who('acme', 'admin');
const webhookInput = () => ({
  kind: 'webhook',
  name: 'Orders backend',
  baseUrl: `${endpoint.url}/hooks`,
  auth: { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'sk_live_1' },
  events: ['message.received', 'conversation.closed'],
  lookupUrl: `${endpoint.url}/lookup`,
});

describe('creating an integration', () => {
  it('stores it, makes its resources, keeps the credentials in its own secret and shows the signing secret once', async () => {
    const audit: AuditContext = {};
    const created = await call(admin, 'POST', '/admin/integrations', { body: webhookInput() }, true, audit);
    expect(created.status).toBe(201);
    expect(created.body.signingSecret).toBe('d'.repeat(64));
    expect(created.body.integration).toMatchObject({
      businessId: 'acme',
      integrationId: 'iaaaaaaaaaa1',
      kind: 'webhook',
      authType: 'api_key',
      rateLimitPerSecond: 10,
      enabled: true,
      createdBy: 'admin@acme',
      provisioning: { state: 'provisioned', at: '2026-12-07T12:00:00.000Z' },
      resources: {
        signingSecretId: 'arn:Omnichannel-local/integrations/acme/iaaaaaaaaaa1',
        ruleName: 'Omnichannel-local-i-acme-iaaaaaaaaaa1',
        apiDestinationArns: { event: expect.any(String) },
      },
      version: 2,
    });
    expect(JSON.stringify(created.body.integration)).not.toContain('sk_live_1');
    expect(secretValues.get('arn:Omnichannel-local/integrations/acme/iaaaaaaaaaa1')).toEqual({ signingSecret: 'd'.repeat(64), auth: webhookInput().auth });
    expect(eb.commandCalls(CreateConnectionCommand)).toHaveLength(1);
    expect(audit).toEqual({ target: 'integration iaaaaaaaaaa1 acme', targetBusinessId: 'acme' });
    // Read back without the secret.
    const read = await call(admin, 'GET', '/admin/integrations/iaaaaaaaaaa1');
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('signingSecret');
    expect((await call(admin, 'GET', '/admin/integrations')).body.items.map((i: { integrationId: string }) => i.integrationId)).toEqual(['iaaaaaaaaaa1']);
  });

  it('refuses, with a message and nothing stored, what is not HTTPS, points inside, or mixes kinds', async () => {
    const refusals: Array<[unknown, boolean, RegExp]> = [
      [{ ...webhookInput(), baseUrl: 'http://hooks.acme.example/x' }, true, /baseUrl: must be https/],
      [{ ...webhookInput(), baseUrl: `${endpoint.url}/hooks` }, false, /baseUrl: must be https/],
      [{ ...webhookInput(), baseUrl: 'https://127.0.0.1/x', lookupUrl: undefined }, false, /baseUrl: must not point at this machine/],
      [{ ...webhookInput(), baseUrl: 'https://169.254.169.254/latest' }, true, /baseUrl: must not point at a private or reserved address/],
      [{ ...webhookInput(), baseUrl: 'https://user:pw@hooks.acme.example/x' }, true, /credentials belong in auth/],
      [{ ...webhookInput(), kind: 'hubspot', baseUrl: 'https://api.hubapi.com?x=1' }, true, /baseUrl: no query string/],
      // Every delivery sets these two in the query string; a URL of the business may not.
      [{ ...webhookInput(), baseUrl: `${endpoint.url}/hooks?signature=x` }, true, /baseUrl: the query may not name idempotency_key or signature/],
      [{ ...webhookInput(), baseUrl: `${endpoint.url}/hooks?tenant=1&idempotency_key=` }, true, /baseUrl: the query may not name/],
      [{ ...webhookInput(), lookupUrl: `${endpoint.url}/lookup?signature=1` }, true, /lookupUrl: the query may not name/],
      [{ ...webhookInput(), kind: 'hubspot', baseUrl: 'https://api.hubapi.com' }, true, /lookupUrl: only a webhook/],
      [{ ...webhookInput(), lookup: true }, true, /lookup: a webhook integration looks contacts up through its lookupUrl/],
      [{ ...webhookInput(), events: [] }, true, /events/],
      [{ ...webhookInput(), events: ['message.deleted'] }, true, /events/],
      [{ ...webhookInput(), auth: { type: 'api_key', headerName: 'X', apiKey: 'k', extra: 1 } }, true, /auth/],
      [{ ...webhookInput(), rateLimitPerSecond: 1000 }, true, /rateLimitPerSecond/],
      [{ ...webhookInput(), name: 'x'.repeat(200) }, true, /name/],
    ];
    for (const [body, loopback, message] of refusals) {
      const res = await call(admin, 'POST', '/admin/integrations', { body }, loopback);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await call(admin, 'POST', '/admin/integrations', { rawBody: '{nope' })).body.error).toBe('invalid_json');
    expect(await store.listIntegrations('acme')).toEqual([]);
    expect(secretValues.size).toBe(0);
    expect(eb.commandCalls(CreateConnectionCommand)).toHaveLength(0);
  });

  it('answers 502 with the stored integration and the secret when EventBridge refuses, and a save provisions again', async () => {
    eb.on(CreateApiDestinationCommand).rejects(Object.assign(new Error('quota'), { name: 'LimitExceededException' }));
    const created = await call(admin, 'POST', '/admin/integrations', { body: webhookInput() });
    expect(created.status).toBe(502);
    expect(created.body).toMatchObject({
      error: 'provisioning_failed',
      signingSecret: 'd'.repeat(64),
      integration: { provisioning: { state: 'failed', error: 'api destination event: LimitExceededException' } },
    });
    eb.on(CreateApiDestinationCommand).callsFake((i) => ({ ApiDestinationArn: `arn:aws:events:us-east-1:1:api-destination/${i.Name}/u` }));
    const saved = await call(admin, 'PUT', '/admin/integrations/iaaaaaaaaaa1', {
      body: { ...webhookInput(), kind: undefined, auth: undefined, expectedVersion: created.body.integration.version },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.provisioning.state).toBe('provisioned');
    // The connection got the stored credentials again.
    expect(eb.commandCalls(CreateConnectionCommand).at(-1)!.args[0].input.AuthParameters).toEqual({
      ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: 'sk_live_1' },
    });
  });

  it('stops at ten integrations per business', async () => {
    ids = Array.from({ length: 11 }, (_, i) => `ib${String(i).padStart(10, '0')}`);
    for (let i = 0; i < 10; i++) expect((await call(admin, 'POST', '/admin/integrations', { body: webhookInput() })).status).toBe(201);
    const eleventh = await call(admin, 'POST', '/admin/integrations', { body: webhookInput() });
    expect(eleventh).toMatchObject({ status: 409, body: { error: 'limit_reached' } });
  });
});

describe('changing and deleting', () => {
  beforeEach(async () => {
    await call(admin, 'POST', '/admin/integrations', { body: webhookInput() });
  });
  const base = () => ({ name: 'Renamed', baseUrl: `${endpoint.url}/hooks`, events: ['contact.updated'] });

  it('saves over the version read, keeps the kind and the credentials, and disabling removes the resources', async () => {
    const stale = await call(admin, 'PUT', '/admin/integrations/iaaaaaaaaaa1', { body: { ...base(), expectedVersion: 1 } });
    expect(stale).toMatchObject({ status: 409, body: { error: 'version_conflict', currentVersion: 2 } });
    expect((await call(admin, 'PUT', '/admin/integrations/iaaaaaaaaaa1', { body: { ...base(), kind: 'zendesk', expectedVersion: 2 } })).body.message).toMatch(
      /keeps its kind/,
    );
    const disabled = await call(admin, 'PUT', '/admin/integrations/iaaaaaaaaaa1', { body: { ...base(), enabled: false, expectedVersion: 2 } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({
      name: 'Renamed',
      enabled: false,
      events: ['contact.updated'],
      provisioning: { state: 'removed' },
      resources: { signingSecretId: expect.any(String) },
      version: 4,
    });
    expect(disabled.body.resources).not.toHaveProperty('connectionArn');
    expect(eb.commandCalls(DeleteConnectionCommand)).toHaveLength(1);
    // New credentials replace the stored ones; the signing secret stays.
    const rekeyed = await call(admin, 'PUT', '/admin/integrations/iaaaaaaaaaa1', {
      body: { ...base(), auth: { type: 'basic', username: 'u', password: 'p' }, expectedVersion: 4 },
    });
    expect(rekeyed.body).toMatchObject({ authType: 'basic', enabled: true, provisioning: { state: 'provisioned' } });
    expect([...secretValues.values()]).toEqual([{ signingSecret: 'd'.repeat(64), auth: { type: 'basic', username: 'u', password: 'p' } }]);
  });

  it('deletes resources, secret and config once, and answers a repeated delete the same', async () => {
    const first = await call(admin, 'DELETE', '/admin/integrations/iaaaaaaaaaa1');
    expect(first).toEqual({ status: 200, body: { deleted: true, integrationId: 'iaaaaaaaaaa1' } });
    expect(removedSecrets).toEqual(['arn:Omnichannel-local/integrations/acme/iaaaaaaaaaa1']);
    expect(eb.commandCalls(DeleteApiDestinationCommand)).toHaveLength(1);
    expect(await call(admin, 'DELETE', '/admin/integrations/iaaaaaaaaaa1')).toEqual(first);
    expect(eb.commandCalls(DeleteApiDestinationCommand)).toHaveLength(1);
    expect((await call(admin, 'GET', '/admin/integrations/iaaaaaaaaaa1')).status).toBe(404);
    expect((await call(admin, 'GET', '/admin/integrations')).body.items).toEqual([]);
  });
});

describe('testing and the delivery log', () => {
  beforeEach(async () => {
    await call(admin, 'POST', '/admin/integrations', { body: webhookInput() });
  });

  it('makes one signed, authenticated call now and records test_ok or test_failed with the status', async () => {
    const ok = await call(admin, 'POST', '/admin/integrations/iaaaaaaaaaa1/test');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'test_ok', httpStatus: 204, eventType: 'integration.test', method: 'POST' });
    const [hit] = endpoint.hits;
    expect(hit).toMatchObject({
      method: 'POST',
      headers: { 'x-api-key': 'sk_live_1', 'content-type': 'application/json; charset=utf-8', 'x-omnichannel-integration': 'iaaaaaaaaaa1' },
    });
    // Shaped like a delivery: the signature and the key in the query string, no signature header.
    const url = new URL(hit!.url, endpoint.url);
    expect(url.pathname).toBe('/hooks');
    expect(verifySignature(hit!.body, 'd'.repeat(64), url.searchParams.get('signature') ?? undefined)).toBe(true);
    expect(hit!.headers).not.toHaveProperty('x-hub-signature-256');
    const sent = JSON.parse(hit!.body.toString());
    expect(sent).toMatchObject({ v: 1, type: 'integration.test', businessId: 'acme', integrationId: 'iaaaaaaaaaa1' });
    expect(url.searchParams.get('idempotency_key')).toBe(sent.idempotencyKey);
    expect(sent.idempotencyKey).toMatch(/^test:[0-9a-f]{32}$/);

    endpoint.status = 401;
    const failed = await call(admin, 'POST', '/admin/integrations/iaaaaaaaaaa1/test');
    expect(failed.body).toMatchObject({ status: 'test_failed', httpStatus: 401, error: { code: 'http_401' } });

    const log = await call(admin, 'GET', '/admin/integrations/iaaaaaaaaaa1/deliveries', { query: { limit: '5' } });
    expect(log.body.items.map((d: { status: string; httpStatus: number }) => [d.status, d.httpStatus]).sort()).toEqual([
      ['test_failed', 401],
      ['test_ok', 204],
    ]);
    expect((await call(admin, 'GET', '/admin/integrations/iaaaaaaaaaa1/deliveries', { query: { limit: '500' } })).status).toBe(400);
  });

  it('does not call an endpoint the policy refuses (a loopback URL outside the local cloud)', async () => {
    const res = await call(admin, 'POST', '/admin/integrations/iaaaaaaaaaa1/test', {}, false);
    expect(res.body).toMatchObject({ status: 'test_failed', error: { code: 'endpoint_refused' } });
    expect(endpoint.hits).toEqual([]);
  });
});

describe('who may do what, for which business', () => {
  beforeEach(async () => {
    await call(admin, 'POST', '/admin/integrations', { body: webhookInput() });
  });

  it('lets only admins and the platform team in; supervisors and agents get 403', async () => {
    for (const role of ['agent', 'supervisor'] as const) {
      for (const [method, path] of [
        ['GET', '/admin/integrations'],
        ['POST', '/admin/integrations'],
        ['GET', '/admin/integrations/iaaaaaaaaaa1'],
        ['DELETE', '/admin/integrations/iaaaaaaaaaa1'],
        ['POST', '/admin/integrations/iaaaaaaaaaa1/test'],
      ] as const) {
        const res = await call(who('acme', role), method, path, { body: webhookInput() });
        expect(res, `${role} ${method} ${path}`).toMatchObject({ status: 403, body: { error: 'forbidden' } });
      }
    }
  });

  it('answers another business’s integration as not found, refuses naming another business, and makes the platform name one', async () => {
    const globex = who('globex', 'admin');
    for (const [method, path] of [
      ['GET', '/admin/integrations/iaaaaaaaaaa1'],
      ['DELETE', '/admin/integrations/iaaaaaaaaaa1'],
      ['POST', '/admin/integrations/iaaaaaaaaaa1/test'],
      ['GET', '/admin/integrations/iaaaaaaaaaa1/deliveries'],
    ] as const) {
      expect((await call(globex, method, path)).status, `${method} ${path}`).toBe(404);
      expect(await call(globex, method, path, { query: { businessId: 'acme' } }), `${method} ${path}`).toMatchObject({
        status: 403,
        body: { error: 'other_business' },
      });
    }
    expect((await call(globex, 'GET', '/admin/integrations')).body.items).toEqual([]);
    const platform = who('ops', 'platform');
    expect((await call(platform, 'GET', '/admin/integrations')).status).toBe(400);
    expect((await call(platform, 'GET', '/admin/integrations/iaaaaaaaaaa1', { query: { businessId: 'acme' } })).status).toBe(200);
    expect(await store.getIntegration('acme', 'iaaaaaaaaaa1')).toBeDefined();
  });

  it('answers 400, not 500, to hostile ids and queries, and 404/405 to unknown routes', async () => {
    expect((await call(admin, 'GET', `/admin/integrations/${'i'.repeat(3000)}`)).status).toBe(400);
    expect((await call(admin, 'GET', '/admin/integrations/%E0%A4%A')).status).toBe(400);
    expect((await call(admin, 'GET', '/admin/integrations/iaaaaaaaaaa1', { query: { businessId: '../x' } })).status).toBe(400);
    expect((await call(admin, 'GET', '/admin/integrations', { query: { extra: '1' } })).status).toBe(400);
    expect((await call(admin, 'GET', '/admin/integrations/iaaaaaaaaaa1/other')).status).toBe(404);
    expect((await call(admin, 'PATCH', '/admin/integrations')).status).toBe(405);
    expect((await call(admin, 'GET', '/admin/integrations/iaaaaaaaaaa1/test')).status).toBe(405);
  });
});
