import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { CONTACTS_ADMIN_ROUTES as A, CONTACTS_AGENT_ROUTES as C, contactPath } from '#lambdas/contacts/api/contacts-api-contract';
import { routeContactsAdminRequest } from '#lambdas/contacts/api/route-contacts-admin-request';
import type { Contact } from '#lambdas/contacts/contact-model';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import { accountPk } from '#lambdas/conversation/table-keys';
import { routeRequest, type HumanAgentApiDeps } from '#lambdas/human-agent/route-request';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { consentSk } from '#lambdas/outbound/send-context';
import { fakeAccounts } from '#test/helpers/fake-accounts';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoHumanAgentStores } from '#lambdas/human-agent/human-agent-stores';

/**
 * The contacts routes of the operator APIs on DynamoDB Local with the real contact store: every
 * route's answer, roles, own and other business, hostile input, the audit context and the events.
 */
const ACCOUNTS = fakeAccounts([
  { accountId: '100', channel: 'whatsapp', businessId: 'b1' },
  { accountId: '17841', channel: 'instagram', businessId: 'b1' },
  { accountId: '200', channel: 'whatsapp', businessId: 'b2' },
]);
const WA_ID = '5511987654321';
const PHONE = '+5511987654321';
const IGSID = '1784100001';
const WA_KEY = `wa:100:${WA_ID}`;
const IG_KEY = `ig:17841:${IGSID}`;
const OTHER_KEY = 'wa:200:5522111000111';
const NEW_KEY = 'wa:100:5511900000009';

const who = (actor: string, roles: OperatorRole[], businessId = 'b1'): OperatorIdentity => ({
  subject: actor,
  actor,
  businessId,
  roles,
  scopes: ['omnichannel/agent', 'omnichannel/admin'],
});
const ANA = who('ana', ['agent']);
const SUE = who('sue', ['supervisor']);
const ADA = who('ada', ['admin']);
const OLGA = who('olga', ['agent'], 'b2');
const OTTO = who('otto', ['admin'], 'b2');
const OPS = who('ops', ['platform'], 'platform');
const NOBODY = who('nobody', []);

let table: TestTable & { newTable(): Promise<string> };
let store: ContactStore;
let deps: HumanAgentApiDeps;
let tableName: string;
let published: DomainEvent[];
let maria: Contact;
let mariaIg: Contact;
let otherBusiness: Contact;
let tick = 0;
const clock = () => new Date(Date.parse('2026-03-02T15:00:00.000Z') + tick++ * 1000);

type Opts = { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };

/** The event API Gateway hands the function: the route's template as its key, the path with its variables filled in. */
function request(route: { method: string; path: string }, opts: Opts = {}): APIGatewayProxyEventV2 {
  const rawPath = contactPath(route, opts.params ?? {});
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath,
    rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers: {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    requestContext: { http: { method: route.method, path: rawPath }, requestId: 'r1' } as APIGatewayProxyEventV2['requestContext'],
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
  };
}

async function call(identity: OperatorIdentity, route: { method: string; path: string }, opts: Opts = {}) {
  const audit: AuditContext = {};
  const admin = route.path.startsWith('/admin/');
  const res = await (admin
    ? routeContactsAdminRequest(request(route, opts), identity, audit, { contacts: store, now: clock })
    : routeRequest(request(route, opts), identity, audit, deps)
  ).catch((err: unknown) => {
    // serveOperatorRequest answers these in the Lambda; the routes throw them.
    if (err instanceof OperatorRequestError) return { statusCode: err.status, body: JSON.stringify({ error: err.code, message: err.message }) };
    throw err;
  });
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any>, text: String(res.body), audit };
}

async function putConversation(key: string, fields: Record<string, unknown>) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: conversationPk(key), sk: CONVERSATION_SK, entity: 'Conversation', conversationKey: key, state: 'human', ...fields },
    }),
  );
}

