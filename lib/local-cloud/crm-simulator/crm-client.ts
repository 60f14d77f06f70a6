import type { CrmFault } from '#lib/local-cloud/crm-simulator/crm-faults';
import type { CrmMount, CrmOutboxEntry } from '#lib/local-cloud/crm-simulator/crm-outbox';
import type { CrmName } from '#lib/local-cloud/crm-simulator/crm-routes';
import type { MountStatus } from '#lib/local-cloud/crm-simulator/control-routes';
import type { WebhookDelivery } from '#lib/local-cloud/crm-simulator/webhook-receiver';

/** The CRM simulator's control API over HTTP, for tests and scripts that run beside a local cloud. */
export class CrmSimulatorClient {
  constructor(readonly url: string) {}

  /** A CRM's base URL on the simulator, e.g. `http://127.0.0.1:3200/hubspot`. */
  baseUrl(crm: CrmName): string {
    return `${this.url}/${crm}`;
  }

  webhookUrl(path = ''): string {
    return `${this.url}/webhook${path === '' || path.startsWith('/') ? path : `/${path}`}`;
  }

  outbox(crm?: CrmMount): Promise<CrmOutboxEntry[]> {
    return this.call('GET', `/_crm/outbox${crm ? `?crm=${encodeURIComponent(crm)}` : ''}`) as Promise<CrmOutboxEntry[]>;
  }

  webhooks(): Promise<WebhookDelivery[]> {
    return this.call('GET', '/_crm/webhooks') as Promise<WebhookDelivery[]>;
  }

  records(crm: CrmName): Promise<unknown> {
    return this.call('GET', `/_crm/records/${crm}`);
  }

  status(): Promise<Record<CrmName, MountStatus>> {
    return this.call('GET', '/_crm/status') as Promise<Record<CrmName, MountStatus>>;
  }

  /** The next `count` calls to `crm` get `status` (e.g. `{ crm: 'hubspot', status: 500, count: 2 }`). */
  async fault(fault: CrmFault): Promise<void> {
    await this.call('POST', '/_crm/faults', fault);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/_crm/faults');
  }

  async setWebhookSecret(secret: string | null, path?: string): Promise<void> {
    await this.call('POST', '/_crm/webhook-secret', { secret, ...(path !== undefined ? { path } : {}) });
  }

  async reset(): Promise<void> {
    await this.call('POST', '/_crm/reset');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`CRM simulator ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
}
