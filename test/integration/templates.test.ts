import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerChannelAccountIfAbsent } from '#lambdas/accounts/channel-account';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { applyTemplateNotification } from '#lambdas/templates/apply-template-notification';
import { listTemplates } from '#lambdas/templates/list-templates';
import { requestTemplateSend, type TemplateSendDeps, type TemplateSendRequest } from '#lambdas/templates/request-template-send';
import { syncTemplates, type SyncTemplatesDeps } from '#lambdas/templates/sync-templates';
import { templateKey } from '#lambdas/templates/template-item';
import { createTemplateStore } from '#lambdas/templates/template-store';
import { seededTemplates, type SimTemplate } from '#lib/local-cloud/graph-simulator/template-store';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { templateStatusWebhook } from '#lib/local-cloud/graph-simulator/template-routes';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';
import { createSendContextStore } from '#lambdas/outbound/send-context-store';
import { TemplateRequestError } from '#lambdas/templates/errors';

const WABA = '200000000000001';
const PHONE = '100000000000001';
const CUSTOMER = '15557654321';
const TOKEN = 'templates-test-token';

/** Three more approved templates beyond the seeded five, so a page of three leaves three pages. */
const extra = (n: number): SimTemplate => ({
  id: `95000000000000${n}`,
  name: `notice_${n}`,
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'POSITIONAL',
  components: [{ type: 'BODY', text: `Notice ${n}: {{1}}` }],
});

let table: TestTable & { newTable(): Promise<string> };
let sim: GraphSimulator;
let tableName: string;
let published: DomainEvent[];
const graphGet = () => createOnboardingGraph({ baseUrl: sim.url, version: GRAPH_API_VERSION }).get;
const syncDeps = (): SyncTemplatesDeps => ({
  templates: createTemplateStore(table.db, tableName),
  accessTokenFor: async () => TOKEN,
  graphGet: graphGet(),
  pageSize: 3,
});

beforeAll(async () => {
  table = await startTestTable();
  sim = await startGraphSimulator({ port: 0, accessTokens: [TOKEN], templates: { [WABA]: [...seededTemplates(), extra(1), extra(2), extra(3)] } });
});
afterAll(async () => {
  await sim?.close();
  await table?.stop();
});
beforeEach(async () => {
  sim.reset();
  published = [];
  tableName = await table.newTable();
});

async function stored(name: string, language: string) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: templateKey(WABA, name, language), ConsistentRead: true }))).Item;
}