const updates = () => published.filter((e) => e.detailType === 'contact.updated');

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  tableName = await table.newTable();
  store = dynamoContactStore({ db: table.db, tableName });
  deps = {
    ...dynamoHumanAgentStores(table.db, tableName, 30),
    publisher: { publish: async (e) => void published.push(...e) },
    now: clock,
    botSettings: fixedBotSettings(demoBotSettings()),
    accounts: ACCOUNTS,
    contacts: store,
  };
  const at = '2026-03-01T10:00:00.000Z';
  maria = (
    await store.resolve(
      'b1',
      [
        { kind: 'whatsapp', value: WA_ID, accountId: '100' },
        { kind: 'phone', value: PHONE, accountId: '100' },
      ],
      { name: 'María López', at },
    )
  ).contact;
  mariaIg = (await store.resolve('b1', [{ kind: 'instagram', value: IGSID, accountId: '17841' }], { name: 'Mari Instagram', at })).contact;
  otherBusiness = (await store.resolve('b2', [{ kind: 'whatsapp', value: '5522111000111', accountId: '200' }], { name: 'Marta Globex', at })).contact;
  await putConversation(WA_KEY, { channel: 'whatsapp', accountId: '100', customerId: WA_ID, customerName: 'María López', contactId: maria.contactId });
  // Before the contacts consumer wrote its contact id: found through the customer's identity.
  await putConversation(IG_KEY, { channel: 'instagram', accountId: '17841', customerId: IGSID });
  await putConversation(OTHER_KEY, { channel: 'whatsapp', accountId: '200', customerId: '5522111000111', contactId: otherBusiness.contactId });
  await putConversation(NEW_KEY, { channel: 'whatsapp', accountId: '100', customerId: '5511900000009' });
  const schema = await store.putAttributeSchema(
    'b1',
    {
      attributes: [
        { key: 'plan', label: 'Plan', type: 'enum', options: ['basic', 'gold'], visibleToAgents: true, editableByAgents: true },
        { key: 'credit_limit', label: 'Credit limit', type: 'number', visibleToAgents: true, editableByAgents: false },
        { key: 'risk_notes', label: 'Risk notes', type: 'string', visibleToAgents: false, editableByAgents: false },
        { key: 'birthday', label: 'Birthday', type: 'date', visibleToAgents: true, editableByAgents: true },
      ],
    },
    0,
    at,
  );
  expect(schema.ok).toBe(true);
});

