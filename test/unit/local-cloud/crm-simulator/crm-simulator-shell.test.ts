import { CreateApiDestinationCommand, CreateConnectionCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { importCrmRoutesModule } from '#lib/local-cloud/crm-simulator/crm-routes';
import { CrmSimulatorClient } from '#lib/local-cloud/crm-simulator/crm-client';
import {
  startCrmSimulator,
  webhookSignature,
  type CrmRequest,
  type CrmRouteContext,
  type CrmSimulator,
  type CrmSimulatorOptions,
} from '#lib/local-cloud/crm-simulator/index';
import { startFixture, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';

let sim: CrmSimulator | undefined;
let fixture: EmulatorFixture | undefined;

afterEach(async () => {
  await sim?.close();
  await fixture?.close();
  sim = undefined;
  fixture = undefined;
});

/** Routes that echo what they were given, over a list of records. */
function echoRoutes() {
  const seen: CrmRequest[] = [];
  let resets = 0;
  return {
    seen,
    resets: () => resets,
    routes: {
      handle: (req: CrmRequest) => {
        seen.push(req);
        if (req.path === '/boom') throw new Error('a bug in the routes');
        return {
          status: req.method === 'POST' ? 201 : 200,
          body: { path: req.path, query: req.query, got: req.body },
          headers: { 'x-request-id': `r${seen.length}` },
        };
      },
      reset: () => {
        resets += 1;
        seen.length = 0;
      },
      records: () => ({ contacts: seen.filter((r) => r.method === 'POST').map((r) => r.body) }),
    },
  };
}

async function start(options: CrmSimulatorOptions = {}): Promise<{ sim: CrmSimulator; client: CrmSimulatorClient }> {
  sim = await startCrmSimulator({ port: 0, loadRoutesModule: async () => undefined, ...options });
  return { sim, client: new CrmSimulatorClient(sim.url) };
}

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${sim?.url}${path}`, {
    method: init.method ?? 'GET',
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as any, headers: res.headers };
}

describe('mounting', () => {
  it('hands a CRM its requests below its mount and records each in the outbox with credentials redacted', async () => {
    const echo = echoRoutes();
    const { client } = await start({ routes: { hubspot: echo.routes } });

    const res = await call('/hubspot/crm/v3/objects/contacts/batch/upsert?idProperty=omni_id', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer pat-na1-secret', 'x-api-key': 'k-123', 'idempotency-key': 'idem-1' },
      body: JSON.stringify({ inputs: [{ id: 'c-1' }] }),
    });

    expect(res.status).toBe(201);
    expect(res.json).toEqual({ path: '/crm/v3/objects/contacts/batch/upsert', query: { idProperty: 'omni_id' }, got: { inputs: [{ id: 'c-1' }] } });
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(echo.seen[0]).toMatchObject({ method: 'POST', baseUrl: `${sim?.url}/hubspot`, headers: { authorization: 'Bearer pat-na1-secret' } });

    const [entry] = await client.outbox('hubspot');
    expect(entry).toMatchObject({
      seq: 1,
      crm: 'hubspot',
      method: 'POST',
      path: '/hubspot/crm/v3/objects/contacts/batch/upsert',
      query: { idProperty: 'omni_id' },
      body: { inputs: [{ id: 'c-1' }] },
      status: 201,
      response: res.json,
    });
    expect(entry?.headers).toMatchObject({ authorization: 'Bearer [redacted]', 'x-api-key': '[redacted]', 'idempotency-key': 'idem-1' });
    expect(JSON.stringify(await client.outbox())).not.toContain('pat-na1-secret');
  });

  it('hands a form-encoded token request over as text and keeps the client secret out of the outbox', async () => {
    const echo = echoRoutes();
    const { client } = await start({ routes: { salesforce: echo.routes } });

    await call('/salesforce/services/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('id:shh').toString('base64')}` },
      body: 'grant_type=client_credentials&client_id=id&client_secret=shh',
    });

    expect(echo.seen[0]?.body).toBe('grant_type=client_credentials&client_id=id&client_secret=shh');
    const [entry] = await client.outbox('salesforce');
    expect(entry?.body).toEqual({ grant_type: 'client_credentials', client_id: 'id', client_secret: '[redacted]' });
    expect(entry?.headers.authorization).toBe('Basic [redacted]');
  });

  it('answers 501 for a CRM whose routes file is not there yet, 500 when its routes throw, 404 off the mounts', async () => {
    const echo = echoRoutes();
    const { client } = await start({ routes: { hubspot: echo.routes } });

    expect((await call('/zendesk/api/v2/tickets.json')).status).toBe(501);
    expect((await call('/hubspot/boom')).status).toBe(500);
    expect((await call('/elsewhere')).status).toBe(404);
    expect(await client.status()).toEqual({ hubspot: { state: 'mounted' }, salesforce: { state: 'missing' }, zendesk: { state: 'missing' } });
    expect((await client.outbox()).map((e) => [e.crm, e.status])).toEqual([
      ['zendesk', 501],
      ['hubspot', 500],
    ]);
  });

  it('mounts the routes modules beside it: HubSpot upserts a contact kept in its records', async () => {
    const { client } = await start({ loadRoutesModule: (crm) => importCrmRoutesModule(crm) });
    expect((await client.status()).hubspot).toEqual({ state: 'mounted' });

    const upsert = (token?: string) =>
      call('/hubspot/crm/v3/objects/contacts/batch/upsert', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ inputs: [{ idProperty: 'omnichannel_contact_id', id: 'ct-1', properties: { firstname: 'Ana' } }] }),
      });
    expect((await upsert()).status).toBe(401);
    expect((await upsert('pat-local')).status).toBe(200);
    expect(JSON.stringify(await client.records('hubspot'))).toContain('Ana');
    expect((await call('/hubspot/no/such/route')).status).toBe(404);
  });

  it('mounts a routes module by its export (factory with context, object or bare handler) and survives one that fails to load', async () => {
    const contexts: CrmRouteContext[] = [];
    await start({
      loadRoutesModule: async (crm) => {
        if (crm === 'hubspot') {
          return {
            createHubSpotRoutes: (ctx: CrmRouteContext) => {
              contexts.push(ctx);
              return { handle: () => ({ status: 200, body: { from: 'factory', base: ctx.baseUrl() } }) };
            },
          };
        }
        if (crm === 'salesforce') return { handleSalesforceRequest: () => ({ status: 200, body: { from: 'handler' } }) };
        throw new SyntaxError('Unexpected token in zendesk-routes.ts');
      },
    });

    expect((await call('/hubspot/x')).json).toEqual({ from: 'factory', base: `${sim?.url}/hubspot` });
    expect(contexts[0]?.crm).toBe('hubspot');
    expect((await call('/salesforce/x')).json).toEqual({ from: 'handler' });
    const zendesk = await call('/zendesk/x');
    expect(zendesk.status).toBe(501);
    expect(zendesk.json.error.message).toContain('Unexpected token');
    expect(sim?.status().zendesk).toEqual({ state: 'failed', error: 'Unexpected token in zendesk-routes.ts' });
  });
});

