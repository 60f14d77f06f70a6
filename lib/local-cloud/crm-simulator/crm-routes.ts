import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The CRMs the simulator plays, each mounted at `/<crm>` (e.g. `http://127.0.0.1:3200/hubspot`). */
export const CRM_NAMES = ['hubspot', 'salesforce', 'zendesk'] as const;
export type CrmName = (typeof CRM_NAMES)[number];

export function isCrmName(value: unknown): value is CrmName {
  return typeof value === 'string' && (CRM_NAMES as readonly string[]).includes(value);
}

/** One request to a CRM's routes, below its mount. */
export interface CrmRequest {
  /** Upper case, e.g. `POST`. */
  method: string;
  /** Below the mount, from `/`: `/crm/v3/objects/contacts/batch/upsert` for `/hubspot/crm/v3/objects/contacts/batch/upsert`. */
  path: string;
  /** Query parameters (the last value of a repeated name); `searchParams` has them all. */
  query: Record<string, string>;
  searchParams: URLSearchParams;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body: parsed JSON when it parses, otherwise the text (a form-encoded token request); undefined when empty. */
  body: unknown;
  rawBody: string;
  /** This CRM's base URL on the simulator, e.g. `http://127.0.0.1:3200/salesforce` (for instance URLs and links). */
  baseUrl: string;
}

export interface CrmResponse {
  status: number;
  /** Sent as JSON, unless a string (sent as text) or undefined (no body). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Undefined: no such route (answered 404). */
export type CrmRouteHandler = (req: CrmRequest) => CrmResponse | undefined | Promise<CrmResponse | undefined>;

/** A CRM's routes over its own in-memory records. */
export interface CrmRoutes {
  handle: CrmRouteHandler;
  /** Forget every record (`POST /_crm/reset`). */
  reset?(): void;
  /** The records, for tests and `GET /_crm/records/<crm>`. */
  records?(): unknown;
}

/** What a routes factory is given (as its options object). */
export interface CrmRouteContext {
  crm: CrmName;
  /** Epoch milliseconds (injectable in tests). */
  clock: () => number;
  /** This CRM's base URL on the simulator, known once it listens (Zendesk's `url` fields). */
  baseUrl: () => string;
  /** The same URL, under the name Salesforce's token answer uses (`instance_url`). */
  instanceUrl: () => string;
}

/**
 * The records a CRM's routes keep, when they expose a `store` rather than `records()`: what
 * `GET /_crm/records/<crm>` shows.
 */
function storeRecords(crm: CrmName, store: Record<string, unknown>): unknown {
  const call = (name: string, ...args: unknown[]): unknown =>
    typeof store[name] === 'function' ? (store[name] as (...a: unknown[]) => unknown).call(store, ...args) : undefined;
  if (crm === 'hubspot') return { contacts: call('records', 'contacts'), tickets: call('records', 'tickets') };
  if (crm === 'salesforce') return { Contact: call('records', 'Contact'), Case: call('records', 'Case') };
  return { users: call('allUsers'), tickets: call('allTickets') };
}

/**
 * How a `<crm>-routes.ts` module offers its routes, in order of preference (export names are matched
 * without regard to case, so `createHubSpotRoutes` and `createHubspotRoutes` both work):
 *   1. `create<Crm>Routes(ctx: CrmRouteContext): CrmRoutes | CrmRouteHandler` — one set of records per simulator
 *      (a returned `store` with `reset()` stands in for `reset`, and its listings for `records`);
 *   2. `<crm>Routes`: a `CrmRoutes` object;
 *   3. `handle<Crm>Request(req: CrmRequest): CrmResponse` or a default export function — a bare handler.
 */
export function routesFromModule(module: Record<string, unknown>, ctx: CrmRouteContext): CrmRoutes | undefined {
  const exports = new Map(Object.entries(module).map(([name, value]) => [name.toLowerCase(), value]));
  const crm = ctx.crm.toLowerCase();
  const factory = exports.get(`create${crm}routes`);
  if (typeof factory === 'function') return asRoutes((factory as (c: CrmRouteContext) => unknown)(ctx), ctx.crm);
  const object = exports.get(`${crm}routes`);
  if (object !== undefined) return asRoutes(object, ctx.crm);
  const handler = exports.get(`handle${crm}request`) ?? module.default;
  if (typeof handler === 'function') return { handle: handler as CrmRouteHandler };
  return undefined;
}

function asRoutes(value: unknown, crm: CrmName): CrmRoutes | undefined {
  if (typeof value === 'function') return { handle: value as CrmRouteHandler };
  if (value !== null && typeof value === 'object' && typeof (value as CrmRoutes).handle === 'function') {
    const routes = value as CrmRoutes & { store?: Record<string, unknown> };
    const store = routes.store !== null && typeof routes.store === 'object' ? routes.store : undefined;
    const storeReset = store && typeof store.reset === 'function' ? (store.reset as () => void).bind(store) : undefined;
    const reset = typeof routes.reset === 'function' ? routes.reset.bind(routes) : storeReset;
    const records = typeof routes.records === 'function' ? routes.records.bind(routes) : store ? () => storeRecords(crm, store) : undefined;
    return { handle: routes.handle.bind(routes), ...(reset ? { reset } : {}), ...(records ? { records } : {}) };
  }
  return undefined;
}

/**
 * Imports `<crm>-routes.ts` (or `.js` when built) from `dir`, by default this module's folder
 * (`lib/local-cloud/crm-simulator/`); undefined when there is no such file yet.
 */
export async function importCrmRoutesModule(crm: CrmName, dir: URL = new URL('./', import.meta.url)): Promise<Record<string, unknown> | undefined> {
  for (const ext of ['.ts', '.js']) {
    const url = new URL(`${crm}-routes${ext}`, dir);
    if (existsSync(fileURLToPath(url))) return (await import(/* @vite-ignore */ url.href)) as Record<string, unknown>;
  }
  return undefined;
}