describe('reading contacts', () => {
  it("searches the business's contacts by name (accents or not) and by a phone typed any way", async () => {
    const byName = await call(ANA, C.search, { query: { q: 'mari' } });
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body.items.map((c: { contactId: string }) => c.contactId).sort()).toEqual([maria.contactId, mariaIg.contactId].sort());
    expect(byName.body.items.find((c: { contactId: string }) => c.contactId === maria.contactId)).toEqual({
      contactId: maria.contactId,
      name: 'María López',
      phoneE164: PHONE,
      channels: ['whatsapp'],
      tags: [],
    });
    const byPhone = await call(ANA, C.search, { query: { q: '+55 11 98765' } });
    expect(byPhone.body.items.map((c: { contactId: string }) => c.contactId)).toEqual([maria.contactId]);
    expect(byName.audit).toEqual({ target: 'contacts search', targetBusinessId: 'b1' });
    // Another business's agent searching the same text finds only its own.
    const other = await call(OLGA, C.search, { query: { q: 'mar' } });
    expect(other.body.items.map((c: { contactId: string }) => c.contactId)).toEqual([otherBusiness.contactId]);
    expect(other.text).not.toContain('María');
  });

  it('reads a contact whole: identities, consent on every channel, tags, attributes with their labels, merges', async () => {
    await store.update(
      'b1',
      maria.contactId,
      undefined,
      { attributes: { set: { plan: 'gold', credit_limit: 5000, risk_notes: 'pays late' } }, crmIds: { hubspot: '901' } },
      '2026-03-01T11:00:00.000Z',
    );
    const read = await call(ANA, C.read, { params: { contactId: maria.contactId } });
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({
      businessId: 'b1',
      contactId: maria.contactId,
      name: 'María López',
      phoneE164: PHONE,
      consent: { whatsapp: null, instagram: null, messenger: null },
      tags: [],
      crmIds: { hubspot: '901' },
      merges: [],
    });
    expect(read.body.identities.map((i: { kind: string; channel: string; value: string }) => [i.kind, i.channel, i.value])).toEqual(
      expect.arrayContaining([
        ['whatsapp', 'whatsapp', WA_ID],
        ['phone', 'phone', PHONE],
      ]),
    );
    // An agent sees what the admin made visible, and may edit only what it marked editable.
    expect(read.body.attributes).toEqual([
      { key: 'plan', label: 'Plan', type: 'enum', value: 'gold', options: ['basic', 'gold'], editable: true, defined: true },
      { key: 'credit_limit', label: 'Credit limit', type: 'number', value: 5000, editable: false, defined: true },
      { key: 'birthday', label: 'Birthday', type: 'date', editable: true, defined: true },
    ]);
    expect(read.text).not.toContain('pays late');
    const asAdmin = await call(ADA, C.read, { params: { contactId: maria.contactId } });
    expect(asAdmin.body.attributes.find((a: { key: string }) => a.key === 'risk_notes')).toMatchObject({ value: 'pays late', editable: true });
    expect(read.audit).toEqual({ target: `contact ${maria.contactId}`, targetBusinessId: 'b1' });
  });

  it("finds a conversation's contact by the id on the conversation, else by the customer's identity", async () => {
    const byId = await call(ANA, C.ofConversation, { params: { key: WA_KEY } });
    expect(byId.status, byId.text).toBe(200);
    expect(byId.body.contactId).toBe(maria.contactId);
    expect(byId.audit).toEqual({ target: WA_KEY, targetBusinessId: 'b1' });
    const byIdentity = await call(ANA, C.ofConversation, { params: { key: IG_KEY } });
    expect(byIdentity.body).toMatchObject({ contactId: mariaIg.contactId, name: 'Mari Instagram' });
    const none = await call(ANA, C.ofConversation, { params: { key: NEW_KEY } });
    expect(none).toMatchObject({ status: 404, body: { error: 'contact_not_found' } });
    // A platform operator reaches it through the conversation, naming nothing.
    expect((await call(OPS, C.ofConversation, { params: { key: WA_KEY } })).body.contactId).toBe(maria.contactId);
  });

  it("answers another business's contact and conversation as not found, and shows none of it", async () => {
    for (const [route, params] of [
      [C.read, { contactId: otherBusiness.contactId }],
      [C.ofConversation, { key: OTHER_KEY }],
    ] as const) {
      const res = await call(ANA, route, { params });
      expect(res.status, res.text).toBe(404);
      expect(['contact_not_found', 'conversation_not_found']).toContain(res.body.error);
      expect(res.text).not.toContain('Marta');
      expect(res.text).not.toContain('5522111000111');
    }
    // Naming the other business is refused outright; the platform team names it and reads it.
    expect(await call(ANA, C.read, { params: { contactId: otherBusiness.contactId }, query: { businessId: 'b2' } })).toMatchObject({
      status: 403,
      body: { error: 'other_business' },
    });
    expect(await call(OPS, C.read, { params: { contactId: otherBusiness.contactId } })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await call(OPS, C.read, { params: { contactId: otherBusiness.contactId }, query: { businessId: 'b2' } })).toMatchObject({
      status: 200,
      body: { name: 'Marta Globex' },
    });
  });

  it('refuses a caller without the role, and bad queries with a message', async () => {
    expect(await call(NOBODY, C.read, { params: { contactId: maria.contactId } })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    for (const contactId of ['c_nope', 'x'.repeat(5000), 'c_01HZX7Q2K8M4N6P8R0T2V4W6YU', '%E0%A4%A']) {
      const res = await call(ANA, C.read, { params: { contactId } });
      expect(res.status, contactId.slice(0, 40)).toBe(400);
      expect(res.body.message).toMatch(/contactId/);
    }
    // Another route, or a path with more segments, is not one of the contacts routes.
    expect((await call(ANA, { method: 'GET', path: `/agent/contacts/${maria.contactId}/secrets` })).body.error).toBe('route_not_found');
    expect((await call(ANA, C.search, { query: { q: 'm'.repeat(101) } })).status).toBe(400);
    expect((await call(ANA, C.search, { query: { q: '  ' } })).status).toBe(400);
    expect((await call(ANA, C.search, { query: { q: 'mar', limit: '5000' } })).status).toBe(400);
    expect((await call(ANA, C.ofConversation, { params: { key: 'k'.repeat(1001) } })).status).toBe(400);
  });
});

