import { createServer, type Server } from 'node:http';

export interface SampleOrder {
  id: string;
  status: 'processing' | 'shipped' | 'delivered' | 'cancelled';
  items: Array<{ name: string; quantity: number }>;
  estimatedDelivery?: string;
  carrier?: string;
}

/** A few orders to look up in the local cloud (order numbers 1001–1003). */
export const SAMPLE_ORDERS: readonly SampleOrder[] = [
  { id: '1001', status: 'processing', items: [{ name: 'Ceramic mug', quantity: 2 }], estimatedDelivery: '2026-11-28' },
  { id: '1002', status: 'shipped', items: [{ name: 'Linen cushion', quantity: 1 }], estimatedDelivery: '2026-11-25', carrier: 'Correios' },
  { id: '1003', status: 'delivered', items: [{ name: 'Table lamp', quantity: 1 }] },
];

/**
 * The business's own order API as the agent's `lookup_order` tool calls it:
 * `GET /orders/<id>` → 200 with the order as JSON, or 404.
 */
export async function startSampleOrderApi(options: { port?: number; host?: string; orders?: readonly SampleOrder[] } = {}): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const orders = new Map((options.orders ?? SAMPLE_ORDERS).map((o) => [o.id, o]));
  const server: Server = createServer((req, res) => {
    const match = /^\/orders\/([^/]+)$/.exec(new URL(req.url ?? '/', 'http://local').pathname);
    const order = req.method === 'GET' && match ? orders.get(decodeURIComponent(match[1]!)) : undefined;
    res.writeHead(order ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(order ?? { error: 'not_found' }));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return { url: `http://${host}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
