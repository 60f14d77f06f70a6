import {
  bearerTokenOf,
  bodyJson,
  correlationId,
  isRecord,
  queryOf,
  type CrmRouteHandler,
  type CrmSimRequest,
  type CrmSimResponse,
  type SimClock,
} from '#lib/local-cloud/crm-simulator/crm-route-types';
import {
  HUBSPOT_PIPELINES,
  HUBSPOT_READ_ONLY,
  HubSpotRecordStore,
  type HubSpotObjectType,
  type HubSpotPortalSchema,
  type HubSpotRecord,
} from '#lib/local-cloud/crm-simulator/hubspot-record-store';

/**
 * HubSpot CRM v3, the subset the integration uses, answered the way api.hubapi.com answers:
 *
 *   POST /crm/v3/objects/{contacts|tickets}/batch/upsert   create or update by a unique property (`idProperty`)
 *   POST /crm/v3/objects/contacts/search                   filterGroups (ORed) of filters (ANDed)
 *   GET  /crm/v3/objects/{contacts|tickets}/{id}           one record (`?idProperty=` to read by a unique property)
 *   GET  /crm/v3/objects/{contacts|tickets}                a page of records (`?limit=` 1–100, default 10; `?after=`;
 *                                                          `?properties=`): the admin's test call reads one contact
 *
 * Requests need `Authorization: Bearer <private app token>`. Errors have HubSpot's body,
 * `{ status: 'error', message, correlationId, category }`: 401 INVALID_AUTHENTICATION, 400
 * VALIDATION_ERROR (unknown or read-only property, a non-unique `idProperty`, a missing required
 * ticket property, a pipeline stage that does not exist, duplicate ids in one batch, search limits).
 * Request bodies are checked by hand against the API reference (the npm SDK ships typed models,
 * not a schema a server could validate with).
 */

export interface HubSpotRoutesOptions {
  /** Private app tokens accepted; default: any non-empty bearer token. */
  accessTokens?: string[];
  schema?: HubSpotPortalSchema;
  clock?: SimClock;
  store?: HubSpotRecordStore;
}

export interface HubSpotRoutes {
  handle: CrmRouteHandler;
  store: HubSpotRecordStore;
  /** Forgets every record (the simulator's `POST /_crm/reset`). */
  reset(): void;
  /** The records, for `GET /_crm/records/hubspot`. */
  records(): unknown;
}

