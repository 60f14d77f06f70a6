import type { CrmMount } from '#lib/local-cloud/crm-simulator/crm-outbox';
import type { CrmResponse } from '#lib/local-cloud/crm-simulator/crm-routes';

/** A fault to answer the next calls of one CRM with, instead of its routes. */
export interface CrmFault {
  crm: CrmMount;
  /** HTTP status, 100–599 (e.g. 500, 503, 429, 401). */
  status: number;
  /** How many calls in a row get it; default 1. */
  count?: number;
  /** Answer body; default `{ "message": "Injected fault: HTTP <status>" }`. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this late (real milliseconds, up to 60 000): a slow CRM, for callers' timeouts. */
  delayMs?: number;
}

export const MAX_FAULT_DELAY_MS = 60_000;

/** Parses a fault from a control request; a string says what is wrong. */
export function parseFault(value: unknown, mounts: readonly CrmMount[]): CrmFault | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'a fault is { crm, status, count?, body?, headers?, delayMs? }';
  const v = value as Record<string, unknown>;
  if (typeof v.crm !== 'string' || !(mounts as readonly string[]).includes(v.crm)) return `crm must be one of ${mounts.join(', ')}`;
  if (typeof v.status !== 'number' || !Number.isInteger(v.status) || v.status < 100 || v.status > 599) return 'status must be an HTTP status (100-599)';
  if (v.count !== undefined && (typeof v.count !== 'number' || !Number.isInteger(v.count) || v.count < 1 || v.count > 10_000))
    return 'count must be 1 to 10000';
  if (v.delayMs !== undefined && (typeof v.delayMs !== 'number' || !Number.isInteger(v.delayMs) || v.delayMs < 0 || v.delayMs > MAX_FAULT_DELAY_MS)) {
    return `delayMs must be 0 to ${MAX_FAULT_DELAY_MS}`;
  }
  if (v.headers !== undefined) {
    if (v.headers === null || typeof v.headers !== 'object' || Array.isArray(v.headers)) return 'headers must be an object of strings';
    for (const [name, h] of Object.entries(v.headers)) {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || typeof h !== 'string' || /[\r\n]/.test(h)) return 'headers must be an object of strings';
    }
  }
  return {
    crm: v.crm as CrmMount,
    status: v.status,
    ...(v.count !== undefined ? { count: v.count as number } : {}),
    ...(v.body !== undefined ? { body: v.body } : {}),
    ...(v.headers !== undefined ? { headers: v.headers as Record<string, string> } : {}),
    ...(v.delayMs !== undefined ? { delayMs: v.delayMs as number } : {}),
  };
}

/** Faults waiting per CRM, used up in the order they were added. */
export class CrmFaults {
  private queues = new Map<CrmMount, Array<CrmFault & { remaining: number }>>();

  add(fault: CrmFault): void {
    const queue = this.queues.get(fault.crm) ?? [];
    queue.push({ ...fault, remaining: fault.count ?? 1 });
    this.queues.set(fault.crm, queue);
  }

  /** The answer due for this call, if a fault is waiting; uses one of its count. */
  take(crm: CrmMount): { response: CrmResponse; delayMs: number } | undefined {
    const queue = this.queues.get(crm);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) queue.shift();
    return {
      response: {
        status: next.status,
        body: next.body ?? { message: `Injected fault: HTTP ${next.status}` },
        ...(next.headers ? { headers: next.headers } : {}),
      },
      delayMs: next.delayMs ?? 0,
    };
  }

  pending(): Array<{ crm: CrmMount; status: number; remaining: number }> {
    return [...this.queues.values()].flat().map((f) => ({ crm: f.crm, status: f.status, remaining: f.remaining }));
  }

  reset(): void {
    this.queues.clear();
  }
}
