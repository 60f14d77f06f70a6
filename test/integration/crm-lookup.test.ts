import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Contact } from '#lambdas/contacts/contact-model';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { cachedIntegrationDirectory } from '#lambdas/integrations/integration-directory';
import type { IntegrationCredentials } from '#lambdas/integrations/integration-secrets';
import { dynamoIntegrationStore, type IntegrationRecord, type IntegrationStore } from '#lambdas/integrations/integration-store';
import { createCrmLookup, identityHash, type CrmLookupDeps } from '#lambdas/integrations/lookup/crm-lookup';
import { verifySignature } from '#lambdas/integrations/signed-body';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** A real HTTP server playing a business's lookup endpoint: it checks the signature and the key, and answers as told. */
interface LookupServer {
  url: string;
  hits: Array<{ body: unknown; signatureOk: boolean; apiKey: string | undefined }>;
  close(): Promise<void>;
}
async function lookupServer(answer: (res: ServerResponse) => void, secret: string): Promise<LookupServer> {
  const hits: LookupServer['hits'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      hits.push({
        body: JSON.parse(raw.toString('utf8')),
        signatureOk: verifySignature(raw, secret, req.headers['x-hub-signature-256'] as string),
        apiKey: req.headers['x-api-key'] as string | undefined,
      });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/lookup`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (status: number, body: unknown) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const contact: Contact = {
  businessId: 'acme',
  contactId: 'c_01JABCDEFGHJKMNPQRSTVWXYZ0',
  name: 'Lucía Privada',
  phoneE164: '+5511987650301',
  identities: [{ kind: 'whatsapp', value: '5511987650301', linkedAt: '2026-12-01T00:00:00.000Z', linkedBy: 'channel' }],
  consent: {},
  tags: [],
  attributes: {},
  crmIds: {},
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 1,
};

let table: TestTable & { newTable(): Promise<string> };
let store: IntegrationStore;
let servers: LookupServer[];
let failures: Array<Record<string, unknown>>;
const secrets = new Map<string, IntegrationCredentials>();

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  store = dynamoIntegrationStore({ db: table.db, tableName: await table.newTable() });
  servers = [];
  failures = [];
  secrets.clear();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function webhookIntegration(id: string, lookupUrl: string): Promise<IntegrationRecord> {
  const signingSecret = id
    .padEnd(64, '0')
    .replace(/[^0-9a-f]/g, 'a')
    .slice(0, 64);
  secrets.set(`secret-${id}`, { signingSecret, auth: { type: 'api_key', headerName: 'X-Api-Key', apiKey: `key-${id}` } });
  const record: IntegrationRecord = {
    businessId: 'acme',
    integrationId: id,
    kind: 'webhook',
    name: id,
    baseUrl: 'https://hooks.acme.example/events',
    lookupUrl,
    authType: 'api_key',
    events: ['contact.updated'],
    rateLimitPerSecond: 10,
    lookup: false,
    enabled: true,
    resources: { signingSecretId: `secret-${id}` },
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    version: 1,
  };
  await store.createIntegration(record);
  return record;
}

function lookupOf(over: Partial<CrmLookupDeps> = {}) {
  return createCrmLookup({
    integrations: cachedIntegrationDirectory(store, { ttlMs: 0 }),
    store,
    secrets: { read: async (id) => secrets.get(id) },
    fetch: guardedFetch({ allowLoopback: true }),
    credentials: credentialHeaders(),
    onFailure: (f) => failures.push(f),
    ...over,
  });
}

describe('looking a contact up on a new conversation', () => {
  it('asks the business’s lookup URL, signed and authenticated, keeps only a clean answer, and caches it', async () => {
    const server = await lookupServer(
      json(200, {
        crmId: 'CUST-42',
        name: '  Lucía   P.  ',
        tags: ['VIP', 'bad tag!', 'gold'],
        vip: true,
        attributes: { plan: 'gold', 'Bad Key': 1, orders: 12 },
      }),
      'iwebhook0001'
        .padEnd(64, '0')
        .replace(/[^0-9a-f]/g, 'a')
        .slice(0, 64),
    );
    servers.push(server);
    await webhookIntegration('iwebhook0001', server.url);
    const lookup = lookupOf();

    const result = await lookup.lookup('acme', contact);
    expect(result).toEqual({ crmIds: { external: 'CUST-42' }, name: 'Lucía P.', tags: ['vip', 'gold'], vip: true, attributes: { plan: 'gold', orders: 12 } });
    expect(server.hits).toEqual([
      {
        body: {
          businessId: 'acme',
          contactId: contact.contactId,
          identities: [{ kind: 'whatsapp', value: '5511987650301' }],
          phoneE164: '+5511987650301',
          name: 'Lucía Privada',
        },
        signatureOk: true,
        apiKey: 'key-iwebhook0001',
      },
    ]);
    // Cached in the table: the second conversation does not call again.
    expect(await lookup.lookup('acme', contact)).toEqual(result);
    expect(server.hits).toHaveLength(1);
    expect(await store.getLookup('acme', 'iwebhook0001', identityHash(contact))).toEqual({ outcome: 'found', result });
    // Another identity linked since is another key: asked again.
    await lookup.lookup('acme', {
      ...contact,
      identities: [...contact.identities, { kind: 'instagram', value: '1784', accountId: '1784000', linkedAt: 'x', linkedBy: 'channel' }],
    });
    expect(server.hits).toHaveLength(2);
  });

  it('gives up on a slow endpoint within the second, keeps what the others answered, and remembers the failure briefly', async () => {
    const slow = await lookupServer((res) => setTimeout(() => json(200, { name: 'Too late' })(res), 3_000), 'x');
    const fast = await lookupServer(json(200, { crmId: 'F-1', tags: ['vip'] }), 'y');
    servers.push(slow, fast);
    await webhookIntegration('islow0000001', slow.url);
    await webhookIntegration('ifast0000001', fast.url);
    const lookup = lookupOf();

    const started = Date.now();
    const result = await lookup.lookup('acme', contact);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(1_600);
    expect(result).toEqual({ crmIds: { external: 'F-1' }, tags: ['vip'] });
    await new Promise((r) => setTimeout(r, 200));
    expect(failures).toEqual([{ businessId: 'acme', integrationId: 'islow0000001', kind: 'webhook', reason: 'timeout' }]);
    // Nothing of the customer in what is reported.
    expect(JSON.stringify(failures)).not.toMatch(/Lucía|5511987650301/);
    expect(await store.getLookup('acme', 'islow0000001', identityHash(contact))).toEqual({ outcome: 'failed' });

    // Within the minute the slow one is not asked again: the next lookup is quick.
    const again = Date.now();
    expect(await lookup.lookup('acme', contact)).toEqual(result);
    expect(Date.now() - again).toBeLessThan(500);
    expect(slow.hits).toHaveLength(1);
  });

  it('gives undefined within the budget when the only endpoint is slow, and undefined at once when nothing looks up', async () => {
    const slow = await lookupServer((res) => setTimeout(() => json(200, { name: 'Too late' })(res), 3_000), 'x');
    servers.push(slow);
    const lookup = lookupOf();
    const none = Date.now();
    expect(await lookup.lookup('acme', contact)).toBeUndefined();
    expect(Date.now() - none).toBeLessThan(300);

    await webhookIntegration('islow0000002', slow.url);
    const started = Date.now();
    expect(await lookup.lookup('acme', contact, 1_000)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_600);
  });

  it('remembers "not known" (404) for ten minutes and refuses endpoints that point inside', async () => {
    const missing = await lookupServer(json(404, { error: 'no such customer' }), 'x');
    servers.push(missing);
    await webhookIntegration('imissing0001', missing.url);
    const lookup = lookupOf();
    expect(await lookup.lookup('acme', contact)).toBeUndefined();
    expect(await lookup.lookup('acme', contact)).toBeUndefined();
    expect(missing.hits).toHaveLength(1);
    expect(await store.getLookup('acme', 'imissing0001', identityHash(contact))).toEqual({ outcome: 'not_found' });

    // In AWS (no loopback allowed) the same URL is refused before any connection.
    const aws = lookupOf({ fetch: guardedFetch({ allowLoopback: false }) });
    await webhookIntegration('iinside00001', missing.url.replace('/lookup', '/other'));
    await aws.lookup('acme', { ...contact, contactId: 'c_OTHER' });
    expect(failures).toContainEqual({ businessId: 'acme', integrationId: 'iinside00001', kind: 'webhook', reason: 'EndpointRefusedError' });
    expect(missing.hits).toHaveLength(1);
  });

  it('calls a CRM’s own lookup with the admin’s credentials and the guarded fetch', async () => {
    secrets.set('secret-crm', { signingSecret: 'b'.repeat(64), auth: { type: 'basic', username: 'u', password: 'p' } });
    await store.createIntegration({
      businessId: 'acme',
      integrationId: 'izendesk0001',
      kind: 'zendesk',
      name: 'Zendesk',
      baseUrl: 'https://acme.zendesk.com',
      authType: 'basic',
      events: ['conversation.closed'],
      rateLimitPerSecond: 10,
      lookup: true,
      enabled: true,
      resources: { signingSecretId: 'secret-crm' },
      createdAt: 'x',
      updatedAt: 'x',
      version: 1,
    });
    const calls: unknown[] = [];
    const lookup = lookupOf({
      lookups: {
        zendesk: async (integration, credentials, c, _fetch, signal) => {
          calls.push([integration.integrationId, credentials.auth, c.contactId, signal.aborted]);
          return { crmIds: { zendesk: '77' }, vip: false, tags: ['x'.repeat(80)] };
        },
      },
    });
    expect(await lookup.lookup('acme', contact)).toEqual({ crmIds: { zendesk: '77' }, vip: false });
    expect(calls).toEqual([['izendesk0001', { type: 'basic', username: 'u', password: 'p' }, contact.contactId, false]]);
  });
});