/** A template webhook through the real splitter, normalizer and recorder, then the consumer. */
async function deliverWebhook(body: unknown) {
  const [ingress] = splitWebhookBody(JSON.stringify(body), { receivedAt: new Date().toISOString() });
  const event = normalizeIngressEvent(ingress!);
  expect(event.kind).toBe('notification');
  await recordNormalizedEvent(event, { receivedAt: ingress!.receivedAt }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  return applyTemplateNotification(domainEventFor(event).detail, { templates: createTemplateStore(table.db, tableName) });
}

const statusWebhook = (name: string, language: string, status: string, atSec: number, reason?: string) => {
  const template = { ...seededTemplates().find((t) => t.name === name && t.language === language)!, status };
  return templateStatusWebhook(WABA, template, reason, atSec * 1000);
};

describe('template sync against the Graph simulator', () => {
  it('pages through every template and keeps one item per name and language', async () => {
    const result = await syncTemplates(WABA, syncDeps());
    expect(result).toMatchObject({ pages: 3, listed: 8, unreadable: 0, markedDeleted: 0 });
    const gets = sim.outbox().filter((e) => e.path.endsWith('/message_templates'));
    expect(gets).toHaveLength(3);

    const item = await stored('delivery_update', 'en_US');
    expect(item).toMatchObject({
      entity: 'Template',
      templateId: '900000000000001',
      status: 'APPROVED',
      category: 'UTILITY',
      qualityScore: 'GREEN',
      parameterFormat: 'POSITIONAL',
      headerFormat: 'TEXT',
      bodyParameterCount: 2,
      buttonTypes: 'URL,QUICK_REPLY',
      needsSync: false,
      syncedAt: result.syncedAt,
      statusUpdatedAt: result.syncedAt,
    });
    expect(JSON.parse(String(item?.componentsJson))).toHaveLength(4);
    expect(await stored('appointment_reminder', 'en_US')).toMatchObject({ parameterFormat: 'NAMED', bodyParameterNames: 'first_name,date,time' });
    expect(await stored('welcome_back', 'en_US')).toMatchObject({ status: 'REJECTED', rejectedReason: 'PROMOTIONAL' });
    expect((await listTemplates(WABA, { templates: createTemplateStore(table.db, tableName) })).map((t) => `${t.name}/${t.language}`)).toHaveLength(8);
  });

  it('is idempotent, and marks a template Meta no longer lists as deleted without forgetting it', async () => {
    await syncTemplates(WABA, syncDeps());
    await syncTemplates(WABA, syncDeps());
    expect(await listTemplates(WABA, { templates: createTemplateStore(table.db, tableName) })).toHaveLength(8);

    await fetch(`${sim.url}/_sim/templates`, {
      method: 'POST',
      body: JSON.stringify({ name: 'notice_9', language: 'en_US', components: [{ type: 'BODY', text: 'Hi' }] }),
    });
    const thenRemovedAtMeta = { ...syncDeps(), graphGet: withoutTemplate('notice_2') };
    const result = await syncTemplates(WABA, thenRemovedAtMeta);
    expect(result).toMatchObject({ listed: 8, markedDeleted: 1 });
    expect(await stored('notice_2', 'en_US')).toMatchObject({ status: 'DELETED', deletedAt: result.syncedAt, name: 'notice_2' });
    expect(await stored('notice_9', 'en_US')).toMatchObject({ status: 'APPROVED' });
  });

  it('leaves what a failed run wrote correct, marks nothing deleted, and completes on the next run', async () => {
    let calls = 0;
    const failingSecondPage: SyncTemplatesDeps['graphGet'] = async (path, query, token) => {
      calls += 1;
      if (calls === 2) throw new Error('network');
      return graphGet()(path, query, token);
    };
    await table.db.send(
      new PutCommand({ TableName: tableName, Item: { ...templateKey(WABA, 'gone_long_ago', 'en_US'), entity: 'Template', status: 'APPROVED' } }),
    );
    await expect(syncTemplates(WABA, { ...syncDeps(), graphGet: failingSecondPage })).rejects.toThrow('network');
    expect(await listTemplates(WABA, { templates: createTemplateStore(table.db, tableName) })).toHaveLength(4);
    expect(await stored('gone_long_ago', 'en_US')).toMatchObject({ status: 'APPROVED' });

    const result = await syncTemplates(WABA, syncDeps());
    expect(result).toMatchObject({ listed: 8, markedDeleted: 1 });
    expect(await stored('gone_long_ago', 'en_US')).toMatchObject({ status: 'DELETED' });
  });
});

function withoutTemplate(name: string): SyncTemplatesDeps['graphGet'] {
  return async (path, query, token) => {
    const body = (await graphGet()(path, query, token)) as { data: Array<{ name: string }> };
    return { ...body, data: body.data.filter((t) => t.name !== name) };
  };
}

describe('template webhooks', () => {
  it('updates status after a sync, and never lets an older webhook overwrite a newer one', async () => {
    await syncTemplates(WABA, syncDeps());
    const later = Math.floor(Date.now() / 1000) + 60;
    expect(await deliverWebhook(statusWebhook('delivery_update', 'en_US', 'PAUSED', later))).toEqual({ outcome: 'applied', created: false });
    expect(await stored('delivery_update', 'en_US')).toMatchObject({ status: 'PAUSED', needsSync: false });

    // Older news, delivered late: refused. The same news again: harmless.
    expect(await deliverWebhook(statusWebhook('delivery_update', 'en_US', 'APPROVED', later - 30))).toEqual({ outcome: 'stale' });
    expect(await stored('delivery_update', 'en_US')).toMatchObject({ status: 'PAUSED' });
    expect(await deliverWebhook(statusWebhook('delivery_update', 'en_US', 'APPROVED', later + 30))).toEqual({ outcome: 'applied', created: false });
    expect(await stored('delivery_update', 'en_US')).toMatchObject({ status: 'APPROVED' });

    // A sync older than the newest webhook keeps the webhook's status.
    await sim.reset();
    expect(await deliverWebhook(statusWebhook('welcome_back', 'en_US', 'APPROVED', later + 3600))).toMatchObject({ outcome: 'applied' });
    await syncTemplates(WABA, syncDeps());
    expect(await stored('welcome_back', 'en_US')).toMatchObject({ status: 'APPROVED' });
  });

  it('records a rejection reason, and creates a minimal item needing a sync for a template never synced', async () => {
    const at = Math.floor(Date.now() / 1000);
    expect(await deliverWebhook(statusWebhook('summer_offer', 'en_US', 'REJECTED', at, 'INCORRECT_CATEGORY'))).toEqual({ outcome: 'applied', created: true });
    expect(await stored('summer_offer', 'en_US')).toMatchObject({
      entity: 'Template',
      status: 'REJECTED',
      rejectedReason: 'INCORRECT_CATEGORY',
      templateId: '900000000000004',
      category: 'MARKETING',
      needsSync: true,
    });
    await syncTemplates(WABA, { ...syncDeps(), now: () => new Date((at + 5) * 1000) });
    expect(await stored('summer_offer', 'en_US')).toMatchObject({ status: 'APPROVED', needsSync: false });
  });

  it('records a pending category, then the change, and quality scores, from Meta-shaped webhooks', async () => {
    await syncTemplates(WABA, syncDeps());
    const t = Math.floor(Date.now() / 1000) + 10;
    const change = (value: Record<string, unknown>, time: number) => ({
      object: 'whatsapp_business_account',
      entry: [{ id: WABA, time, changes: [{ field: value.new_quality_score ? 'message_template_quality_update' : 'template_category_update', value }] }],
    });
    const ref = { message_template_id: 900000000000003, message_template_name: 'appointment_reminder', message_template_language: 'en-US' };
    await deliverWebhook(change({ ...ref, new_category: 'UTILITY', correct_category: 'MARKETING', category_update_timestamp: t + 86_400 }, t));
    expect(await stored('appointment_reminder', 'en_US')).toMatchObject({ category: 'UTILITY', pendingCategory: 'MARKETING' });
    await deliverWebhook(change({ ...ref, previous_category: 'UTILITY', new_category: 'MARKETING' }, t + 5));
    const after = await stored('appointment_reminder', 'en_US');
    expect(after).toMatchObject({ category: 'MARKETING', previousCategory: 'UTILITY' });
    expect(after?.pendingCategory).toBeUndefined();
    await deliverWebhook(change({ ...ref, previous_quality_score: 'GREEN', new_quality_score: 'YELLOW' }, t + 6));
    expect(await stored('appointment_reminder', 'en_US')).toMatchObject({ qualityScore: 'YELLOW', status: 'APPROVED' });
  });
});

describe('template send requests', () => {
  const deps = (): TemplateSendDeps => ({
    templates: createTemplateStore(table.db, tableName),
    registry: dynamoAccountRegistry(table.db, tableName),
    sendContext: createSendContextStore(table.db, tableName),
    retentionDays: 30,
    publisher: { publish: async (e: DomainEvent[]) => void published.push(...e) },
  });
  const send = (overrides: Partial<TemplateSendRequest>) =>
    requestTemplateSend({ accountId: PHONE, customerId: CUSTOMER, name: 'delivery_update', language: 'en_US', requestId: 'r1', ...overrides }, deps());
  const refusal = async (overrides: Partial<TemplateSendRequest>) => {
    const err = await send(overrides).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TemplateRequestError);
    return err as TemplateRequestError;
  };

  beforeEach(async () => {
    await registerChannelAccountIfAbsent(table.db, tableName, { accountId: PHONE, channel: 'whatsapp', businessId: 'local', wabaId: WABA, status: 'active' });
    await syncTemplates(WABA, syncDeps());
  });

  it('writes a pending template message and asks for it, once per request id', async () => {
    const variables = { header: ['A-1'], body: ['A-1', 'Friday'], buttons: { '0': 'A-1' } };
    const first = await send({ variables });
    const again = await send({ variables });
    expect(first).toMatchObject({ conversationKey: `wa:${PHONE}:${CUSTOMER}`, repeated: false });
    expect(again).toEqual({ ...first, repeated: true });
    const item = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#wa:${PHONE}:${CUSTOMER}`, sk: `MSG#${first.messageId}` } })))
      .Item;
    expect(item).toMatchObject({
      type: 'template',
      origin: 'campaign',
      status: 'pending',
      recipientId: CUSTOMER,
      template: {
        name: 'delivery_update',
        language: 'en_US',
        category: 'utility',
        components: expect.arrayContaining([
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'A-1' },
              { type: 'text', text: 'Friday' },
            ],
          },
        ]),
      },
    });
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({ source: EVENT_SOURCE.templates, detailType: DETAIL_TYPE.replyRequested, detail: { outboundId: first.messageId } });
  });

  it('refuses with the status, the component or the consent reason, writing nothing', async () => {
    expect(await refusal({ language: 'pt_BR' })).toMatchObject({ status: 404, code: 'template_not_found', message: expect.stringContaining('en_US, es') });
    expect(await refusal({ name: 'nope' })).toMatchObject({ status: 404, code: 'template_not_found' });
    expect(await refusal({ name: 'welcome_back' })).toMatchObject({ status: 409, code: 'template_not_approved', extra: { templateStatus: 'REJECTED' } });
    expect(await refusal({ variables: { header: ['A-1'], buttons: { '0': 'A-1' } } })).toMatchObject({ status: 422, extra: { component: 'body' } });
    expect(
      await refusal({ name: 'summer_offer', variables: { headerMedia: { link: 'https://example.com/a.png' }, body: ['Ana', 'S20'], buttons: { '0': 'S20' } } }),
    ).toMatchObject({
      status: 409,
      code: 'marketing_opt_in_missing',
    });
    expect(await refusal({ customerId: undefined, conversationKey: `wa:999:${CUSTOMER}` })).toMatchObject({ status: 400 });
    expect(await refusal({ accountId: '123' })).toMatchObject({ status: 404, code: 'account_not_found' });
    expect(published).toEqual([]);
  });

  it('sends a marketing template once the customer opted in', async () => {
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `ACCT#${PHONE}`, sk: `CONSENT#${CUSTOMER}`, entity: 'Consent', marketingOptInAt: '2026-01-01T00:00:00.000Z' },
      }),
    );
    const accepted = await send({
      name: 'summer_offer',
      requestId: 'm1',
      variables: { headerMedia: { link: 'https://example.com/a.png' }, body: ['Ana', 'S20'], buttons: { '0': 'S20' } },
    });
    expect(accepted.repeated).toBe(false);
    expect(published).toHaveLength(1);
  });
});