describe('faults', () => {
  it('answers the next N calls of one CRM with the injected status, then lets calls through', async () => {
    const echo = echoRoutes();
    const { client } = await start({ routes: { hubspot: echo.routes, zendesk: echo.routes } });
    await client.fault({ crm: 'hubspot', status: 500, count: 2 });
    await client.fault({ crm: 'hubspot', status: 429, headers: { 'Retry-After': '7' }, body: { status: 'error', category: 'RATE_LIMITS' } });

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('/hubspot/x', { method: 'POST', body: '{}' })).status);
    const throttled = (await client.outbox('hubspot'))[2];

    expect(statuses).toEqual([500, 500, 429, 201]);
    expect(throttled).toMatchObject({ fault: true, status: 429, response: { status: 'error', category: 'RATE_LIMITS' } });
    expect(echo.seen).toHaveLength(1);
    expect((await call('/zendesk/x')).status).toBe(200);
  });

  it('can answer late, for callers timing out', async () => {
    await start({ routes: { hubspot: echoRoutes().routes } });
    sim?.injectFault({ crm: 'hubspot', status: 200, delayMs: 150 });
    const started = Date.now();
    await call('/hubspot/x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('refuses a malformed fault with 400 and a message', async () => {
    await start();
    for (const body of [
      { crm: 'pipedrive', status: 500 },
      { crm: 'hubspot', status: 5000 },
      { crm: 'hubspot', status: 500, count: 0 },
      { crm: 'hubspot', status: 500, delayMs: 1e9 },
    ]) {
      const res = await call('/_crm/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toEqual(expect.any(String));
    }
    expect((await call('/_crm/faults', { method: 'POST', body: '{not json' })).status).toBe(400);
  });
});

