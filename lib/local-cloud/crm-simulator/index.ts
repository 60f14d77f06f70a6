import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBody } from '#lib/local-cloud/graph-simulator/http-util';
import { CONTROL_PREFIX, handleControlRequest, type CrmControl, type MountStatus } from '#lib/local-cloud/crm-simulator/control-routes';
import { CrmFaults, type CrmFault } from '#lib/local-cloud/crm-simulator/crm-faults';
import { CrmOutbox, redactBody, redactHeaders, type CrmMount, type CrmOutboxEntry } from '#lib/local-cloud/crm-simulator/crm-outbox';
import {
  CRM_NAMES,
  importCrmRoutesModule,
  routesFromModule,
  type CrmName,
  type CrmRequest,
  type CrmResponse,
  type CrmRouteContext,
  type CrmRouteHandler,
  type CrmRoutes,
} from '#lib/local-cloud/crm-simulator/crm-routes';
import { WebhookReceiver, type WebhookDelivery } from '#lib/local-cloud/crm-simulator/webhook-receiver';

export * from '#lib/local-cloud/crm-simulator/crm-routes';
export type { CrmOutboxEntry, CrmMount } from '#lib/local-cloud/crm-simulator/crm-outbox';
export type { CrmFault } from '#lib/local-cloud/crm-simulator/crm-faults';
export type { WebhookDelivery, SignatureVerdict } from '#lib/local-cloud/crm-simulator/webhook-receiver';
export type { MountStatus } from '#lib/local-cloud/crm-simulator/control-routes';
export { webhookSignature } from '#lib/local-cloud/crm-simulator/webhook-receiver';

export const DEFAULT_CRM_SIM_PORT = 3200;
export const WEBHOOK_MOUNT = 'webhook';
const MOUNTS: readonly CrmMount[] = [...CRM_NAMES, WEBHOOK_MOUNT];

export interface CrmSimulatorOptions {
  /** Port to listen on; 0 picks a free one. Default: env CRM_SIM_PORT, else 3200. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Epoch milliseconds for the outbox and the routes (injectable in tests). */
  clock?: () => number;
  /** Verify the signature (`signature` query parameter, or `X-Hub-Signature-256`) on every `/webhook/*` delivery with this secret (more per path at run time). */
  webhookSecret?: string;
  /** Routes to serve instead of the `<crm>-routes.ts` modules (tests of the shell). */
  routes?: Partial<Record<CrmName, CrmRoutes | CrmRouteHandler>>;
  /** Where a CRM's routes module comes from; default `importCrmRoutesModule` (the file beside this one). */
  loadRoutesModule?: (crm: CrmName) => Promise<Record<string, unknown> | undefined>;
}

export interface CrmSimulator {
  /** e.g. `http://127.0.0.1:3200`. */
  url: string;
  port: number;
  /** A CRM's base URL, e.g. `http://127.0.0.1:3200/hubspot`: what an integration's baseUrl is locally. */
  baseUrl(crm: CrmName): string;
  /** The generic webhook receiver's URL for a path, e.g. `http://127.0.0.1:3200/webhook/acme`. */
  webhookUrl(path?: string): string;
  outbox(filter?: { crm?: CrmMount }): CrmOutboxEntry[];
  webhooks(): WebhookDelivery[];
  /** The CRM's records, when its routes keep them. */
  records(crm: CrmName): unknown;
  injectFault(fault: CrmFault): void;
  setWebhookSecret(secret: string | undefined, path?: string): void;
  status(): Record<CrmName, MountStatus>;
  /** Forgets requests, faults, webhooks and every CRM's records; keeps the options. */
  reset(): void;
  close(): Promise<void>;
}

function portFromEnv(): number {
  const value = process.env.CRM_SIM_PORT;
  if (value === undefined || value === '') return DEFAULT_CRM_SIM_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`CRM_SIM_PORT is not a port: ${value}`);
  return port;
}

