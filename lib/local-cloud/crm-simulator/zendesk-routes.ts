import {
  basicCredentialsOf,
  bearerTokenOf,
  bodyJson,
  headerOf,
  isRecord,
  queryOf,
  stableJson,
  type CrmRouteHandler,
  type CrmSimRequest,
  type CrmSimResponse,
  type SimClock,
} from '#lib/local-cloud/crm-simulator/crm-route-types';
import { ZendeskRecordStore, type ZendeskTicket, type ZendeskUser } from '#lib/local-cloud/crm-simulator/zendesk-record-store';

/**
 * Zendesk Support API, the subset the integration uses, answered the way `<sub>.zendesk.com` answers:
 *
 *   POST /api/v2/users/create_or_update     match on external_id (then email): 201 created / 200 updated
 *   GET  /api/v2/users/search               `?external_id=` (exact) or `?query=` (`phone:"…"`, `email:…`, `external_id:…`, free text)
 *   POST /api/v2/tickets                    create; `Idempotency-Key` replays the first answer for two hours
 *                                           (`x-idempotency-lookup: hit`, else `miss`), and the same key with
 *                                           another body is 400 IdempotentRequestError
 *   GET  /api/v2/tickets?external_id=…      tickets by external id; GET /api/v2/tickets/{id}
 *   GET  /api/v2/users/me                   the authenticated user (the admin's test call); without any
 *                                           credentials Zendesk answers 200 with the anonymous user
 *
 * Authentication: `Authorization: Basic <email/token:api token>` or `Bearer <OAuth token>`, else
 * 401 `{"error":"Couldn't authenticate you"}`. Validation errors are 422 RecordInvalid with
 * `details` per field, as Zendesk shapes them. Unknown attributes and values for user fields the
 * account does not have are ignored.
 */

export interface ZendeskRoutesOptions {
  /** API token credentials (`<email>/token` + token). Default: any email with any non-empty token. */
  apiTokens?: Array<{ email: string; token: string }>;
  /** OAuth bearer tokens accepted. Default: any non-empty one when `apiTokens` is not given, else none. */
  oauthTokens?: string[];
  /** The subdomain URL used in `url` fields. */
  baseUrl?: () => string;
  userFieldKeys?: readonly string[];
  clock?: SimClock;
  store?: ZendeskRecordStore;
}

export interface ZendeskRoutes {
  handle: CrmRouteHandler;
  store: ZendeskRecordStore;
  /** Forgets every record (the simulator's `POST /_crm/reset`). */
  reset(): void;
  /** The records, for `GET /_crm/records/zendesk`. */
  records(): unknown;
}

const STATUSES = new Set(['new', 'open', 'pending', 'hold', 'solved', 'closed']);
const LOCALES = new Set(['en-US', 'en-GB', 'es', 'es-419', 'es-ES', 'pt-BR', 'pt', 'fr', 'de']);

const unauthenticated = (): CrmSimResponse => ({ status: 401, body: { error: "Couldn't authenticate you" } });

const recordInvalid = (details: Record<string, Array<{ description: string; error: string }>>): CrmSimResponse => ({
  status: 422,
  body: { error: 'RecordInvalid', description: 'Record validation errors', details },
});

function normalizeTags(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const tags: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') continue;
    for (const tag of item.toLowerCase().split(/\s+/)) if (tag !== '' && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/** Zendesk search terms: `key:value`, `key:"quoted value"`, or free text; all must hold. */
function searchTerms(query: string): Array<{ key?: string; value: string }> {
  const terms: Array<{ key?: string; value: string }> = [];
  const pattern = /(?:([a-z_]+):)?(?:"((?:[^"\\]|\\.)*)"|(\S+))/gi;
  for (const match of query.matchAll(pattern)) {
    const value = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
    terms.push({ ...(match[1] ? { key: match[1].toLowerCase() } : {}), value });
  }
  return terms;
}

function userMatches(user: ZendeskUser, term: { key?: string; value: string }): boolean {
  const v = term.value.toLowerCase();
  const eq = (field: string | null) => field !== null && field.toLowerCase() === v;
  switch (term.key) {
    case 'phone':
      return eq(user.phone);
    case 'email':
      return eq(user.email);
    case 'external_id':
      return eq(user.external_id);
    case 'name':
      return user.name.toLowerCase().includes(v);
    case 'tags':
    case 'tag':
      return user.tags.includes(v);
    case 'role':
      return user.role === v;
    case undefined:
      return [user.name, user.email ?? '', user.phone ?? ''].some((f) => f.toLowerCase().includes(v));
    default:
      return false;
  }
}

