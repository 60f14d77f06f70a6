import {
  basicCredentialsOf,
  bearerTokenOf,
  bodyJson,
  bodyText,
  headerOf,
  isRecord,
  queryOf,
  type CrmRouteHandler,
  type CrmSimRequest,
  type CrmSimResponse,
  type SimClock,
} from '#lib/local-cloud/crm-simulator/crm-route-types';
import {
  SalesforceRecordStore,
  type FieldDefinition,
  type OrgSchema,
  type SalesforceObject,
  type SalesforceRecord,
} from '#lib/local-cloud/crm-simulator/salesforce-record-store';
import { fieldsOf, matches, parseSoql, SoqlError, type SoqlQuery } from '#lib/local-cloud/crm-simulator/salesforce-soql';

/**
 * Salesforce, the subset the integration uses, answered the way `<domain>.my.salesforce.com` answers:
 *
 *   POST  /services/oauth2/token                                   client credentials (Basic or form) → access token
 *   PATCH /services/data/vXX.X/sobjects/{Contact|Case}/{ExtIdField}/{value}   upsert by External ID: 201 created / 200 updated
 *   GET   /services/data/vXX.X/sobjects/{Contact|Case}/{ExtIdField}/{value}   the record
 *   GET   /services/data/vXX.X/query?q=SOQL                        a SELECT over one object (salesforce-soql.ts)
 *   GET   /services/data/vXX.X/limits                              the org's limits, `{ Name: { Max, Remaining } }`
 *                                                                  (the admin's test call); API requests count down
 *
 * Data calls need `Authorization: Bearer <token the token endpoint issued>`; a revoked or older
 * token than the session timeout gets 401 INVALID_SESSION_ID. Errors are Salesforce's array of
 * `{ message, errorCode, fields? }`: NOT_FOUND (unknown object, or a field that is not an External
 * ID), INVALID_FIELD (no such field; a related record's external id that matches nothing),
 * REQUIRED_FIELD_MISSING, STRING_TOO_LONG, JSON_PARSER_ERROR, MALFORMED_QUERY, and 300 with the
 * matching record ids when an external id matches more than one record.
 */

export interface SalesforceRoutesOptions {
  /** Connected app credentials (client credentials flow); default one pair: `local-client` / `local-secret`. */
  clients?: Array<{ clientId: string; clientSecret: string }>;
  /** How long an issued token is accepted (Salesforce's session timeout); default 2 hours. */
  sessionTimeoutMs?: number;
  /** The instance URL reported by the token endpoint (the simulator's own URL). */
  instanceUrl?: () => string;
  schema?: OrgSchema;
  clock?: SimClock;
  store?: SalesforceRecordStore;
}

export interface SalesforceRoutes {
  handle: CrmRouteHandler;
  store: SalesforceRecordStore;
  /** Forgets every record (the simulator's `POST /_crm/reset`). */
  reset(): void;
  /** The records, for `GET /_crm/records/salesforce`. */
  records(): unknown;
}

const OBJECTS: readonly SalesforceObject[] = ['Contact', 'Case'];
const API_VERSION = /^v(\d{2})\.0$/;

const sfError = (status: number, errorCode: string, message: string, fields?: string[]): CrmSimResponse => ({
  status,
  body: [{ message, errorCode, ...(fields ? { fields } : {}) }],
});
const notFound = () => sfError(404, 'NOT_FOUND', 'The requested resource does not exist');

/**
 * Part of what `/limits` lists, with an Enterprise Edition org's allocations (the API request
 * allocation is 100,000 a day plus an amount per licence; the simulator has none).
 */
const ORG_LIMITS: Readonly<Record<string, number>> = {
  ConcurrentAsyncGetReportInstances: 200,
  ConcurrentSyncReportRuns: 20,
  DailyApiRequests: 100_000,
  DailyAsyncApexExecutions: 250_000,
  DailyBulkApiBatches: 15_000,
  DailyBulkV2QueryJobs: 10_000,
  DailyDurableStreamingApiEvents: 10_000,
  DailyStandardVolumePlatformEvents: 10_000,
  DataStorageMB: 1_024,
  FileStorageMB: 10_240,
  HourlyPublishedPlatformEvents: 50_000,
  MassEmail: 5_000,
  SingleEmail: 5_000,
};
const DAY_MS = 24 * 60 * 60_000;