describe('webhook receiver', () => {
  const body = JSON.stringify({ event: 'conversation.closed', conversationId: 'c-1' });

  it('records every body, and once told a secret answers 401 to a missing or wrong X-Hub-Signature-256', async () => {
    const { client } = await start();

    expect((await call('/webhook/acme', { method: 'POST', body })).status).toBe(200);
    await client.setWebhookSecret('whsec');
    const valid = await call('/webhook/acme', { method: 'POST', headers: { 'x-hub-signature-256': webhookSignature(body, 'whsec') }, body });
    const wrong = await call('/webhook/acme', { method: 'POST', headers: { 'x-hub-signature-256': webhookSignature(body, 'other') }, body });
    const missing = await call('/webhook/acme', { method: 'POST', body });

    expect([valid.status, wrong.status, missing.status]).toEqual([200, 401, 401]);
    const deliveries = await client.webhooks();
    expect(deliveries.map((d) => [d.path, d.signature, d.status])).toEqual([
      ['/acme', 'not_checked', 200],
      ['/acme', 'valid', 200],
      ['/acme', 'invalid', 401],
      ['/acme', 'missing', 401],
    ]);
    expect(deliveries[1]).toMatchObject({ body: { event: 'conversation.closed', conversationId: 'c-1' }, rawBody: body });
  });

  it('verifies the `signature` query parameter deliveries carry, and still accepts the header', async () => {
    const { client } = await start({ webhookSecret: 'whsec' });
    const signed = (secret: string) => encodeURIComponent(webhookSignature(body, secret));
    const query = await call(`/webhook/acme?tenant=1&idempotency_key=webhook:event:abc&signature=${signed('whsec')}`, { method: 'POST', body });
    const wrongQuery = await call(`/webhook/acme?signature=${signed('other')}`, { method: 'POST', body });
    // Either one valid is enough: a wrong query value next to a valid header passes.
    const header = await call(`/webhook/acme?signature=${signed('other')}`, {
      method: 'POST',
      headers: { 'x-hub-signature-256': webhookSignature(body, 'whsec') },
      body,
    });
    const empty = await call('/webhook/acme?signature=', { method: 'POST', body });

    expect([query.status, wrongQuery.status, header.status, empty.status]).toEqual([200, 401, 200, 401]);
    const deliveries = await client.webhooks();
    expect(deliveries.map((d) => d.signature)).toEqual(['valid', 'invalid', 'valid', 'missing']);
    expect(deliveries[0]!.query).toEqual({ tenant: '1', idempotency_key: 'webhook:event:abc', signature: webhookSignature(body, 'whsec') });
  });

  it('checks one path with its own secret', async () => {
    const { client } = await start({ webhookSecret: 'for-everyone' });
    await client.setWebhookSecret('for-beta', '/beta');

    const beta = await call('/webhook/beta', { method: 'POST', headers: { 'x-hub-signature-256': webhookSignature(body, 'for-beta') }, body });
    const alpha = await call('/webhook/alpha', { method: 'POST', headers: { 'x-hub-signature-256': webhookSignature(body, 'for-beta') }, body });
    expect([beta.status, alpha.status]).toEqual([200, 401]);
  });
});

describe('reset and records', () => {
  it('forgets requests, faults, webhooks and the routes records', async () => {
    const echo = echoRoutes();
    const { client } = await start({ routes: { hubspot: echo.routes } });
    await call('/hubspot/contacts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"ana@example.com"}' });
    await call('/webhook/x', { method: 'POST', body: '{}' });
    await client.fault({ crm: 'hubspot', status: 503, count: 5 });
    expect(await client.records('hubspot')).toEqual({ contacts: [{ email: 'ana@example.com' }] });

    await client.reset();

    expect(await client.outbox()).toEqual([]);
    expect(await client.webhooks()).toEqual([]);
    expect(echo.resets()).toBe(1);
    expect(await client.records('hubspot')).toEqual({ contacts: [] });
    expect((await call('/hubspot/contacts')).status).toBe(200);
    await expect(client.records('zendesk')).rejects.toThrow(/404/);
  });
});