export function createZendeskRoutes(options: ZendeskRoutesOptions = {}): ZendeskRoutes {
  const store =
    options.store ??
    new ZendeskRecordStore({ ...(options.clock ? { clock: options.clock } : {}), ...(options.userFieldKeys ? { userFieldKeys: options.userFieldKeys } : {}) });
  const base = () => options.baseUrl?.() ?? 'https://local.zendesk.com';

  const authorized = (req: CrmSimRequest): boolean => {
    const basic = basicCredentialsOf(req);
    if (basic) {
      const [email, marker] = basic.username.split('/');
      if (marker !== 'token' || !email) return false;
      return options.apiTokens ? options.apiTokens.some((t) => t.email === email && t.token === basic.password) : basic.password !== '';
    }
    const bearer = bearerTokenOf(req);
    if (bearer === undefined) return false;
    if (options.oauthTokens) return options.oauthTokens.includes(bearer);
    return options.apiTokens === undefined && bearer !== '';
  };

  const userJson = (u: ZendeskUser) => ({ url: `${base()}/api/v2/users/${u.id}.json`, ...u });

  /**
   * "Show the currently authenticated user", which Zendesk also allows anonymously: a request with
   * no credentials gets the anonymous user (id null), one with wrong credentials gets the 401.
   */
  function me(req: CrmSimRequest): CrmSimResponse {
    if (headerOf(req, 'authorization') === undefined) {
      return {
        status: 200,
        body: {
          user: {
            id: null,
            url: null,
            name: 'Anonymous user',
            email: 'invalid@example.com',
            created_at: null,
            updated_at: null,
            locale: 'en-US',
            role: 'end-user',
            verified: false,
            active: true,
          },
        },
      };
    }
    if (!authorized(req)) return unauthenticated();
    const email = basicCredentialsOf(req)?.username.split('/')[0];
    const user = (email ? store.userByEmail(email) : undefined) ?? store.apiUser;
    return { status: 200, body: { user: userJson(user) } };
  }
  const ticketJson = (t: ZendeskTicket) => {
    const { comments: _comments, ...rest } = t;
    return { url: `${base()}/api/v2/tickets/${t.id}.json`, ...rest };
  };

  function createOrUpdateUser(req: CrmSimRequest): CrmSimResponse {
    const parsed = bodyJson(req);
    if (!parsed.ok) return { status: 400, body: { error: 'Unprocessable Entity', description: 'Server could not parse JSON' } };
    const input = isRecord(parsed.value) ? parsed.value.user : undefined;
    if (!isRecord(input)) return { status: 400, body: { error: 'InvalidEndpoint', description: 'Required parameter missing: user' } };
    const externalId = typeof input.external_id === 'string' || typeof input.external_id === 'number' ? String(input.external_id) : undefined;
    const email = typeof input.email === 'string' ? input.email : undefined;
    const existing = (externalId ? store.userByExternalId(externalId) : undefined) ?? (email ? store.userByEmail(email) : undefined);

    const changes: Partial<ZendeskUser> = {};
    const details: Record<string, Array<{ description: string; error: string }>> = {};
    if (input.name !== undefined) {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (name === '') details.name = [{ description: 'Name:  is too short (minimum one character)', error: 'BlankValue' }];
      else if (name.length > 255) details.name = [{ description: 'Name: is too long (maximum is 255 characters)', error: 'TooLong' }];
      else changes.name = name;
    } else if (!existing) {
      details.name = [{ description: 'Name:  is too short (minimum one character)', error: 'BlankValue' }];
    }
    if (email !== undefined) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
        details.email = [{ description: `Email: ${email.slice(0, 60)} is not properly formatted`, error: 'InvalidFormat' }];
      else changes.email = email;
    }
    if (externalId !== undefined) {
      if (externalId.length > 255) details.external_id = [{ description: 'External id: is too long (maximum is 255 characters)', error: 'TooLong' }];
      else changes.external_id = externalId;
    }
    if (typeof input.phone === 'string') changes.phone = input.phone;
    if (typeof input.locale === 'string' && LOCALES.has(input.locale)) changes.locale = input.locale;
    if (input.tags !== undefined) changes.tags = normalizeTags(input.tags);
    if (isRecord(input.user_fields)) {
      const fields = { ...(existing?.user_fields ?? {}) };
      for (const [key, value] of Object.entries(input.user_fields)) {
        if (!store.userFieldKeys.has(key)) continue;
        if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
      }
      changes.user_fields = fields;
    }
    if (Object.keys(details).length > 0) return recordInvalid(details);
    if (existing) return { status: 200, body: { user: userJson(store.updateUser(existing, changes)) } };
    return { status: 201, body: { user: userJson(store.createUser({ ...changes, name: changes.name! })) } };
  }

  function searchUsers(req: CrmSimRequest): CrmSimResponse {
    const externalId = queryOf(req, 'external_id');
    const query = queryOf(req, 'query');
    let users: ZendeskUser[];
    if (externalId !== undefined) {
      const found = store.userByExternalId(externalId);
      users = found ? [found] : [];
    } else if (query !== undefined && query.trim() !== '') {
      const terms = searchTerms(query);
      users = store.allUsers().filter((u) => terms.every((t) => userMatches(u, t)));
    } else {
      return { status: 400, body: { error: 'InvalidEndpoint', description: 'Required parameter missing: query or external_id' } };
    }
    return { status: 200, body: { users: users.map(userJson), next_page: null, previous_page: null, count: users.length } };
  }

  function createTicket(req: CrmSimRequest): CrmSimResponse {
    const parsed = bodyJson(req);
    if (!parsed.ok) return { status: 400, body: { error: 'Unprocessable Entity', description: 'Server could not parse JSON' } };
    const key = headerOf(req, 'idempotency-key');
    const fingerprint = stableJson(parsed.value);
    if (key !== undefined) {
      const earlier = store.idempotentCreate(key);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) {
          return { status: 400, body: { error: 'IdempotentRequestError', description: "Request parameters don't match the given idempotency key" } };
        }
        store.countHit();
        const ticket = store.ticket(earlier.ticketId)!;
        return {
          status: 201,
          body: { ticket: ticketJson(ticket) },
          headers: { 'x-idempotency-lookup': 'hit', location: `${base()}/api/v2/tickets/${ticket.id}.json` },
        };
      }
    }
    const input = isRecord(parsed.value) ? parsed.value.ticket : undefined;
    if (!isRecord(input)) return { status: 400, body: { error: 'InvalidEndpoint', description: 'Required parameter missing: ticket' } };
    const details: Record<string, Array<{ description: string; error: string }>> = {};
    const comment = isRecord(input.comment) ? input.comment : undefined;
    const body = typeof comment?.body === 'string' ? comment.body : typeof input.description === 'string' ? input.description : '';
    if (body.trim() === '') details.base = [{ description: 'Description: cannot be blank', error: 'BlankValue' }];
    let requesterId = store.apiUser.id;
    if (input.requester_id !== undefined) {
      const requester = typeof input.requester_id === 'number' ? store.user(input.requester_id) : undefined;
      if (!requester) details.requester = [{ description: 'Requester: is invalid', error: 'InvalidValue' }];
      else requesterId = requester.id;
    }
    const status = input.status === undefined ? 'new' : String(input.status);
    if (!STATUSES.has(status)) details.status = [{ description: `Status: ${status.slice(0, 40)} is not a valid value`, error: 'InvalidValue' }];
    const subject = typeof input.subject === 'string' ? input.subject.slice(0, 150) : null;
    if (Object.keys(details).length > 0) return recordInvalid(details);
    const solved = status === 'solved' || status === 'closed';
    const ticket = store.createTicket({
      subject,
      description: body,
      status: (status === 'new' && input.assignee_id !== undefined ? 'open' : status) as ZendeskTicket['status'],
      requester_id: requesterId,
      submitter_id: store.apiUser.id,
      // Zendesk gives a solved ticket an assignee: the agent who solved it.
      assignee_id: typeof input.assignee_id === 'number' ? input.assignee_id : solved ? store.apiUser.id : null,
      external_id: typeof input.external_id === 'string' ? input.external_id : null,
      tags: normalizeTags(input.tags),
      comments: [{ body, public: comment?.public !== false, author_id: store.apiUser.id }],
    });
    if (key !== undefined) store.rememberCreate(key, fingerprint, ticket.id);
    return {
      status: 201,
      body: { ticket: ticketJson(ticket) },
      headers: { location: `${base()}/api/v2/tickets/${ticket.id}.json`, ...(key !== undefined ? { 'x-idempotency-lookup': 'miss' } : {}) },
    };
  }

  const handle: CrmRouteHandler = (req) => {
    const path = req.path.replace(/\.json$/, '');
    if (!path.startsWith('/api/v2/')) return undefined;
    if (path === '/api/v2/users/me' && req.method === 'GET') return me(req);
    if (!authorized(req)) return unauthenticated();
    if (path === '/api/v2/users/create_or_update' && req.method === 'POST') return createOrUpdateUser(req);
    if (path === '/api/v2/users/search' && req.method === 'GET') return searchUsers(req);
    if (path === '/api/v2/tickets' && req.method === 'POST') return createTicket(req);
    if (path === '/api/v2/tickets' && req.method === 'GET') {
      const externalId = queryOf(req, 'external_id');
      const tickets = store.allTickets().filter((t) => externalId === undefined || t.external_id === externalId);
      return { status: 200, body: { tickets: tickets.map(ticketJson), next_page: null, previous_page: null, count: tickets.length } };
    }
    const one = /^\/api\/v2\/(tickets|users)\/(\d+)$/.exec(path);
    if (one && req.method === 'GET') {
      const id = Number(one[2]);
      if (one[1] === 'tickets') {
        const ticket = store.ticket(id);
        return ticket ? { status: 200, body: { ticket: ticketJson(ticket) } } : { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
      }
      const user = store.user(id);
      return user ? { status: 200, body: { user: userJson(user) } } : { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
    }
    return { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
  };

  return { handle, store, reset: () => store.reset(), records: () => ({ users: store.allUsers(), tickets: store.allTickets() }) };
}