describe('changing a contact', () => {
  it('tags and untags, announcing the change with ids only; a repeat changes and announces nothing', async () => {
    const tagged = await call(ANA, C.tags, { params: { contactId: maria.contactId }, body: { add: ['VIP', 'wholesale'] } });
    expect(tagged.status, tagged.text).toBe(200);
    expect(tagged.body.tags).toEqual(['vip', 'wholesale']);
    expect(tagged.audit).toEqual({ target: `contact ${maria.contactId}`, targetBusinessId: 'b1' });
    expect(updates()).toEqual([
      expect.objectContaining({
        source: 'io.omnichannel.contacts',
        detail: expect.objectContaining({ v: 1, businessId: 'b1', contactId: maria.contactId, changed: ['tags'], version: tagged.body.version }),
      }),
    ]);
    expect(JSON.stringify(published)).not.toContain('María');
    expect((await call(ANA, C.tags, { params: { contactId: maria.contactId }, body: { add: ['vip'] } })).status).toBe(200);
    expect(updates()).toHaveLength(1);
    const untagged = await call(ANA, C.tags, { params: { contactId: maria.contactId }, body: { remove: ['wholesale'] } });
    expect(untagged.body.tags).toEqual(['vip']);
    expect((await store.get('b1', maria.contactId))?.tags).toEqual(['vip']);
  });

  it('refuses bad tags, a tag both added and removed, and more than 50 tags', async () => {
    for (const body of [{ add: ['no spaces'] }, { add: ['a'], remove: ['a'] }, {}, { add: ['ok'], extra: true }]) {
      const res = await call(ANA, C.tags, { params: { contactId: maria.contactId }, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toBeTruthy();
    }
    const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`);
    expect((await call(ANA, C.tags, { params: { contactId: maria.contactId }, body: { add: fifty } })).status).toBe(200);
    expect(await call(ANA, C.tags, { params: { contactId: maria.contactId }, body: { add: ['one-more'] } })).toMatchObject({
      status: 400,
      body: { error: 'too_many_tags' },
    });
    expect((await call(ANA, C.tags, { params: { contactId: maria.contactId }, body: '{not json' })).body.error).toBe('invalid_json');
    expect((await call(ANA, C.tags, { params: { contactId: maria.contactId }, body: '[1,2]' })).status).toBe(400);
  });

  it('lets agents edit the attributes marked for them, admins any; values are typed by the schema', async () => {
    const edited = await call(ANA, C.attributes, { params: { contactId: maria.contactId }, body: { attributes: { plan: 'gold', birthday: '1990-02-28' } } });
    expect(edited.status, edited.text).toBe(200);
    expect(
      edited.body.attributes.filter((a: { value?: unknown }) => a.value !== undefined).map((a: { key: string; value: unknown }) => [a.key, a.value]),
    ).toEqual([
      ['plan', 'gold'],
      ['birthday', '1990-02-28'],
    ]);
    expect(updates().at(-1)?.detail).toMatchObject({ changed: ['attributes'] });

    const refused = await call(ANA, C.attributes, { params: { contactId: maria.contactId }, body: { attributes: { credit_limit: 1_000_000 } } });
    expect(refused).toMatchObject({ status: 403, body: { error: 'forbidden', attributes: ['credit_limit'] } });
    expect((await store.get('b1', maria.contactId))?.attributes.credit_limit).toBeUndefined();
    expect((await call(SUE, C.attributes, { params: { contactId: maria.contactId }, body: { attributes: { risk_notes: 'x' } } })).status).toBe(403);

    const byAdmin = await call(ADA, C.attributes, {
      params: { contactId: maria.contactId },
      body: { attributes: { credit_limit: 2500, risk_notes: '  watch  ', plan: null } },
    });
    expect(byAdmin.status, byAdmin.text).toBe(200);
    expect((await store.get('b1', maria.contactId))?.attributes).toEqual({ credit_limit: 2500, risk_notes: 'watch', birthday: '1990-02-28' });

    for (const attributes of [{ plan: 'platinum' }, { birthday: '1990-02-30' }, { plan: 7 }, { unknown_key: 'x' }, {}, { 'Bad Key': 1 }]) {
      const res = await call(ADA, C.attributes, { params: { contactId: maria.contactId }, body: { attributes } });
      expect(res.status, JSON.stringify(attributes)).toBe(400);
      expect(res.body.message).toMatch(/attributes/);
    }
    const stale = await call(ANA, C.attributes, { params: { contactId: maria.contactId }, body: { attributes: { plan: 'basic' }, expectedVersion: 1 } });
    expect(stale).toMatchObject({ status: 409, body: { error: 'changed_meanwhile' } });
  });

  it("renames the contact as the operator's name, refusing a stale version", async () => {
    const renamed = await call(ANA, C.rename, {
      params: { contactId: maria.contactId },
      body: { name: '  María José López ', expectedVersion: maria.version },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'María José López', nameSource: 'operator', version: maria.version + 1 });
    expect(updates().at(-1)?.detail).toMatchObject({ changed: ['name'] });
    expect((await call(ANA, C.rename, { params: { contactId: maria.contactId }, body: { name: 'Otra', expectedVersion: maria.version } })).status).toBe(409);
    expect((await call(ANA, C.rename, { params: { contactId: maria.contactId }, body: { name: '' } })).status).toBe(400);
    expect((await call(OLGA, C.rename, { params: { contactId: maria.contactId }, body: { name: 'Hacked' } })).status).toBe(404);
    expect((await store.get('b1', maria.contactId))?.name).toBe('María José López');
  });

  it('records a consent decision given outside the chat, with its evidence and who recorded it, for the sender too', async () => {
    const res = await call(ANA, C.consent, {
      params: { contactId: maria.contactId },
      body: { channel: 'whatsapp', status: 'opted_out', evidenceText: 'Pidió por teléfono no recibir promociones (2 mar)' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.consent.whatsapp).toMatchObject({
      status: 'opted_out',
      source: 'operator',
      recordedBy: 'ana',
      evidenceText: 'Pidió por teléfono no recibir promociones (2 mar)',
      accountId: '100',
      scope: 'marketing',
    });
    expect(res.audit).toEqual({ target: `contact ${maria.contactId} consent whatsapp`, targetBusinessId: 'b1' });
    // The sender's projection refuses the next marketing template to this number.
    const projection = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk('100'), sk: consentSk(WA_ID) } }));
    expect(projection.Item?.marketingOptOutAt).toBe(res.body.consent.whatsapp.at);
    expect(updates().at(-1)?.detail).toMatchObject({ contactId: maria.contactId, changed: ['consent'] });
    expect(JSON.stringify(published)).not.toContain('teléfono');

    expect(
      await call(ANA, C.consent, { params: { contactId: maria.contactId }, body: { channel: 'instagram', status: 'opted_in', evidenceText: 'dijo que sí' } }),
    ).toMatchObject({
      status: 409,
      body: { error: 'no_channel_identity', channel: 'instagram' },
    });
    for (const body of [
      { channel: 'whatsapp', status: 'maybe', evidenceText: 'x' },
      { channel: 'sms', status: 'opted_in', evidenceText: 'x' },
      { channel: 'whatsapp', status: 'opted_in', evidenceText: '   ' },
      { channel: 'whatsapp', status: 'opted_in', evidenceText: 'e'.repeat(1001) },
    ]) {
      expect((await call(ANA, C.consent, { params: { contactId: maria.contactId }, body })).status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
  });
});

describe('identities and merges', () => {
  it('links an identity typed by hand, in the form the channel uses, once', async () => {
    const linked = await call(ANA, C.linkIdentity, { params: { contactId: mariaIg.contactId }, body: { kind: 'phone', value: '+55 (11) 3333-4444' } });
    expect(linked.status, linked.text).toBe(200);
    expect(linked.body.identities).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'phone', value: '+551133334444', linkedBy: 'operator' })]));
    expect(linked.body.phoneE164).toBe('+551133334444');
    expect(updates().at(-1)?.detail).toMatchObject({ contactId: mariaIg.contactId, changed: expect.arrayContaining(['identities']) });
    const again = await call(ANA, C.linkIdentity, { params: { contactId: mariaIg.contactId }, body: { kind: 'phone', value: '+551133334444' } });
    expect(again.status).toBe(200);
    expect(updates()).toHaveLength(1);
    expect((await store.findByIdentity('b1', 'phone', '+551133334444'))?.contactId).toBe(mariaIg.contactId);
  });

  it('answers an identity another contact holds with 409 naming that contact, to merge instead', async () => {
    const taken = await call(ANA, C.linkIdentity, { params: { contactId: mariaIg.contactId }, body: { kind: 'whatsapp', value: '+55 11 98765-4321' } });
    expect(taken).toMatchObject({ status: 409, body: { error: 'identity_taken', ownerContactId: maria.contactId, suggestion: 'merge' } });
    expect((await store.get('b1', mariaIg.contactId))?.identities).toHaveLength(1);
    // Another business's identity is another business's: here it is free.
    expect((await call(ANA, C.linkIdentity, { params: { contactId: mariaIg.contactId }, body: { kind: 'whatsapp', value: '5522111000111' } })).status).toBe(
      200,
    );
    expect((await store.findByIdentity('b2', 'whatsapp', '5522111000111'))?.contactId).toBe(otherBusiness.contactId);
  });

  it('refuses identities that are not what their kind says, and accounts of another business', async () => {
    for (const body of [
      { kind: 'instagram', value: '123' },
      { kind: 'instagram', value: '123', accountId: '200' },
      { kind: 'instagram', value: '123', accountId: '100' },
      { kind: 'messenger', value: '123', accountId: 'no-such-page' },
      { kind: 'phone', value: '12' },
      { kind: 'phone', value: '+5511987654321', accountId: '100' },
      { kind: 'whatsapp', value: 'abc' },
      { kind: 'email', value: 'a@b.c' },
      { kind: 'phone', value: '9'.repeat(300) },
    ]) {
      const res = await call(ANA, C.linkIdentity, { params: { contactId: maria.contactId }, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message, JSON.stringify(body)).toBeTruthy();
    }
    expect(updates()).toEqual([]);
  });

  it('merges two contacts after the confirmation, follows the absorbed one, and undoes it from the merge list', async () => {
    await store.update('b1', mariaIg.contactId, undefined, { tags: { add: ['instagram-lead'] } }, '2026-03-01T12:00:00.000Z');
    const survivorBefore = (await store.get('b1', maria.contactId))!;
    const merged = await call(ANA, C.merge, {
      params: { contactId: maria.contactId },
      body: { otherContactId: mariaIg.contactId, expectedVersion: survivorBefore.version, reason: 'same person, told us on WhatsApp' },
    });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['instagram', 'phone', 'whatsapp']);
    expect(merged.body.tags).toEqual(['instagram-lead']);
    expect(merged.body.merges).toEqual([
      expect.objectContaining({
        mergeId: merged.body.mergeId,
        survivorId: maria.contactId,
        absorbedId: mariaIg.contactId,
        absorbedName: 'Mari Instagram',
        by: 'ana',
        reason: 'same person, told us on WhatsApp',
      }),
    ]);
    expect(merged.body.merges[0].absorbedIdentities).toEqual([{ kind: 'instagram', channel: 'instagram', value: IGSID }]);
    expect(merged.text).not.toContain('survivorBefore');
    expect(published.filter((e) => e.detailType === 'contact.merged').map((e) => e.detail)).toEqual([
      expect.objectContaining({ v: 1, businessId: 'b1', survivorId: maria.contactId, absorbedId: mariaIg.contactId, mergeId: merged.body.mergeId }),
    ]);

    // The absorbed contact is read as its survivor; the Instagram conversation now finds María.
    const followed = await call(ANA, C.read, { params: { contactId: mariaIg.contactId } });
    expect(followed.body).toMatchObject({ contactId: maria.contactId, redirectedFrom: mariaIg.contactId });
    expect((await call(ANA, C.ofConversation, { params: { key: IG_KEY } })).body.contactId).toBe(maria.contactId);
    // Writing to it, or merging it again, is refused with the survivor named.
    expect(await call(ANA, C.tags, { params: { contactId: mariaIg.contactId }, body: { add: ['x'] } })).toMatchObject({
      status: 409,
      body: { error: 'contact_merged', mergedInto: maria.contactId },
    });
    expect((await call(ANA, C.merge, { params: { contactId: maria.contactId }, body: { otherContactId: mariaIg.contactId } })).status).toBe(409);

    const undone = await call(ANA, C.unmerge, { params: { contactId: maria.contactId }, body: { mergeId: merged.body.mergeId } });
    expect(undone.status, undone.text).toBe(200);
    expect(undone.body.restored).toMatchObject({ contactId: mariaIg.contactId, name: 'Mari Instagram', tags: ['instagram-lead'] });
    expect(undone.body.survivor.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['phone', 'whatsapp']);
    expect(undone.body.survivor.merges[0]).toMatchObject({ mergeId: merged.body.mergeId, undoneBy: 'ana' });
    expect(published.filter((e) => e.detailType === 'contact.unmerged').map((e) => e.detail)).toEqual([
      expect.objectContaining({ survivorId: maria.contactId, restoredId: mariaIg.contactId, mergeId: merged.body.mergeId }),
    ]);
    expect((await store.findByIdentity('b1', 'instagram', IGSID, '17841'))?.contactId).toBe(mariaIg.contactId);
    expect(await call(ANA, C.unmerge, { params: { contactId: maria.contactId }, body: { mergeId: merged.body.mergeId } })).toMatchObject({
      status: 409,
      body: { error: 'already_undone' },
    });
  });

  it("refuses a stale or self merge, another business's contact, and a merge id that is not this contact's", async () => {
    expect(
      await call(ANA, C.merge, { params: { contactId: maria.contactId }, body: { otherContactId: mariaIg.contactId, expectedVersion: maria.version + 7 } }),
    ).toMatchObject({
      status: 409,
      body: { error: 'changed_meanwhile', version: maria.version },
    });
    expect((await call(ANA, C.merge, { params: { contactId: maria.contactId }, body: { otherContactId: maria.contactId } })).status).toBe(400);
    expect(await call(ANA, C.merge, { params: { contactId: maria.contactId }, body: { otherContactId: otherBusiness.contactId } })).toMatchObject({
      status: 404,
      body: { error: 'contact_not_found' },
    });
    expect((await store.get('b2', otherBusiness.contactId))?.mergedInto).toBeUndefined();
    expect(await call(ANA, C.unmerge, { params: { contactId: maria.contactId }, body: { mergeId: 'm_01HZZZZZZZZZZZZZZZZZZZZZZZ' } })).toMatchObject({
      status: 404,
      body: { error: 'merge_not_found' },
    });
    expect((await call(ANA, C.unmerge, { params: { contactId: maria.contactId }, body: { mergeId: '../etc' } })).status).toBe(400);
    expect(published).toEqual([]);
  });
});

describe('the attribute schema (admin API)', () => {
  it('is read by anyone who reads contacts and saved by admins at the version they edited', async () => {
    const read = await call(ANA, A.getSchema);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ version: 1 });
    expect(read.body.attributes.map((a: { key: string }) => a.key)).toEqual(['plan', 'credit_limit', 'risk_notes', 'birthday']);
    expect(read.audit).toEqual({ target: 'contact schema b1', targetBusinessId: 'b1' });

    const attributes = [{ key: 'segment', label: 'Segment', type: 'enum', options: ['smb', 'enterprise'], visibleToAgents: true, editableByAgents: true }];
    expect(await call(ANA, A.putSchema, { body: { attributes, expectedVersion: 1 } })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await call(SUE, A.putSchema, { body: { attributes, expectedVersion: 1 } })).status).toBe(403);
    const saved = await call(ADA, A.putSchema, { body: { attributes, expectedVersion: 1 } });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, attributes: [{ key: 'segment', label: 'Segment' }] });
    // A second admin who read version 1 does not overwrite it.
    const stale = await call(ADA, A.putSchema, { body: { attributes: [], expectedVersion: 1 } });
    expect(stale).toMatchObject({ status: 409, body: { error: 'changed_meanwhile', version: 2 } });
    expect((await store.getAttributeSchema('b1')).attributes.map((a) => a.key)).toEqual(['segment']);
  });

  it('refuses definitions that cannot hold, and another business', async () => {
    for (const attributes of [
      [{ key: 'plan', label: 'Plan', type: 'enum' }],
      [{ key: 'plan', label: 'Plan', type: 'string', options: ['a'] }],
      [{ key: 'Plan', label: 'Plan', type: 'string' }],
      [
        { key: 'a', label: 'A', type: 'string' },
        { key: 'a', label: 'A again', type: 'number' },
      ],
      [{ key: 'secret', label: 'Secret', type: 'string', visibleToAgents: false, editableByAgents: true }],
      [{ key: 'x', label: 'X', type: 'blob' }],
    ]) {
      const res = await call(ADA, A.putSchema, { body: { attributes, expectedVersion: 1 } });
      expect(res.status, JSON.stringify(attributes)).toBe(400);
      expect(res.body.message).toMatch(/attributes/);
    }
    expect((await call(ADA, A.putSchema, { body: { attributes: [] } })).status).toBe(400);
    expect(await call(OTTO, A.putSchema, { body: { businessId: 'b1', attributes: [], expectedVersion: 1 } })).toMatchObject({
      status: 403,
      body: { error: 'other_business' },
    });
    expect((await call(OTTO, A.getSchema, { query: { businessId: 'b1' } })).status).toBe(403);
    expect((await call(OPS, A.getSchema)).status).toBe(400);
    expect((await call(OPS, A.getSchema, { query: { businessId: 'b1' } })).body.version).toBe(1);
    expect((await store.getAttributeSchema('b1')).version).toBe(1);
  });
});