describe('behind an EventBridge API destination', () => {
  it('gets the delivery once after two injected 500s, EventBridge retrying', async () => {
    fixture = await startFixture();
    const { client } = await start();
    const f = fixture;
    f.emulator.events.createEventBus('integrations');
    const connection = await f.eventBridge.send(
      new CreateConnectionCommand({
        Name: 'acme-webhook',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: 'acme-key' } },
      }),
    );
    const destination = await f.eventBridge.send(
      new CreateApiDestinationCommand({
        Name: 'acme-webhook',
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: client.webhookUrl('/acme'),
        HttpMethod: 'POST',
      }),
    );
    await f.eventBridge.send(
      new PutRuleCommand({ Name: 'acme', EventBusName: 'integrations', EventPattern: JSON.stringify({ detail: { integrationId: ['acme'] } }) }),
    );
    await f.eventBridge.send(
      new PutTargetsCommand({
        Rule: 'acme',
        EventBusName: 'integrations',
        Targets: [{ Id: 'webhook', Arn: destination.ApiDestinationArn, RoleArn: 'arn:aws:iam::000000000000:role/invoke', InputPath: '$.detail.request.body' }],
      }),
    );
    await client.fault({ crm: 'webhook', status: 500, count: 2 });

    await f.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'integrations',
            Source: 'io.omnichannel.integrations',
            DetailType: 'integration.delivery_requested',
            Detail: JSON.stringify({ integrationId: 'acme', request: { body: { event: 'conversation.closed' } } }),
          },
        ],
      }),
    );
    await f.emulator.events.settled();
    for (let i = 0; i < 40; i++) {
      await f.clock.advance(1_000);
      await f.emulator.events.settled();
    }

    const outbox = await client.outbox('webhook');
    expect(outbox.map((e) => [e.status, e.fault ?? false])).toEqual([
      [500, true],
      [500, true],
      [200, false],
    ]);
    expect(outbox[2]?.headers).toMatchObject({ 'x-api-key': '[redacted]', 'user-agent': 'Amazon/EventBridge/ApiDestinations' });
    const deliveries = await client.webhooks();
    expect(deliveries.map((d) => d.body)).toEqual([{ event: 'conversation.closed' }]);
  });
});

describe('a signed webhook delivery behind an EventBridge API destination', () => {
  it('verifies the signature EventBridge put in the query string from the event', async () => {
    fixture = await startFixture();
    const { client } = await start({ webhookSecret: 'whsec' });
    const f = fixture;
    f.emulator.events.createEventBus('integrations');
    const connection = await f.eventBridge.send(
      new CreateConnectionCommand({
        Name: 'acme-signed',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: 'acme-key' } },
      }),
    );
    const destination = await f.eventBridge.send(
      new CreateApiDestinationCommand({
        Name: 'acme-signed',
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: client.webhookUrl('/acme'),
        HttpMethod: 'POST',
      }),
    );
    await f.eventBridge.send(
      new PutRuleCommand({ Name: 'acme-signed', EventBusName: 'integrations', EventPattern: JSON.stringify({ detail: { integrationId: ['acme'] } }) }),
    );
    await f.eventBridge.send(
      new PutTargetsCommand({
        Rule: 'acme-signed',
        EventBusName: 'integrations',
        Targets: [
          {
            Id: 'webhook',
            Arn: destination.ApiDestinationArn,
            RoleArn: 'arn:aws:iam::000000000000:role/invoke',
            InputPath: '$.detail.request.body',
            HttpParameters: { QueryStringParameters: { idempotency_key: '$.detail.idempotencyKey', signature: '$.detail.request.signature' } },
          },
        ],
      }),
    );
    const put = (body: Record<string, unknown>, secret: string) =>
      f.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'integrations',
              Source: 'io.omnichannel.integrations',
              DetailType: 'integration.delivery_requested',
              Detail: JSON.stringify({
                integrationId: 'acme',
                idempotencyKey: `webhook:event:${String(body.n)}`,
                request: { body, signature: webhookSignature(JSON.stringify(body), secret) },
              }),
            },
          ],
        }),
      );
    await put({ event: 'conversation.closed', n: 1, name: 'Lucía “Luli” ✓' }, 'whsec');
    await f.emulator.events.settled();
    await put({ event: 'conversation.closed', n: 2 }, 'not-the-secret');
    await f.emulator.events.settled();

    const deliveries = await client.webhooks();
    expect(deliveries.map((d) => [d.signature, d.status, d.query.idempotency_key])).toEqual([
      ['valid', 200, 'webhook:event:1'],
      ['invalid', 401, 'webhook:event:2'],
    ]);
  });
});

describe('finding a routes module', () => {
  it('imports <crm>-routes.ts from a folder, and finds nothing where there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-routes-'));
    try {
      writeFileSync(
        join(dir, 'zendesk-routes.ts'),
        'export function createZendeskRoutes(ctx: { crm: string }) { return { handle: () => ({ status: 200, body: { crm: ctx.crm } }) }; }\n',
      );
      const folder = pathToFileURL(`${dir}/`);
      await start({ loadRoutesModule: (crm) => importCrmRoutesModule(crm, folder) });

      expect((await call('/zendesk/api/v2/tickets')).json).toEqual({ crm: 'zendesk' });
      expect(sim?.status()).toMatchObject({ zendesk: { state: 'mounted' }, hubspot: { state: 'missing' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