/**
 * Plays the CRMs (HubSpot, Salesforce, Zendesk) and a business's own webhook endpoint for the
 * local cloud's outbound integrations. One HTTP server: `/<crm>/*` goes to that CRM's routes
 * (`<crm>-routes.ts`), `/webhook/*` to the webhook receiver, `/_crm/*` to the control API. Every
 * request is recorded in the outbox, credentials redacted; injected faults answer before the routes.
 */
export async function startCrmSimulator(options: CrmSimulatorOptions = {}): Promise<CrmSimulator> {
  const clock = options.clock ?? Date.now;
  let url = '';
  const outbox = new CrmOutbox();
  const faults = new CrmFaults();
  const webhooks = new WebhookReceiver(options.webhookSecret);
  const mounted = new Map<CrmName, CrmRoutes>();
  const status = {} as Record<CrmName, MountStatus>;
  const loadModule = options.loadRoutesModule ?? ((crm: CrmName) => importCrmRoutesModule(crm));

  for (const crm of CRM_NAMES) {
    const ctx: CrmRouteContext = { crm, clock, baseUrl: () => `${url}/${crm}`, instanceUrl: () => `${url}/${crm}` };
    const given = options.routes?.[crm];
    if (given !== undefined) {
      mounted.set(crm, typeof given === 'function' ? { handle: given } : given);
      status[crm] = { state: 'mounted' };
      continue;
    }
    try {
      const module = await loadModule(crm);
      const routes = module ? routesFromModule(module, ctx) : undefined;
      if (routes) mounted.set(crm, routes);
      status[crm] = routes
        ? { state: 'mounted' }
        : module
          ? { state: 'failed', error: `${crm}-routes exports none of create${crm}Routes, ${crm}Routes, handle${crm}Request or a default function` }
          : { state: 'missing' };
    } catch (err) {
      // A routes file being written may not load yet; the other CRMs are still served.
      status[crm] = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
      process.stderr.write(`crm simulator: the ${crm} routes did not load: ${status[crm].state === 'failed' ? status[crm].error : ''}\n`);
    }
  }

  const reset = (): void => {
    outbox.reset();
    faults.reset();
    webhooks.reset(options.webhookSecret);
    for (const routes of mounted.values()) routes.reset?.();
  };
  const control: CrmControl = {
    mounts: MOUNTS,
    outbox,
    faults,
    webhooks,
    records: (crm) => {
      const routes = mounted.get(crm);
      return routes?.records ? { available: true, records: routes.records() } : { available: false };
    },
    status: () => ({ ...status }),
    reset,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestUrl = new URL(req.url ?? '/', url);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const rawBody = raw.toString('utf8');
    const headers = flattenHeaders(req);
    const body = parseBody(rawBody, headers['content-type']);

    if (requestUrl.pathname.startsWith(CONTROL_PREFIX)) {
      if (body === INVALID_JSON) return send(res, { status: 400, body: { error: { message: 'the body is not JSON' } } });
      return send(res, handleControlRequest(control, method, requestUrl, body));
    }

    const [, first = ''] = requestUrl.pathname.split('/');
    const mount = (MOUNTS as readonly string[]).includes(first) ? (first as CrmMount) : undefined;
    if (!mount)
      return send(res, {
        status: 404,
        body: { error: { message: `nothing is mounted at ${requestUrl.pathname}; try /hubspot, /salesforce, /zendesk or /webhook` } },
      });
    const subPath = requestUrl.pathname.slice(first.length + 1) || '/';
    // The routes get JSON parsed and anything else (a form-encoded token request) as text; the outbox shows form fields.
    const routeBody = body === INVALID_JSON || isForm(headers['content-type']) ? (rawBody === '' ? undefined : rawBody) : body;
    const shownBody = body === INVALID_JSON ? rawBody : body;

    let response: CrmResponse;
    let fault = false;
    const injected = faults.take(mount);
    if (injected) {
      fault = true;
      if (injected.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, injected.delayMs));
      response = injected.response;
    } else if (mount === WEBHOOK_MOUNT) {
      response = webhooks.receive({
        path: subPath,
        query: Object.fromEntries(requestUrl.searchParams),
        headers,
        redactedHeaders: redactHeaders(headers),
        rawBody,
        body: routeBody,
        now: clock(),
      });
    } else {
      response = await callRoutes(mount, mounted.get(mount), status[mount], {
        method,
        path: subPath,
        query: Object.fromEntries(requestUrl.searchParams),
        searchParams: new URLSearchParams(requestUrl.searchParams),
        headers,
        body: routeBody,
        rawBody,
        baseUrl: `${url}/${mount}`,
      });
    }

    outbox.record({
      crm: mount,
      method,
      path: requestUrl.pathname,
      query: Object.fromEntries(requestUrl.searchParams),
      headers: redactHeaders(headers),
      body: redactBody(shownBody),
      receivedAt: new Date(clock()).toISOString(),
      status: response.status,
      response: response.body,
      ...(fault ? { fault: true } : {}),
    });
    send(res, response);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof BodyTooLargeError) return send(res, { status: 413, body: { error: { message: err.message } } });
      process.stderr.write(`crm simulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      send(res, { status: 500, body: { error: { message: 'the CRM simulator failed on this request' } } });
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? portFromEnv(), host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host}:${port}`;

  return {
    url,
    port,
    baseUrl: (crm) => `${url}/${crm}`,
    webhookUrl: (path = '') => `${url}/${WEBHOOK_MOUNT}${path === '' || path.startsWith('/') ? path : `/${path}`}`,
    outbox: (filter) => outbox.all(filter),
    webhooks: () => webhooks.all(),
    records: (crm) => control.records(crm).records,
    injectFault: (fault) => faults.add(fault),
    setWebhookSecret: (secret, path) => webhooks.setSecret(secret, path),
    status: () => ({ ...status }),
    reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function callRoutes(crm: CrmName, routes: CrmRoutes | undefined, status: MountStatus, req: CrmRequest): Promise<CrmResponse> {
  if (!routes) {
    const why = status.state === 'failed' ? `its routes failed to load: ${status.error}` : `lib/local-cloud/crm-simulator/${crm}-routes.ts is not there yet`;
    return { status: 501, body: { error: { message: `The ${crm} simulator serves nothing: ${why}` } } };
  }
  try {
    const response = await routes.handle(req);
    if (response === undefined) return { status: 404, body: { error: { message: `the ${crm} simulator has no route ${req.method} ${req.path}` } } };
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
      return { status: 500, body: { error: { message: `the ${crm} routes answered no valid status for ${req.method} ${req.path}` } } };
    }
    return response;
  } catch (err) {
    // A bug in a CRM's routes shows as a 500 the caller (EventBridge) retries, and on stderr for the developer.
    process.stderr.write(`crm simulator: ${crm} ${req.method} ${req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return { status: 500, body: { error: { message: `the ${crm} routes failed on ${req.method} ${req.path}` } } };
  }
}

const INVALID_JSON = Symbol('invalid JSON');

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().includes('application/x-www-form-urlencoded');
}

/** JSON (when declared or when it parses), form fields, else text; undefined when empty. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (isForm(type)) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return type.includes('json') ? INVALID_JSON : raw;
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function send(res: ServerResponse, response: CrmResponse): void {
  const headers: Record<string, string | number> = { ...response.headers };
  let payload: Buffer | undefined;
  // 204 and 304 answers carry no body.
  if (response.body !== undefined && response.status !== 204 && response.status !== 304) {
    const isText = typeof response.body === 'string';
    payload = Buffer.from(isText ? (response.body as string) : JSON.stringify(response.body), 'utf8');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    }
  }
  headers['content-length'] = payload?.length ?? 0;
  res.writeHead(response.status, headers);
  res.end(payload);
}