function recordUrl(version: string, object: SalesforceObject, id: string): string {
  return `/services/data/${version}/sobjects/${object}/${id}`;
}

export function createSalesforceRoutes(options: SalesforceRoutesOptions = {}): SalesforceRoutes {
  const clock = options.clock ?? Date.now;
  const store = options.store ?? new SalesforceRecordStore({ ...(options.schema ? { schema: options.schema } : {}), clock });
  const clients = options.clients ?? [{ clientId: 'local-client', clientSecret: 'local-secret' }];
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 2 * 60 * 60_000;
  /** When each authenticated data call of the last 24 hours was made (DailyApiRequests counts them). */
  let apiCalls: number[] = [];

  function limits(req: CrmSimRequest): CrmSimResponse {
    if (req.method !== 'GET') return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,HEAD`);
    const used = apiCalls.length;
    const body: Record<string, { Max: number; Remaining: number }> = {};
    for (const [name, max] of Object.entries(ORG_LIMITS)) body[name] = { Max: max, Remaining: name === 'DailyApiRequests' ? Math.max(0, max - used) : max };
    return { status: 200, body };
  }

  function token(req: CrmSimRequest): CrmSimResponse {
    if (req.method !== 'POST') return { status: 405, body: { error: 'invalid_request', error_description: 'must use HTTP POST' } };
    const form = new URLSearchParams(bodyText(req));
    const basic = basicCredentialsOf(req);
    const clientId = basic?.username ?? form.get('client_id') ?? undefined;
    const clientSecret = basic?.password ?? form.get('client_secret') ?? undefined;
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' } };
    const client = clients.find((c) => c.clientId === clientId);
    if (!client) return { status: 400, body: { error: 'invalid_client_id', error_description: 'client identifier invalid' } };
    if (client.clientSecret !== clientSecret) return { status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } };
    const accessToken = store.issueToken(client.clientId);
    const instance = options.instanceUrl?.() ?? 'https://local.my.salesforce.com';
    return {
      status: 200,
      body: {
        access_token: accessToken,
        signature: Buffer.from(accessToken).toString('base64').slice(0, 44),
        scope: 'api',
        instance_url: instance,
        id: `${instance}/id/00D5g000004SimEAA/0055g00000SimUAAA`,
        token_type: 'Bearer',
        issued_at: String(clock()),
      },
    };
  }

  /** Checks the body's fields against the org's schema; resolves relationship references by external id. */
  function prepareFields(
    object: SalesforceObject,
    body: Record<string, unknown>,
    externalIdField: string,
    externalId: string,
  ): { ok: true; fields: Record<string, unknown> } | { ok: false; response: CrmSimResponse } {
    const schema = store.schema[object];
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(body)) {
      if (name === 'attributes') continue;
      const reference = Object.entries(schema).find(([, def]) => def.type === 'reference' && def.relationshipName === name);
      if (reference) {
        const [referenceField, def] = reference as [string, FieldDefinition & { referenceTo: SalesforceObject }];
        if (!isRecord(value) || Object.keys(value).length !== 1) {
          return { ok: false, response: sfError(400, 'INVALID_FIELD', `The value provided for foreign key reference ${name} is not a nested SObject`) };
        }
        const [[extField, extValue]] = Object.entries(value) as [[string, unknown]];
        if (!store.schema[def.referenceTo][extField]?.externalId && extField !== 'Id') {
          return { ok: false, response: sfError(400, 'INVALID_FIELD', `Field ${extField} is not an External ID or indexed field for ${def.referenceTo}`) };
        }
        const matchesRef =
          extField === 'Id'
            ? [store.get(def.referenceTo, String(extValue))].filter((r) => r !== undefined)
            : store.findByExternalId(def.referenceTo, extField, String(extValue));
        if (matchesRef.length === 0) {
          return {
            ok: false,
            response: sfError(
              400,
              'INVALID_FIELD',
              `Foreign key external ID: ${String(extValue)} not found for field ${extField} in entity ${def.referenceTo}`,
              [],
            ),
          };
        }
        if (matchesRef.length > 1) {
          return {
            ok: false,
            response: sfError(
              400,
              'INVALID_FIELD',
              `Foreign key external ID: ${String(extValue)} matches more than one record for field ${extField} in entity ${def.referenceTo}`,
              [],
            ),
          };
        }
        fields[referenceField] = matchesRef[0]!.Id;
        continue;
      }
      const def = schema[name];
      if (!def) return { ok: false, response: sfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object}`) };
      if (def.readOnly)
        return {
          ok: false,
          response: sfError(
            400,
            'INVALID_FIELD_FOR_INSERT_UPDATE',
            `Unable to create/update fields: ${name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
            [name],
          ),
        };
      if (name === externalIdField) {
        if (typeof value !== 'string' || value.toLowerCase() !== externalId.toLowerCase()) {
          return {
            ok: false,
            response: sfError(400, 'INVALID_FIELD', `The ${externalIdField} in the request body does not match the value in the URL`, [name]),
          };
        }
        continue;
      }
      if (value === null) {
        fields[name] = null;
        continue;
      }
      switch (def.type) {
        case 'double':
          if (typeof value !== 'number' || !Number.isFinite(value)) {
            return {
              ok: false,
              response: sfError(
                400,
                'JSON_PARSER_ERROR',
                `Cannot deserialize instance of double from ${JSON.stringify(value).slice(0, 40)} value for field ${name}`,
              ),
            };
          }
          break;
        case 'boolean':
          if (typeof value !== 'boolean')
            return {
              ok: false,
              response: sfError(
                400,
                'JSON_PARSER_ERROR',
                `Cannot deserialize instance of boolean from ${JSON.stringify(value).slice(0, 40)} value for field ${name}`,
              ),
            };
          break;
        case 'reference':
        case 'id':
          if (typeof value !== 'string' || !/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(value)) {
            return { ok: false, response: sfError(400, 'MALFORMED_ID', `${def.label}: id value of incorrect type: ${String(value).slice(0, 40)}`, [name]) };
          }
          break;
        default:
          if (typeof value !== 'string')
            return {
              ok: false,
              response: sfError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of string from ${typeof value} value for field ${name}`),
            };
          if (def.length !== undefined && value.length > def.length) {
            return {
              ok: false,
              response: sfError(400, 'STRING_TOO_LONG', `${def.label}: data value too large: ${value.slice(0, 40)}... (max length=${def.length})`, [name]),
            };
          }
      }
      fields[name] = value;
    }
    return { ok: true, fields };
  }

  function upsert(req: CrmSimRequest, version: string, object: SalesforceObject, field: string, value: string): CrmSimResponse {
    const parsed = bodyJson(req);
    if (!parsed.ok) return sfError(400, 'JSON_PARSER_ERROR', `Unexpected character: ${parsed.message}`);
    if (!isRecord(parsed.value)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
    const prepared = prepareFields(object, parsed.value, field, value);
    if (!prepared.ok) return prepared.response;
    const existing = store.findByExternalId(object, field, value);
    if (existing.length > 1) return { status: 300, body: existing.map((r) => recordUrl(version, object, r.Id)) };
    const respond = (record: SalesforceRecord, created: boolean): CrmSimResponse => ({
      status: created ? 201 : 200,
      body: { id: record.Id, success: true, errors: [], created },
      ...(created ? { headers: { location: recordUrl(version, object, record.Id) } } : {}),
    });
    if (existing[0]) return respond(store.update(object, existing[0], prepared.fields), false);
    const missing = Object.entries(store.schema[object])
      .filter(([name, def]) => def.required && (prepared.fields[name] === undefined || prepared.fields[name] === null || prepared.fields[name] === ''))
      .map(([name]) => name);
    if (missing.length > 0) return sfError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    return respond(store.insert(object, { ...prepared.fields, [field]: value }), true);
  }

  function readByExternalId(version: string, object: SalesforceObject, field: string, value: string): CrmSimResponse {
    const found = store.findByExternalId(object, field, value);
    if (found.length === 0) return notFound();
    if (found.length > 1) return { status: 300, body: found.map((r) => recordUrl(version, object, r.Id)) };
    return { status: 200, body: { attributes: { type: object, url: recordUrl(version, object, found[0]!.Id) }, ...found[0] } };
  }

  function query(req: CrmSimRequest, version: string): CrmSimResponse {
    const soql = queryOf(req, 'q');
    if (soql === undefined || soql.trim() === '') return sfError(400, 'MALFORMED_QUERY', 'A query string must be provided');
    let parsed: SoqlQuery;
    try {
      parsed = parseSoql(soql);
    } catch (err) {
      if (err instanceof SoqlError) return sfError(400, err.errorCode, `\n${soql.slice(0, 200)}\n^\nERROR at Row:1:Column:1\n${err.message}`);
      throw err;
    }
    const object = OBJECTS.find((o) => o.toLowerCase() === parsed.object.toLowerCase());
    if (!object) return sfError(400, 'INVALID_TYPE', `\n${parsed.object}\n^\nERROR at Row:1:Column:1\nsObject type '${parsed.object}' is not supported.`);
    const schema = store.schema[object];
    const canonical = (name: string) => Object.keys(schema).find((k) => k.toLowerCase() === name.toLowerCase());
    for (const name of [...parsed.fields, ...fieldsOf(parsed.where), ...(parsed.orderBy ? [parsed.orderBy.field] : [])]) {
      if (!canonical(name))
        return sfError(
          400,
          'INVALID_FIELD',
          `\n${name}\n^\nERROR at Row:1:Column:1\nNo such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
        );
    }
    // Field names in SOQL are case-insensitive: read records through the schema's spelling.
    const view = (r: SalesforceRecord): Record<string, unknown> => Object.fromEntries(Object.keys(schema).map((k) => [k.toLowerCase(), r[k] ?? null]));
    const lowerCondition =
      JSON.parse(JSON.stringify(parsed.where ?? null), (key, v) => (key === 'field' && typeof v === 'string' ? v.toLowerCase() : v)) ?? undefined;
    let records = store.records(object).filter((r) => matches(view(r), lowerCondition));
    if (parsed.orderBy) {
      const key = canonical(parsed.orderBy.field)!;
      const direction = parsed.orderBy.descending ? -1 : 1;
      records = records.sort((a, b) => {
        const x = (a[key] ?? '') as string | number;
        const y = (b[key] ?? '') as string | number;
        return (x < y ? -1 : x > y ? 1 : 0) * direction;
      });
    }
    if (parsed.limit !== undefined) records = records.slice(0, parsed.limit);
    return {
      status: 200,
      body: {
        totalSize: records.length,
        done: true,
        records: records.map((r) => ({
          attributes: { type: object, url: recordUrl(version, object, r.Id) },
          ...Object.fromEntries(parsed.fields.map((f) => [canonical(f)!, r[canonical(f)!] ?? null])),
        })),
      },
    };
  }

  const handle: CrmRouteHandler = (req) => {
    if (req.path === '/services/oauth2/token') return token(req);
    const data = /^\/services\/data\/(v[^/]+)(\/.*)?$/.exec(req.path);
    if (!data) return undefined;
    const bearer = bearerTokenOf(req);
    if (bearer === undefined || !store.tokenValid(bearer, sessionTimeoutMs)) return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const version = data[1]!;
    const versionNumber = API_VERSION.exec(version);
    if (!versionNumber || Number(versionNumber[1]) < 20 || Number(versionNumber[1]) > 66) return notFound();
    const now = clock();
    while (apiCalls.length > 0 && now - apiCalls[0]! >= DAY_MS) apiCalls.shift();
    apiCalls.push(now);
    const rest = data[2] ?? '';
    if (rest === '/limits' || rest === '/limits/') {
      // The resource exists from API version 29.0.
      return Number(versionNumber[1]) < 29 ? notFound() : limits(req);
    }
    if (rest === '/query' || rest === '/query/') {
      if (req.method !== 'GET') return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,HEAD`);
      return query(req, version);
    }
    const byExternalId = /^\/sobjects\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(rest);
    if (!byExternalId) return notFound();
    const object = OBJECTS.find((o) => o === byExternalId[1]);
    if (!object) return notFound();
    const field = decodeURIComponent(byExternalId[2]!);
    const value = decodeURIComponent(byExternalId[3]!);
    if (!store.schema[object][field]?.externalId) return notFound();
    if (headerOf(req, 'content-type') !== undefined && req.method === 'PATCH' && !/json/i.test(headerOf(req, 'content-type')!)) {
      return sfError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content type '${headerOf(req, 'content-type')}' not supported`);
    }
    if (req.method === 'PATCH') return upsert(req, version, object, field, value);
    if (req.method === 'GET') return readByExternalId(version, object, field, value);
    return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,HEAD,PATCH,DELETE`);
  };

  const reset = () => {
    store.reset();
    apiCalls = [];
  };
  return { handle, store, reset, records: () => ({ Contact: store.records('Contact'), Case: store.records('Case') }) };
}
