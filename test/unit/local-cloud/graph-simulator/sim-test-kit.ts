import type { GraphSimulator } from '#lib/local-cloud/graph-simulator/index';

export const APP_SECRET = 'graph-simulator-test-secret';
export const TOKEN = 'test-access-token';
export const FAST_STATUSES = { sent: 5, delivered: 5, read: 5 };

/** A clock the test moves by hand; starts at a fixed, realistic time. */
export class ManualClock {
  constructor(public ms = Date.parse('2025-09-01T10:00:00Z')) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface GraphCall {
  status: number;
  json: any;
}

export async function graphPost(sim: GraphSimulator, path: string, body: unknown, token: string | null = TOKEN): Promise<GraphCall> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${sim.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

export async function simGet(sim: GraphSimulator, path: string, token: string | null = TOKEN): Promise<GraphCall> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const response = await fetch(`${sim.url}${path}`, { headers });
  return { status: response.status, json: await response.json() };
}

export async function customerSays(sim: GraphSimulator, body: Record<string, unknown>): Promise<GraphCall> {
  const response = await fetch(`${sim.url}/_sim/customer/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

export const WA_PATH = '/v23.0/100000000000001/messages';
export const CUSTOMER_WA_ID = '15557654321';

export function waText(text: string, to = CUSTOMER_WA_ID) {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: text } };
}

/**
 * The structure of a JSON value: object keys with the structure of their values, arrays as the
 * structure of their first item, primitives as their type. Two payloads with the same structure
 * differ only in values.
 */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}

/** Removes the named keys at any depth (fields some fixtures carry that the simulator omits). */
export function withoutKeys(value: unknown, keys: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKeys(v, keys));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !keys.includes(k))
        .map(([k, v]) => [k, withoutKeys(v, keys)]),
    );
  }
  return value;
}

/** The JSON body of a response, untyped: tests assert on its shape. */
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}