const MAX_BATCH = 100;
const MAX_PROPERTY_CHARS = 65_536;
const SEARCH_LIMITS = { groups: 5, filtersPerGroup: 6, filtersTotal: 18, maxLimit: 200 };
const LIST_LIMITS = { defaultLimit: 10, maxLimit: 100 };
const API_ORIGIN = 'https://api.hubapi.com';
const SEARCH_OPERATORS = new Set(['EQ', 'NEQ', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN']);
const OBJECT_TYPE_IDS: Record<HubSpotObjectType, string> = { contacts: '0-1', tickets: '0-5' };
const DEFAULT_SEARCH_PROPERTIES: Record<HubSpotObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email'],
  tickets: ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage'],
};
const PORTAL_ID = '20000001';

function error(status: number, category: string, message: string, extra: Record<string, unknown> = {}): CrmSimResponse {
  return { status, body: { status: 'error', message, correlationId: correlationId(), category, ...extra } };
}

const validation = (message: string, extra: Record<string, unknown> = {}) => error(400, 'VALIDATION_ERROR', message, extra);

const unauthenticated = () =>
  error(
    401,
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );

/** HubSpot's "Property values were not valid" error, one entry per bad property. */
function invalidProperties(problems: Array<{ name: string; error: string; message: string }>): CrmSimResponse {
  const details = problems.map((p) => ({ isValid: false, message: p.message, error: p.error, name: p.name, localizedErrorMessage: p.message }));
  return validation(`Property values were not valid: ${JSON.stringify(details)}`);
}

function objectTypeOf(segment: string | undefined): HubSpotObjectType | undefined {
  return segment === 'contacts' || segment === '0-1' ? 'contacts' : segment === 'tickets' || segment === '0-5' ? 'tickets' : undefined;
}

function publicRecord(record: HubSpotRecord, properties: readonly string[]): Record<string, unknown> {
  const shown: Record<string, string | null> = {};
  for (const p of [...properties, 'createdate', 'lastmodifieddate', 'hs_object_id']) shown[p] = record.properties[p] ?? null;
  return { id: record.id, properties: shown, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: false };
}

export function createHubSpotRoutes(options: HubSpotRoutesOptions = {}): HubSpotRoutes {
  const clock = options.clock ?? Date.now;
  const store = options.store ?? new HubSpotRecordStore({ ...(options.schema ? { schema: options.schema } : {}), clock });
  const tokens = options.accessTokens ? new Set(options.accessTokens) : undefined;

  const authorized = (req: CrmSimRequest): boolean => {
    const token = bearerTokenOf(req);
    return token !== undefined && (tokens ? tokens.has(token) : token !== '');
  };

  function batchUpsert(req: CrmSimRequest, objectType: HubSpotObjectType): CrmSimResponse {
    const parsed = bodyJson(req);
    if (!parsed.ok) return validation(`Invalid input JSON on line 1: ${parsed.message}`);
    const inputs = isRecord(parsed.value) ? parsed.value.inputs : undefined;
    if (!Array.isArray(inputs) || inputs.length === 0) return validation('Invalid input JSON: "inputs" must be a non-empty array');
    if (inputs.length > MAX_BATCH) return validation(`Batch input limit exceeded: ${inputs.length} inputs, at most ${MAX_BATCH}`);

    const startedAt = new Date(clock()).toISOString();
    const planned: Array<{ idProperty: string; id: string; properties: Record<string, string> }> = [];
    const problems: Array<{ name: string; error: string; message: string }> = [];
    for (const input of inputs) {
      if (!isRecord(input) || typeof input.id !== 'string' || input.id === '' || !isRecord(input.properties)) {
        return validation('Invalid input JSON: each input needs "id" (string) and "properties" (object)');
      }
      const idProperty = typeof input.idProperty === 'string' ? input.idProperty : queryOf(req, 'idProperty');
      if (idProperty === undefined) return validation('Upsert requires idProperty: the name of a unique property of the object');
      if (!store.schema.uniqueProperties[objectType].has(idProperty)) {
        return validation(`Unable to perform update/upsert by non-unique ${OBJECT_TYPE_IDS[objectType]} property ${idProperty} in portal ID ${PORTAL_ID}`);
      }
      const properties: Record<string, string> = {};
      for (const [name, value] of Object.entries(input.properties)) {
        if (!store.schema.properties[objectType].has(name)) {
          problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
          continue;
        }
        if (HUBSPOT_READ_ONLY.has(name)) {
          problems.push({ name, error: 'READ_ONLY_VALUE', message: `"${name}" is a read only property; its value cannot be set.` });
          continue;
        }
        if (value === null) {
          properties[name] = '';
          continue;
        }
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          problems.push({ name, error: 'INVALID_PROPERTY_VALUE', message: `Property "${name}" must be a string` });
          continue;
        }
        const text = String(value);
        if (text.length > MAX_PROPERTY_CHARS) {
          problems.push({ name, error: 'INVALID_LONG', message: `Property "${name}" is longer than ${MAX_PROPERTY_CHARS} characters` });
          continue;
        }
        properties[name] = text;
      }
      planned.push({ idProperty, id: input.id, properties });
    }
    if (problems.length > 0) return invalidProperties(problems);
    const ids = planned.map((p) => `${p.idProperty}\n${p.id.toLowerCase()}`);
    const duplicates = planned.filter((_, i) => ids.indexOf(ids[i]!) !== i).map((p) => p.id);
    if (duplicates.length > 0) return validation(`Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`);

    if (objectType === 'tickets') {
      // A ticket is created with a stage (and a subject); an update may leave them out.
      for (const p of planned) {
        const existing = store.findByUnique('tickets', p.idProperty, p.id);
        const pipeline = p.properties.hs_pipeline ?? existing?.properties.hs_pipeline ?? '0';
        const stage = p.properties.hs_pipeline_stage ?? existing?.properties.hs_pipeline_stage;
        if (!existing && (stage === undefined || stage === ''))
          problems.push({ name: 'hs_pipeline_stage', error: 'REQUIRED_FIELD', message: 'hs_pipeline_stage is required' });
        if (!existing && !p.properties.subject) problems.push({ name: 'subject', error: 'REQUIRED_FIELD', message: 'subject is required' });
        const stages = HUBSPOT_PIPELINES[pipeline];
        if (!stages)
          problems.push({
            name: 'hs_pipeline',
            error: 'INVALID_OPTION',
            message: `${pipeline} was not one of the allowed options: [${Object.keys(HUBSPOT_PIPELINES).join(', ')}]`,
          });
        else if (stage !== undefined && stage !== '' && !stages.includes(stage)) {
          problems.push({ name: 'hs_pipeline_stage', error: 'INVALID_OPTION', message: `${stage} was not one of the allowed options: [${stages.join(', ')}]` });
        }
      }
      if (problems.length > 0) return invalidProperties(problems);
    }

    const results = planned.map((p) => {
      const { record, created } = store.upsert(objectType, p.idProperty, p.id, p.properties);
      return { ...publicRecord(record, Object.keys(p.properties)), new: created };
    });
    return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt: new Date(clock()).toISOString() } };
  }

  function search(req: CrmSimRequest, objectType: HubSpotObjectType): CrmSimResponse {
    const parsed = bodyJson(req);
    if (!parsed.ok || (parsed.value !== undefined && !isRecord(parsed.value))) return validation('Invalid input JSON on line 1');
    const body = (parsed.value ?? {}) as Record<string, unknown>;
    const groups = body.filterGroups ?? [];
    if (!Array.isArray(groups)) return validation('filterGroups must be an array');
    if (groups.length > SEARCH_LIMITS.groups) return validation(`Too many filter groups: ${groups.length}, at most ${SEARCH_LIMITS.groups}`);
    let total = 0;
    const known = store.schema.properties[objectType];
    const matchers: Array<Array<(r: HubSpotRecord) => boolean>> = [];
    for (const group of groups) {
      const filters = isRecord(group) ? group.filters : undefined;
      if (!Array.isArray(filters)) return validation('each filter group needs "filters"');
      if (filters.length > SEARCH_LIMITS.filtersPerGroup)
        return validation(`Too many filters in a group: ${filters.length}, at most ${SEARCH_LIMITS.filtersPerGroup}`);
      total += filters.length;
      const groupMatchers: Array<(r: HubSpotRecord) => boolean> = [];
      for (const filter of filters) {
        if (!isRecord(filter) || typeof filter.propertyName !== 'string' || typeof filter.operator !== 'string')
          return validation('each filter needs propertyName and operator');
        const { propertyName, operator } = filter;
        if (!known.has(propertyName))
          return validation('There was a problem with the request.', {
            errors: [{ message: `Property "${propertyName}" does not exist`, code: 'PROPERTY_DOESNT_EXIST' }],
          });
        if (!SEARCH_OPERATORS.has(operator)) return validation(`Unsupported operator ${operator}`);
        const value = typeof filter.value === 'string' || typeof filter.value === 'number' ? String(filter.value).toLowerCase() : undefined;
        const values = Array.isArray(filter.values) ? filter.values.map((v) => String(v).toLowerCase()) : [];
        const get = (r: HubSpotRecord) => r.properties[propertyName]?.toLowerCase();
        groupMatchers.push((r) => {
          const v = get(r);
          switch (operator) {
            case 'EQ':
              return v !== undefined && v === value;
            case 'NEQ':
              return v !== value;
            case 'IN':
              return v !== undefined && values.includes(v);
            case 'NOT_IN':
              return v === undefined || !values.includes(v);
            case 'HAS_PROPERTY':
              return v !== undefined && v !== '';
            case 'NOT_HAS_PROPERTY':
              return v === undefined || v === '';
            default:
              return v !== undefined && value !== undefined && v.split(/\s+/).includes(value);
          }
        });
      }
      matchers.push(groupMatchers);
    }
    if (total > SEARCH_LIMITS.filtersTotal) return validation(`Too many filters: ${total}, at most ${SEARCH_LIMITS.filtersTotal}`);
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.maxLimit) return validation(`limit must be between 1 and ${SEARCH_LIMITS.maxLimit}`);
    const after = body.after === undefined ? 0 : Number(body.after);
    const properties = Array.isArray(body.properties)
      ? body.properties.filter((p): p is string => typeof p === 'string')
      : DEFAULT_SEARCH_PROPERTIES[objectType];

    let matched = store.records(objectType).filter((r) => matchers.length === 0 || matchers.some((g) => g.every((m) => m(r))));
    const sort = Array.isArray(body.sorts) && isRecord(body.sorts[0]) ? body.sorts[0] : undefined;
    const sortBy = typeof sort?.propertyName === 'string' ? sort.propertyName : 'hs_object_id';
    const descending = sort?.direction === 'DESCENDING';
    matched = matched.sort((a, b) => {
      const x = sortBy === 'hs_object_id' ? Number(a.id) : (a.properties[sortBy] ?? '');
      const y = sortBy === 'hs_object_id' ? Number(b.id) : (b.properties[sortBy] ?? '');
      const order = x < y ? -1 : x > y ? 1 : Number(a.id) - Number(b.id);
      return descending ? -order : order;
    });
    const page = matched.slice(after, after + limit);
    return {
      status: 200,
      body: {
        total: matched.length,
        results: page.map((r) => publicRecord(r, properties)),
        ...(after + limit < matched.length ? { paging: { next: { after: String(after + limit) } } } : {}),
      },
    };
  }

  function read(req: CrmSimRequest, objectType: HubSpotObjectType, id: string): CrmSimResponse {
    const idProperty = queryOf(req, 'idProperty');
    const record = idProperty ? store.findByUnique(objectType, idProperty, id) : store.records(objectType).find((r) => r.id === id);
    if (!record) return error(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
    const properties = (queryOf(req, 'properties') ?? '').split(',').filter((p) => p !== '');
    return { status: 200, body: publicRecord(record, properties.length > 0 ? properties : DEFAULT_SEARCH_PROPERTIES[objectType]) };
  }

  /** A page of records, oldest id first; `after` is the cursor the previous page's `paging.next` gave. */
  function list(req: CrmSimRequest, objectType: HubSpotObjectType, segment: string): CrmSimResponse {
    const limitText = queryOf(req, 'limit');
    const limit = limitText === undefined ? LIST_LIMITS.defaultLimit : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMITS.maxLimit) return validation(`limit must be between 1 and ${LIST_LIMITS.maxLimit}`);
    const afterText = queryOf(req, 'after');
    const after = afterText === undefined ? 0 : Number(afterText);
    if (!Number.isInteger(after) || after < 0) return validation(`Invalid after cursor: ${String(afterText).slice(0, 40)}`);
    const properties = (queryOf(req, 'properties') ?? '').split(',').filter((p) => p !== '');
    const ordered = store.records(objectType).sort((a, b) => Number(a.id) - Number(b.id));
    const page = ordered.filter((r) => Number(r.id) > after).slice(0, limit);
    const last = page.at(-1);
    const more = last !== undefined && ordered.some((r) => Number(r.id) > Number(last.id));
    return {
      status: 200,
      body: {
        results: page.map((r) => publicRecord(r, properties.length > 0 ? properties : DEFAULT_SEARCH_PROPERTIES[objectType])),
        ...(more ? { paging: { next: { after: last.id, link: `${API_ORIGIN}/crm/v3/objects/${segment}?limit=${limit}&after=${last.id}` } } } : {}),
      },
    };
  }

  const handle: CrmRouteHandler = (req) => {
    const collection = /^\/crm\/v3\/objects\/([^/]+)\/?$/.exec(req.path);
    if (collection) {
      if (!authorized(req)) return unauthenticated();
      const objectType = objectTypeOf(collection[1]);
      if (!objectType) return error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${collection[1]}`);
      if (req.method === 'GET') return list(req, objectType, collection[1]!);
      return error(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on ${req.path}`);
    }
    const match = /^\/crm\/v3\/objects\/([^/]+)\/([^/]+)(?:\/([^/]+))?\/?$/.exec(req.path);
    if (!match) return undefined;
    const objectType = objectTypeOf(match[1]);
    if (!authorized(req)) return unauthenticated();
    if (!objectType) return error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${match[1]}`);
    const [, , second, third] = match;
    if (second === 'batch' && third === 'upsert' && req.method === 'POST') return batchUpsert(req, objectType);
    if (second === 'search' && third === undefined && req.method === 'POST') return search(req, objectType);
    if (third === undefined && req.method === 'GET' && second !== undefined) return read(req, objectType, decodeURIComponent(second));
    return error(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on ${req.path}`);
  };

  return { handle, store, reset: () => store.reset(), records: () => ({ contacts: store.records('contacts'), tickets: store.records('tickets') }) };
}
