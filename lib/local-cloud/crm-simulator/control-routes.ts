import type { CrmFaults } from '#lib/local-cloud/crm-simulator/crm-faults';
import { parseFault } from '#lib/local-cloud/crm-simulator/crm-faults';
import type { CrmMount, CrmOutbox } from '#lib/local-cloud/crm-simulator/crm-outbox';
import { isCrmName, type CrmName, type CrmResponse } from '#lib/local-cloud/crm-simulator/crm-routes';
import type { WebhookReceiver } from '#lib/local-cloud/crm-simulator/webhook-receiver';

/** Prefix of the simulator's own routes. */
export const CONTROL_PREFIX = '/_crm/';

/** Whether a CRM's routes are served: found and loaded, not written yet, or failing to load. */
export type MountStatus = { state: 'mounted' } | { state: 'missing' } | { state: 'failed'; error: string };

export interface CrmControl {
  mounts: readonly CrmMount[];
  outbox: CrmOutbox;
  faults: CrmFaults;
  webhooks: WebhookReceiver;
  records(crm: CrmName): { available: boolean; records?: unknown };
  status(): Record<CrmName, MountStatus>;
  reset(): void;
}

function error(status: number, message: string): CrmResponse {
  return { status, body: { error: { message } } };
}

/**
 * The control API tests and people use:
 *   GET  /_crm/outbox[?crm=hubspot]      every request received (credentials redacted)
 *   GET  /_crm/webhooks                  bodies posted to /webhook/*, with their signature verdict
 *   GET  /_crm/records/<crm>             the CRM's records (when its routes keep them)
 *   GET  /_crm/status                    which CRMs' routes are mounted
 *   POST /_crm/faults                    { crm, status, count?, body?, headers?, delayMs? }
 *   GET  /_crm/faults, DELETE /_crm/faults
 *   POST /_crm/webhook-secret            { secret: string | null, path? }
 *   POST /_crm/reset                     forget requests, faults, webhooks and records
 */
export function handleControlRequest(ctl: CrmControl, method: string, url: URL, body: unknown): CrmResponse {
  const segments = url.pathname
    .slice(CONTROL_PREFIX.length)
    .split('/')
    .filter((s) => s !== '');
  const route = `${method} ${segments.join('/')}`;

  if (route === 'GET outbox') {
    const crm = url.searchParams.get('crm');
    if (crm !== null && !(ctl.mounts as readonly string[]).includes(crm)) return error(400, `crm must be one of ${ctl.mounts.join(', ')}`);
    return { status: 200, body: ctl.outbox.all(crm === null ? {} : { crm: crm as CrmMount }) };
  }
  if (route === 'GET webhooks') return { status: 200, body: ctl.webhooks.all() };
  if (route === 'GET status') return { status: 200, body: ctl.status() };
  if (method === 'GET' && segments[0] === 'records' && segments.length === 2) {
    const crm = segments[1];
    if (!isCrmName(crm)) return error(400, 'unknown CRM');
    const found = ctl.records(crm);
    return found.available ? { status: 200, body: found.records ?? null } : error(404, `the ${crm} routes keep no records to show`);
  }
  if (route === 'POST faults') {
    const fault = parseFault(body, ctl.mounts);
    if (typeof fault === 'string') return error(400, fault);
    ctl.faults.add(fault);
    return { status: 200, body: { pending: ctl.faults.pending() } };
  }
  if (route === 'GET faults') return { status: 200, body: { pending: ctl.faults.pending() } };
  if (route === 'DELETE faults') {
    ctl.faults.reset();
    return { status: 200, body: { pending: [] } };
  }
  if (route === 'POST webhook-secret') {
    const b = body as { secret?: unknown; path?: unknown } | undefined;
    if (b === undefined || b === null || typeof b !== 'object') return error(400, 'the body is { secret: string | null, path? }');
    if (b.secret !== null && (typeof b.secret !== 'string' || b.secret.length === 0 || b.secret.length > 1024))
      return error(400, 'secret must be a non-empty string or null');
    if (b.path !== undefined && (typeof b.path !== 'string' || !b.path.startsWith('/') || b.path.length > 1024))
      return error(400, 'path must start with / (below /webhook)');
    ctl.webhooks.setSecret(b.secret === null ? undefined : b.secret, b.path as string | undefined);
    return { status: 200, body: { success: true } };
  }
  if (route === 'POST reset') {
    ctl.reset();
    return { status: 200, body: { success: true } };
  }
  return error(404, `no simulator route ${method} ${url.pathname}`);
}
