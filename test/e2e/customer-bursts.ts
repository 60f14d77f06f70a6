import { LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import type { LocalCloudHarness } from '#test/e2e/local-cloud-harness';

/**
 * Many WhatsApp customers of the local business writing a burst each ("hey" / "quick question" /
 * "do you take paypal?"), all at the same time, each message a few hundred milliseconds after the
 * previous one: the load under which bursts used to be answered twice. Used by the e2e test (20
 * conversations) and `npm run bench:bursts` (100).
 */
export interface BurstRunOptions {
  conversations: number;
  /** Customers are `5511900` + this number + their index, on 6 digits (13 digits in all). */
  firstCustomer?: number;
  gapMs?: { min: number; max: number };
  /** Longest wait for every conversation to be answered and the pipeline to go idle. */
  timeoutMs?: number;
  /** How long to keep watching, once idle, for a late second reply. */
  watchAfterIdleMs?: number;
}

export interface BurstRunResult {
  conversations: number;
  /** Customers whose burst got more than one message from the business. */
  answeredMoreThanOnce: Array<{ customerId: string; sends: number }>;
  /** Customers who got no reply at all. */
  unanswered: string[];
  /** From each customer's last message to the first reply reaching the Graph API, sorted. */
  latenciesMs: number[];
}

const BURSTS = [
  ['hey', 'quick question', 'do you take paypal?'],
  ['hola', 'una pregunta', '¿cuál es el horario?'],
  ['oi', 'tudo bem?', 'qual o prazo de entrega?'],
  ['hi there', 'my order', 'where is my order?'],
];

export function burstCustomerId(index: number, firstCustomer = 0): string {
  return `5511900${String(firstCustomer + index).padStart(6, '0')}`;
}

export function burstConversationKey(customerId: string): string {
  return `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:${customerId}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCustomerBursts(harness: LocalCloudHarness, options: BurstRunOptions): Promise<BurstRunResult> {
  const gap = options.gapMs ?? { min: 300, max: 600 };
  const customers = Array.from({ length: options.conversations }, (_, i) => burstCustomerId(i, options.firstCustomer));
  const lastSaidAt = new Map<string, number>();
  // Each message leaves on the customer's own timeline, as on a phone: Meta delivers it whether or
  // not the webhook has answered the previous one yet.
  await Promise.all(
    customers.flatMap((customerId, i) => {
      const burst = BURSTS[i % BURSTS.length]!;
      let at = 0;
      return burst.map(async (text, n) => {
        if (n > 0) at += gap.min + Math.random() * (gap.max - gap.min);
        const due = at;
        await sleep(due);
        await harness.customerSays({ channel: 'whatsapp', customerId, name: `Burst ${i}`, text });
        lastSaidAt.set(customerId, Math.max(lastSaidAt.get(customerId) ?? 0, Date.now()));
      });
    }),
  );

  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const sendsByCustomer = async () => {
    const wanted = new Set(customers);
    const sends = new Map<string, Array<{ at: number }>>();
    for (const e of await harness.outbox()) {
      const to = e.body?.to;
      if (e.body?.status === 'read' || typeof to !== 'string' || !wanted.has(to)) continue;
      sends.set(to, [...(sends.get(to) ?? []), { at: Date.parse(e.receivedAt) }]);
    }
    return sends;
  };
  // Every customer answered, and nothing left on the way to a reply (a deferred wake-up is in flight).
  for (;;) {
    const sends = await sendsByCustomer();
    if (customers.every((c) => sends.has(c)) && replyPathDepth(harness) === 0) break;
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  await sleep(options.watchAfterIdleMs ?? 4_000);

  const sends = await sendsByCustomer();
  return {
    conversations: customers.length,
    answeredMoreThanOnce: customers.filter((c) => (sends.get(c)?.length ?? 0) > 1).map((c) => ({ customerId: c, sends: sends.get(c)!.length })),
    unanswered: customers.filter((c) => !sends.has(c)),
    latenciesMs: customers
      .filter((c) => sends.has(c))
      .map((c) => Math.min(...sends.get(c)!.map((s) => s.at)) - lastSaidAt.get(c)!)
      .sort((a, b) => a - b),
  };
}

/**
 * Records still to be processed by the queues between a customer message and its reply: every
 * working queue but the reply watch's, whose records wait a quarter of an hour by design.
 */
function replyPathDepth(harness: LocalCloudHarness): number {
  let depth = 0;
  for (const [logicalId, name] of harness.cloud.queueNames) {
    if (/DeadLetter|ReplyWatch/.test(logicalId)) continue;
    const a = harness.cloud.aws.sqs.getQueueAttributes(name, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ]);
    depth +=
      Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
  }
  return depth;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
