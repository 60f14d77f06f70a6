import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { CONTACTS_AGENT_ROUTES as C, contactPath } from '#lambdas/contacts/api/contacts-api-contract';
import { routeContactsRequest, type ContactsApiDeps } from '#lambdas/contacts/api/route-contacts-request';
import type { Contact } from '#lambdas/contacts/contact-model';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { fakeAccounts } from '#test/helpers/fake-accounts';
import { inMemoryContactStore } from '#test/helpers/in-memory-contact-store';

/** The contacts router on the in-memory store: what it refuses before touching a contact, and what a lost announcement does not undo. */
const who = (roles: OperatorRole[], businessId = 'b1'): OperatorIdentity => ({ subject: 's', actor: 'ana', businessId, roles, scopes: [] });
type Opts = { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };
const event = (route: { method: string; path: string }, opts: Opts = {}): APIGatewayProxyEventV2 =>
  ({
    rawPath: contactPath(route, opts.params ?? {}),
    routeKey: `${route.method} ${route.path}`,
    requestContext: { http: { method: route.method } },
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

let reads: string[];
let store: ContactStore;
let published: DomainEvent[];
let publishFails: boolean;
let deps: ContactsApiDeps;
let contact: Contact;

async function call(identity: OperatorIdentity, route: { method: string; path: string }, opts: Opts = {}) {
  const audit: AuditContext = {};
  try {
    const res = await routeContactsRequest(event(route, opts), identity, audit, deps);
    return { status: res?.statusCode, body: res ? (JSON.parse(String(res.body)) as Record<string, any>) : undefined, audit };
  } catch (err) {
    if (err instanceof OperatorRequestError) return { status: err.status, body: { error: err.code }, audit };
    throw err;
  }
}

beforeEach(async () => {
  const memory = inMemoryContactStore();
  contact = (await memory.resolve('b1', [{ kind: 'whatsapp', value: '5511987654321', accountId: '100' }], { name: 'María', at: '2026-03-01T00:00:00.000Z' }))
    .contact;
  reads = [];
  // Every store call is noted, to show refusals come before any of them.
  store = new Proxy(memory, {
    get: (target, prop) =>
      typeof (target as any)[prop] === 'function'
        ? (...args: unknown[]) => {
            reads.push(String(prop));
            return (target as any)[prop](...args);
          }
        : (target as any)[prop],
  });
  published = [];
  publishFails = false;
  deps = {
    contacts: store,
    accounts: fakeAccounts([{ accountId: '100', channel: 'whatsapp', businessId: 'b1' }]),
    publisher: {
      publish: async (e) => {
        if (publishFails) throw new Error('EventBridge is down');
        published.push(...e);
      },
    },
    views: undefined as never,
    now: () => new Date('2026-03-02T00:00:00.000Z'),
  };
});

describe('the contacts router', () => {
  it('answers only its own routes', async () => {
    expect(await routeContactsRequest(event({ method: 'GET', path: '/agent/inbox' }), who(['agent']), {}, deps)).toBeUndefined();
    expect(await routeContactsRequest(event({ method: 'POST', path: C.read.path }), who(['agent']), {}, deps)).toBeUndefined();
  });

  it('refuses a role or a business before reading or writing any contact', async () => {
    expect((await call(who([]), C.read, { params: { contactId: contact.contactId } })).status).toBe(403);
    expect((await call(who(['platform'], 'ops'), C.tags, { params: { contactId: contact.contactId }, body: { add: ['x'] } })).status).toBe(400);
    const other = await call(who(['agent'], 'b2'), C.tags, { params: { contactId: contact.contactId }, body: { businessId: 'b1', add: ['x'] } });
    expect(other).toMatchObject({ status: 403, body: { error: 'other_business' }, audit: { targetBusinessId: 'b1' } });
    expect(reads).toEqual([]);
    // Without naming it, the other business's agent looks in its own business and finds nothing.
    expect((await call(who(['agent'], 'b2'), C.tags, { params: { contactId: contact.contactId }, body: { add: ['x'] } })).status).toBe(404);
    expect((await store.get('b1', contact.contactId))?.tags).toEqual([]);
  });

  it('lets the platform team act on the business it names', async () => {
    const res = await call(who(['platform'], 'ops'), C.tags, { params: { contactId: contact.contactId }, body: { businessId: 'b1', add: ['support'] } });
    expect(res).toMatchObject({ status: 200, body: { tags: ['support'] }, audit: { target: `contact ${contact.contactId}`, targetBusinessId: 'b1' } });
  });

  it('keeps a change whose announcement could not be published', async () => {
    publishFails = true;
    const res = await call(who(['agent']), C.rename, { params: { contactId: contact.contactId }, body: { name: 'María José' } });
    expect(res.status).toBe(200);
    expect((await store.get('b1', contact.contactId))?.name).toBe('María José');
    expect(published).toEqual([]);
  });
});
