import { randomUUID } from 'node:crypto';

/**
 * The shape of one CRM's routes in the CRM simulator: plain functions from a request to a
 * response, over that CRM's in-memory records, so the simulator's HTTP server (index.ts, which
 * loads `create<Crm>Routes` from each `<crm>-routes.ts`) can mount them and tests can call them
 * over real HTTP or directly.
 *
 * A structural subset of the server's `CrmRequest` (crm-routes.ts), so a test can build one by hand:
 * `path` is below the CRM's mount (`/crm/v3/…` for `/hubspot/crm/v3/…`) without the query string;
 * `body` is JSON already parsed or the raw text; `rawBody`, when given, is read first.
 */
export interface CrmSimRequest {
  method: string;
  path: string;
  query: URLSearchParams | Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  rawBody?: string;
}

export interface CrmSimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Answers the CRM's routes; undefined for a path that is not one of them (the server answers 404). */
export type CrmRouteHandler = (req: CrmSimRequest) => CrmSimResponse | undefined;

export function headerOf(req: CrmSimRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export function queryOf(req: CrmSimRequest, name: string): string | undefined {
  if (req.query instanceof URLSearchParams) return req.query.get(name) ?? undefined;
  const value = req.query[name];
  return Array.isArray(value) ? value[0] : value;
}

export function bodyText(req: CrmSimRequest): string {
  if (typeof req.rawBody === 'string') return req.rawBody;
  const body = req.body;
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return JSON.stringify(body);
}

/** The body as JSON: `{ ok: true, value }` (an empty body is undefined), `{ ok: false }` when it does not parse. */
export function bodyJson(req: CrmSimRequest): { ok: true; value: unknown } | { ok: false; message: string } {
  const body = req.body;
  if (
    typeof req.rawBody !== 'string' &&
    body !== undefined &&
    body !== null &&
    typeof body === 'object' &&
    !Buffer.isBuffer(body) &&
    !(body instanceof Uint8Array)
  )
    return { ok: true, value: body };
  const text = bodyText(req);
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : 'invalid JSON' };
  }
}

/** The bearer token of `Authorization: Bearer <token>`. */
export function bearerTokenOf(req: CrmSimRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headerOf(req, 'authorization') ?? '');
  return match?.[1];
}

/** `Authorization: Basic` decoded, split at the first colon. */
export function basicCredentialsOf(req: CrmSimRequest): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headerOf(req, 'authorization') ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export const correlationId = (): string => randomUUID();

/** A JSON rendering with sorted keys, to compare two request bodies. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
    .join(',')}}`;
}

/** Milliseconds since the epoch; injected by tests to step over expiry windows. */
export type SimClock = () => number;
