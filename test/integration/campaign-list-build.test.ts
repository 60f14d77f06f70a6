import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertChannelAccount } from '#lambdas/accounts/channel-account';
import { dynamoCampaignLookups } from '#lambdas/campaigns/campaign-lookups-store';
import { buildListStep, type ListBuildDeps } from '#lambdas/campaigns/campaign-list-build';
import { dynamoReleaseSources } from '#lambdas/campaigns/campaign-lookups-store';
import { CAMPAIGNS_ROUTES } from '#lambdas/campaigns/campaigns-api-contract';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { routeCampaignsRequest } from '#lambdas/campaigns/route-campaigns-request';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { templateKey, type StoredTemplate } from '#lambdas/templates/template-item';
import { ACCOUNT, BUSINESS, recordingPublisher, shippingTemplate, WABA } from '#test/helpers/campaign-fixtures';
import { queuedListBuilds, type BuildMessage } from '#test/helpers/campaign-list-builds';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/**
 * A contacts audience of 5,000 customers scheduled through the admin router against DynamoDB
 * Local: the request answers at once, and the list is built by the release function's build steps
 * (called here in a loop, as the ticks queue would deliver them), a chunk a step, with a step
 * delivered twice and a step that crashed half way through its chunk.
 */
const CONTACTS = Number(process.env.CAMPAIGN_BUILD_CONTACTS ?? 5_000);
let table: TestTable & { newTable(): Promise<string> };

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

async function putTemplate(tableName: string, t: StoredTemplate) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...templateKey(t.wabaId, t.name, t.language),
        entity: 'Template',
        wabaId: t.wabaId,
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.category,
        parameterFormat: t.parameterFormat,
        componentsJson: JSON.stringify(t.components),
      },
    }),
  );
}

const admin: OperatorIdentity = { subject: 'sub-admin', actor: 'admin@shop', businessId: BUSINESS, roles: ['admin'], scopes: ['omnichannel/admin'] };
const waId = (i: number) => `55219${String(i).padStart(8, '0')}`;

