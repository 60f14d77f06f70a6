import type { CrmName } from '#lib/local-cloud/crm-simulator/crm-routes';

export type CrmMount = CrmName | 'webhook';

/** One request the simulator received on a CRM or webhook route, with its answer. */
export interface CrmOutboxEntry {
  /** 1, 2, 3… in arrival order since the last reset. */
  seq: number;
  crm: CrmMount;
  method: string;
  /** The full path without the query, e.g. `/hubspot/crm/v3/objects/contacts/batch/upsert`. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names; credentials replaced by `[redacted]` (an auth scheme is kept: `Bearer [redacted]`). */
  headers: Record<string, string>;
  /** Parsed JSON (or form fields, or text); undefined when empty. */
  body: unknown;
  receivedAt: string;
  status: number;
  response: unknown;
  /** Answered by an injected fault rather than the CRM's routes. */
  fault?: boolean;
}

const SECRET_HEADER = /authorization|api[-_]?key|token|secret|password|cookie|session/i;

/** Headers as they may be shown and logged: credentials removed, the auth scheme kept. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) {
      out[name] = value;
      continue;
    }
    const scheme = /^(Bearer|Basic|Token|OAuth)\s+/i.exec(value);
    out[name] = scheme ? `${scheme[1]} [redacted]` : '[redacted]';
  }
  return out;
}

/** Form fields whose values are credentials (an OAuth token request's body). */
const SECRET_FIELD = /secret|password|token|assertion|api[-_]?key/i;

/** A body as it may be shown: the values of credential-looking top-level fields removed. */
export function redactBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) && typeof v === 'string' ? '[redacted]' : v]),
  );
}

export class CrmOutbox {
  private entries: CrmOutboxEntry[] = [];
  private seq = 0;

  record(entry: Omit<CrmOutboxEntry, 'seq'>): CrmOutboxEntry {
    const stored = { ...entry, seq: ++this.seq };
    this.entries.push(stored);
    return stored;
  }

  all(filter: { crm?: CrmMount } = {}): CrmOutboxEntry[] {
    return this.entries.filter((e) => filter.crm === undefined || e.crm === filter.crm).map((e) => structuredClone(e));
  }

  reset(): void {
    this.entries = [];
    this.seq = 0;
  }
}
