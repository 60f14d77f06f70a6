import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { LOCAL_CUSTOMER_IDS } from '#lib/local-cloud/graph-simulator/accounts';

/** The customer an order belongs to: the business, their channel and their id on it (wa_id, IGSID, PSID). */
export interface OrderOwner {
  businessId: string;
  channel: 'whatsapp' | 'instagram' | 'messenger';
  customerId: string;
}

export interface SampleOrder {
  id: string;
  owner: OrderOwner;
  status: 'processing' | 'shipped' | 'delivered' | 'cancelled';
  items: Array<{ name: string; quantity: number }>;
  estimatedDelivery?: string;
  carrier?: string;
}

/** The local cloud's default business (lib/local-cloud/local-tenants.ts). */
export const SAMPLE_BUSINESS_ID = 'local';

/** The key the local business's tools secret holds and the sample API accepts. */
export const SAMPLE_ORDER_API_KEY = 'local-order-api-key';

/**
 * The customer the agent's Claude tests play (`test/integration/agent-claude.test.ts`); their
 * Instagram account is `17841`.
 */
export const SAMPLE_TEST_CUSTOMER: OrderOwner = { businessId: SAMPLE_BUSINESS_ID, channel: 'instagram', customerId: 'IGSID9' };

/**
 * Orders to look up in the local cloud: 1001–1003 belong to the customers `npm run chat` plays by
 * default (WhatsApp, Instagram, Messenger), 1004 to the Claude tests' customer. Nobody else sees
 * any of them.
 */
export const SAMPLE_ORDERS: readonly SampleOrder[] = [
  {
    id: '1001',
    owner: { businessId: SAMPLE_BUSINESS_ID, channel: 'whatsapp', customerId: LOCAL_CUSTOMER_IDS.whatsapp },
    status: 'processing',
    items: [{ name: 'Ceramic mug', quantity: 2 }],
    estimatedDelivery: '2026-11-28',
  },
  {
    id: '1002',
    owner: { businessId: SAMPLE_BUSINESS_ID, channel: 'instagram', customerId: LOCAL_CUSTOMER_IDS.instagram },
    status: 'shipped',
    items: [{ name: 'Linen cushion', quantity: 1 }],
    estimatedDelivery: '2026-11-25',
    carrier: 'Correios',
  },
  {
    id: '1003',
    owner: { businessId: SAMPLE_BUSINESS_ID, channel: 'messenger', customerId: LOCAL_CUSTOMER_IDS.messenger },
    status: 'delivered',
    items: [{ name: 'Table lamp', quantity: 1 }],
  },
  {
    id: '1004',
    owner: SAMPLE_TEST_CUSTOMER,
    status: 'shipped',
    items: [{ name: 'Wool blanket', quantity: 1 }],
    estimatedDelivery: '2026-11-26',
    carrier: 'DHL',
  },
];

export interface SampleOrderApiOptions {
  port?: number;
  host?: string;
  orders?: readonly SampleOrder[];
  /** The bearer key callers must present. */
  apiKey?: string;
}

/** One request as the sample API saw it, for tests to check what the agent sent. */
export interface OrderApiRequest {
  path: string;
  headers: Record<string, string | undefined>;
  status: number;
}

export interface SampleOrderApi {
  url: string;
  apiKey: string;
  readonly requests: OrderApiRequest[];
  close(): Promise<void>;
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * A business's own order API as the agent's `lookup_order` tool calls it, honouring the contract
 * in lambdas/agent/README.md: `GET /orders/<id>` with `authorization: Bearer <key>` and the
 * business and customer in `x-business-id`, `x-customer-channel`, `x-customer-id` → 200 with the
 * order as JSON when it is that customer's; 404 when it is missing or someone else's (the same
 * answer); 401 without the key.
 */
export async function startSampleOrderApi(options: SampleOrderApiOptions = {}): Promise<SampleOrderApi> {
  const apiKey = options.apiKey ?? SAMPLE_ORDER_API_KEY;
  const orders = new Map((options.orders ?? SAMPLE_ORDERS).map((o) => [o.id, o]));
  const requests: OrderApiRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const answer = (status: number, body: unknown) => {
      requests.push({
        path,
        headers: {
          'x-business-id': header(req, 'x-business-id'),
          'x-customer-channel': header(req, 'x-customer-channel'),
          'x-customer-account-id': header(req, 'x-customer-account-id'),
          'x-customer-id': header(req, 'x-customer-id'),
          'authorization-present': req.headers.authorization ? 'yes' : undefined,
        },
        status,
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const bearer = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1] ?? '';
    if (!bearer || !sameKey(bearer, apiKey)) return answer(401, { error: 'unauthorized' });
    const match = /^\/orders\/([^/]+)$/.exec(path);
    const order = req.method === 'GET' && match ? orders.get(decodeURIComponent(match[1]!)) : undefined;
    const theirs =
      order !== undefined &&
      header(req, 'x-business-id') === order.owner.businessId &&
      header(req, 'x-customer-channel') === order.owner.channel &&
      header(req, 'x-customer-id') === order.owner.customerId;
    if (!theirs) return answer(404, { error: 'not_found' });
    // Who owns the order is the API's own business; the answer is the order itself.
    return answer(200, {
      id: order.id,
      status: order.status,
      items: order.items,
      ...(order.estimatedDelivery ? { estimatedDelivery: order.estimatedDelivery } : {}),
      ...(order.carrier ? { carrier: order.carrier } : {}),
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return { url: `http://${host}:${port}`, apiKey, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