describe('building a list off the request', () => {
  it(`schedules ${CONTACTS.toLocaleString('en')} contacts at once and builds the list in chunks, a repeated step and a crashed one adding nobody twice`, async () => {
    const tableName = await table.newTable();
    const db = table.db;
    await upsertChannelAccount(db, tableName, { accountId: ACCOUNT, channel: 'whatsapp', businessId: BUSINESS, wabaId: WABA, status: 'active' });
    await putTemplate(tableName, shippingTemplate);
    const contacts = dynamoContactStore({ db, tableName });
    for (let i = 0; i < CONTACTS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, CONTACTS - i) }, (_, j) =>
          contacts.resolve(BUSINESS, [{ kind: 'whatsapp', value: waId(i + j), accountId: ACCOUNT }], {
            name: `Cliente ${i + j}`,
            at: '2026-04-01T10:00:00.000Z',
          }),
        ),
      );
    }
    const store = dynamoCampaignStore({ db, tableName });
    const publisher = recordingPublisher();
    const deps = { store, contacts, lookups: dynamoCampaignLookups({ db, tableName }), publisher };
    const call = async (method: string, path: string, query: Record<string, string>, body: unknown) => {
      const event = {
        version: '2.0',
        routeKey: `${method} ${path}`,
        rawPath: path,
        rawQueryString: '',
        headers: {},
        queryStringParameters: query,
        body: JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: { http: { method, path }, requestId: 'req-1' },
      } as unknown as APIGatewayProxyEventV2;
      const res = await routeCampaignsRequest(event, admin, deps);
      return { status: res.statusCode ?? 0, body: JSON.parse(String(res.body)) as Record<string, any> };
    };

    const created = await call(
      'POST',
      CAMPAIGNS_ROUTES.create.path,
      {},
      {
        name: 'Shipping notice',
        accountId: ACCOUNT,
        template: { name: 'order_shipped', language: 'en_US' },
        audience: { kind: 'contacts', variables: { 'header.first_name': { from: 'contact', field: 'first_name' }, order: { from: 'text', value: '#1' } } },
      },
    );
    expect(created.status).toBe(201);
    const campaignId = created.body.campaignId as string;

    const started = Date.now();
    const scheduled = await call('POST', CAMPAIGNS_ROUTES.schedule.path, { id: campaignId }, { expectedVersion: 1 });
    const answeredInMs = Date.now() - started;
    expect(scheduled).toMatchObject({ status: 200, body: { state: 'scheduled', list: { status: 'building', built: 0 }, counts: { targeted: 0 } } });
    // Nothing was listed in the request: it answered in the time of a few reads and writes.
    expect(answeredInMs).toBeLessThan(3_000);
    expect(await store.listEnd(BUSINESS, campaignId)).toBe(0);

    const builds = queuedListBuilds();
    // Decided in one step here (the chunks' sizes below assume it); test/integration/campaign-list-deciding.test.ts cuts the walk into many.
    const stepDeps: ListBuildDeps = {
      store,
      contacts,
      sources: dynamoReleaseSources({ db, tableName }),
      builds,
      publisher,
      decidingLimits: { ms: 600_000, contacts: CONTACTS + 1 },
    };
    const step = (message: BuildMessage) => buildListStep(message, stepDeps);

    // The first step decides the audience and stages it: the counts are known now.
    expect(await step({ kind: 'build', businessId: BUSINESS, campaignId, chunk: 0 })).toEqual({
      outcome: 'decided',
      targeted: CONTACTS,
      chunks: Math.ceil(CONTACTS / 1_000),
    });
    expect(await store.get(BUSINESS, campaignId)).toMatchObject({
      state: 'scheduled',
      list: { status: 'building', built: 0, nextChunk: 0 },
      counts: { targeted: CONTACTS },
    });

    const outcomes: string[] = [];
    let crashed = false;
    let repeated = false;
    while (builds.messages.length > 0) {
      const message = builds.messages.shift()!;
      if (!crashed && message.chunk === 2) {
        // An earlier delivery of chunk 2 wrote part of it and died.
        const list = (await store.get(BUSINESS, campaignId))!.list!;
        const staged = (await store.listChunk(BUSINESS, campaignId, list.attempt!, 2))!;
        await store.addRecipients(BUSINESS, campaignId, staged.firstSeq, staged.recipients.slice(0, 430));
        crashed = true;
      }
      const outcome = await step(message);
      outcomes.push(outcome.outcome);
      if (!repeated && message.chunk === 1) {
        // The same message delivered again after it was done.
        expect(await step(message)).toEqual({ outcome: 'ignored', reason: 'stale_chunk' });
        repeated = true;
      }
      if (outcome.outcome === 'written')
        expect((await store.get(BUSINESS, campaignId))!.list).toMatchObject({ status: 'building', built: (message.chunk + 1) * 1_000 });
    }
    expect(outcomes).toEqual([...Array.from({ length: Math.ceil(CONTACTS / 1_000) - 1 }, () => 'written'), 'ready']);

    const done = await store.get(BUSINESS, campaignId);
    expect(done).toMatchObject({
      state: 'scheduled',
      version: scheduled.body.version,
      list: { status: 'ready', built: CONTACTS },
      counts: { targeted: CONTACTS },
    });
    expect(await store.listEnd(BUSINESS, campaignId)).toBe(CONTACTS);
    expect(await store.getRelease(BUSINESS, campaignId)).toEqual({ nextSeq: 0, total: CONTACTS, tick: 0 });
    // Every customer once, in order.
    const seen = new Set<string>();
    for (let seq = 0; seq < CONTACTS; seq += 1_000) {
      const page = await store.recipientsFrom(BUSINESS, campaignId, seq, 1_000);
      for (const [i, r] of page.entries()) expect(r.seq).toBe(seq + i);
      for (const r of page) seen.add(r.waId);
    }
    expect(seen.size).toBe(CONTACTS);
    // Ready: told on the bus, which kicks the release loop.
    expect(publisher.events.map((e) => e.detail)).toMatchObject([
      { state: 'scheduled', previousState: 'draft' },
      { state: 'scheduled', campaignId },
    ]);
    // A step delivered after the end does nothing.
    expect(await step({ kind: 'build', businessId: BUSINESS, campaignId, chunk: 4 })).toEqual({ outcome: 'ignored', reason: 'not_building' });
  }, 600_000);
});
