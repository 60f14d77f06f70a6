import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';
import { ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { randomSource } from '#lib/analytics/seed/seed-plan';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import { LOCAL_INSTAGRAM_ACCOUNT_ID, LOCAL_WHATSAPP_NUMBER } from '#lib/local-cloud/graph-simulator/accounts';
import { messagingCustomerMessage } from '#lib/local-cloud/graph-simulator/messaging-webhooks';
import { whatsAppCustomerMessage } from '#lib/local-cloud/graph-simulator/whatsapp-webhooks';
import { REPLY_WATCH_DELAY_SECONDS, STALE_SENDING_ENV } from '#lambdas/outbound/watch-reply';
import { LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import { ChaosAgents, type ChaosAgentStats } from '#test/chaos/chaos-agents';
import {
  agentIds,
  countViolations,
  holdingViolations,
  readRoutingSnapshot,
  settledViolations,
  type Violation,
  type ViolationKind,
} from '#test/chaos/routing-invariants';

/**
 * The chaos run: Meta's real delivery behaviour (redelivery, disorder within a minute, receipts
 * out of order), our own crashes (invocations failing before or after their handler ran) and the
 * Graph API's (5xx, throughput-limit bursts), all at once on the local cloud; then the table and
 * the simulator's outbox are compared with what was sent.
 */
export interface ChaosOptions {
  /** Customer messages in all (each a distinct event before duplication). */
  events: number;
  conversations: number;
  /** Share of events delivered twice or more. */
  duplicateRate: number;
  /** Deliveries are shuffled within windows of this many seconds of event time. */
  shuffleWindowSeconds: number;
  /** Share of function invocations that crash (half before, half after the handler ran). */
  crashRate: number;
  /** Share of Graph sends answered with Meta's transient 5xx. */
  graphServerErrorRate: number;
  /** The Graph API answers 130429 to every WhatsApp send for `lengthMs` of each `everyMs`. */
  throttleBurst: { everyMs: number; lengthMs: number };
  /**
   * Share of conversations whose last message asks for a person: the bot hands them off, the
   * routing engine queues and offers them, and the demo agents accept, answer and close them
   * through the agents' API while the same faults hit the routing and API functions.
   */
  handoffShare: number;
  /** Webhook POSTs in flight at once (Meta delivers in parallel). */
  concurrency: number;
  seed: number;
  /** Longest wait for the pipeline to settle, each time. */
  settleTimeoutMs: number;
  /**
   * Queues' visibility timeouts multiplied by this. 1 is the template's (minutes: a crashed
   * invocation's records wait that long); the runs compress it tenfold by default.
   */
  visibilityTimeoutScale: number;
  log?: (line: string) => void;
}

export const FULL_CHAOS: ChaosOptions = {
  events: 10_000,
  conversations: 1_000,
  duplicateRate: 0.2,
  shuffleWindowSeconds: 60,
  crashRate: 0.05,
  graphServerErrorRate: 0.05,
  throttleBurst: { everyMs: 20_000, lengthMs: 1_000 },
  handoffShare: 0.1,
  concurrency: 8,
  seed: 20261121,
  settleTimeoutMs: 20 * 60_000,
  visibilityTimeoutScale: 0.1,
};

export interface ChaosReport {
  events: number;
  deliveries: number;
  conversations: number;
  webhookRetries: number;
  injected: { crashes: number; graphServerErrors: number; graphThrottled: number; duplicateDeliveries: number };
  /** Customer messages sent that the table does not hold. Target 0. */
  inboundLost: number;
  /** Customer messages the table holds more than once. Target 0. */
  inboundStoredTwice: number;
  /** Sends Meta accepted beyond one per stored reply. Target 0. */
  repliesSentTwice: number;
  /** Conversations whose last customer message no sent reply answers. Target 0. */
  conversationsUnanswered: number;
  /** Replies sent whose receipts did not bring them to `read` (the simulator reads every one). */
  receiptsNotApplied: number;
  /** Replies stored but never accepted by Meta (still pending, sending or failed). */
  repliesNotSent: number;
  /** The replies behind the two counts above, by id and state only (no content), to explain a miss. */
  unfinishedReplies: Array<Record<string, unknown>>;
  deadLetteredBeforeRedrive: Record<string, number>;
  /** Target 0 after one redrive. */
  deadLetteredAfterRedrive: Record<string, number>;
  /** What the reply watch found: replies still pending that it asked for again, replies left sending. */
  replyWatch: { askedAgain: number; resent: number; outcomeUnknown: number };
  routing: RoutingChaosReport;
  /** Warnings, errors and timeouts logged, by function and message: what the faults caused, to explain a miss. */
  logged: Array<{ what: string; count: number }>;
  seconds: { deliver: number; settle: number; total: number };
}

/** The handoffs of the run and what the contact centre's invariants found, sampled and at the end. */
export interface RoutingChaosReport {
  /** Conversations whose last message asked for a person. */
  handoffs: number;
  /** Of those, conversations the routing engine took (queued, offered, assigned or closed). */
  routed: number;
  /** Of those, conversations closed by an agent by the end. */
  closed: number;
  /** Handed-off conversations still waiting in a queue at the end (not a fault: no agent got to them). */
  stillQueued: number;
  agents: Omit<ChaosAgentStats, 'unexpected'>;
  /** Answers of the agents' API that should never come (see chaos-agents.ts). */
  unexpectedAnswers: string[];
  crashes: { routing: number; agentApi: number };
  samples: number;
  /**
   * Invariant violations, sampled during the run and checked at the end. Target 0 each:
   * an agent above capacity, a conversation held by two agents (or counted by one it is not
   * offered or assigned to), an agent's load not counting what is theirs, a handed-off
   * conversation lost from its queue.
   */
  violations: Record<ViolationKind, number>;
  /** The first few violations, by conversation key and agent id (synthetic ids; no content). */
  violationExamples: string[];
}

/** The demo business's agents (3 places each) who take the handoffs. */
const CHAOS_AGENTS = ['ana', 'bruno', 'carla'] as const;
const CHAOS_BUSINESS = 'local';

/**
 * The reply watch's quarter of an hour, compressed to this many seconds so the run sees it work
 * (settling waits for delayed messages too), and its five minutes after which a claimed WhatsApp
 * send is taken as interrupted, compressed to 40 s: still beyond the sender's 30 s timeout, after
 * which the local runtime, like Lambda, stops the invocation.
 */
const CHAOS_REPLY_WATCH_SECONDS = 50;
const CHAOS_STALE_SENDING_SECONDS = 40;

/** The last message of a handed-off conversation: asking for a person, in the customer's language. */
const HANDOFF_TEXTS = ['quiero hablar con un asesor, por favor', 'quero falar com um atendente, por favor', 'I want to talk to a person, please'];

/** Questions the flows answer; none asks for a person, opts out or gives a score. */
const TEXTS = [
  'hola',
  '¿cuánto tarda el envío?',
  '¿qué medios de pago aceptan?',
  '¿a qué hora abren?',
  'hello',
  'how long does shipping take?',
  'can I return an item?',
  'olá, quais formas de pagamento vocês aceitam?',
];

interface PlannedEvent {
  conversationKey: string;
  messageId: string;
  timestampMs: number;
  body: string;
}

interface Conversation {
  key: string;
  channel: 'whatsapp' | 'instagram';
  customerId: string;
  lastMessageId: string;
  /** The last message asks for a person. */
  handoff: boolean;
}

/** Builds the ground truth: every conversation's messages with their Meta webhook bodies. */
export function planEvents(options: Pick<ChaosOptions, 'events' | 'conversations' | 'seed'> & Partial<Pick<ChaosOptions, 'handoffShare'>>, nowMs: number) {
  const handoffShare = options.handoffShare ?? 0;
  const random = randomSource(options.seed);
  const conversations: Conversation[] = [];
  const events: PlannedEvent[] = [];
  const perConversation = Math.max(1, Math.floor(options.events / options.conversations));
  // Event times end a minute ago and go back as far as the conversations need.
  const spanMs = perConversation * 40_000;
  const start = nowMs - 60_000 - spanMs;
  for (let c = 0; c < options.conversations; c++) {
    const channel = c % 2 === 0 ? 'whatsapp' : 'instagram';
    const customerId = channel === 'whatsapp' ? `1555${String(3_000_000 + c).padStart(7, '0')}` : `93${String(10_000_000_000_000 + c)}`;
    const key = channel === 'whatsapp' ? `wa:${LOCAL_WHATSAPP_NUMBER.phoneNumberId}:${customerId}` : `ig:${LOCAL_INSTAGRAM_ACCOUNT_ID}:${customerId}`;
    const count = c < options.events % options.conversations ? perConversation + 1 : perConversation;
    // Spread evenly over the conversations: exactly `handoffShare` of them, whatever the seed.
    const handoff = Math.floor((c + 1) * handoffShare) > Math.floor(c * handoffShare);
    let at = start + Math.floor(random() * 20_000);
    let lastMessageId = '';
    for (let i = 0; i < count; i++) {
      // Whole seconds apart: WhatsApp timestamps are in seconds, and one conversation's messages
      // must keep a strict order for the last one to be known.
      at += 1_000 * (20 + Math.floor(random() * 20));
      const question = TEXTS[Math.floor(random() * TEXTS.length)]!;
      const text = handoff && i === count - 1 ? HANDOFF_TEXTS[c % HANDOFF_TEXTS.length]! : question;
      const messageId =
        channel === 'whatsapp'
          ? `wamid.CHAOS${String(c).padStart(5, '0')}${String(i).padStart(3, '0')}`
          : `aWdfZAG1faXRlbToxOklHTWVzc2FnZUlEOjE3ODQxNDAwMDAwMDAwMDAx${String(c).padStart(5, '0')}${String(i).padStart(3, '0')}`;
      const body =
        channel === 'whatsapp'
          ? whatsAppCustomerMessage({
              number: LOCAL_WHATSAPP_NUMBER,
              customerId,
              name: `Chaos ${c}`,
              messageId,
              timestampSec: Math.floor(at / 1000),
              content: { text },
            })
          : messagingCustomerMessage({
              channel: 'instagram',
              accountId: LOCAL_INSTAGRAM_ACCOUNT_ID,
              customerId,
              timestampMs: at,
              mid: messageId,
              content: { text },
            });
      events.push({ conversationKey: key, messageId, timestampMs: at, body: JSON.stringify(body) });
      lastMessageId = messageId;
    }
    conversations.push({ key, channel, customerId, lastMessageId, handoff });
  }
  return { conversations, events, random };
}

/**
 * The order Meta would deliver in: by event time, shuffled within each window, with some events
 * delivered again (the copy lands in the same window or the next).
 */
export function deliveryOrder(
  events: PlannedEvent[],
  options: Pick<ChaosOptions, 'duplicateRate' | 'shuffleWindowSeconds'>,
  random: () => number,
): PlannedEvent[] {
  const windowMs = options.shuffleWindowSeconds * 1000;
  const windows = new Map<number, PlannedEvent[]>();
  const add = (w: number, e: PlannedEvent) => (windows.get(w) ?? windows.set(w, []).get(w)!).push(e);
  for (const e of events) {
    const w = Math.floor(e.timestampMs / windowMs);
    add(w, e);
    if (random() < options.duplicateRate) {
      const copies = random() < 0.25 ? 2 : 1;
      for (let i = 0; i < copies; i++) add(w + (random() < 0.5 ? 0 : 1), e);
    }
  }
  const ordered: PlannedEvent[] = [];
  for (const w of [...windows.keys()].sort((a, b) => a - b)) {
    const batch = windows.get(w)!;
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [batch[i], batch[j]] = [batch[j]!, batch[i]!];
    }
    ordered.push(...batch);
  }
  return ordered;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const startedAt = Date.now();
  const { conversations, events, random } = planEvents(options, startedAt);
  const deliveries = deliveryOrder(events, options, random);
  const injected = { crashes: 0, graphServerErrors: 0, graphThrottled: 0, duplicateDeliveries: deliveries.length - events.length };
  const crashesOf = { routing: 0, agentApi: 0 };
  // Faults draw from their own generator: how often the pipeline asks must not change the plan.
  const faultRandom = randomSource(options.seed + 1);

  const harness = new LocalCloudHarness();
  await harness.start({
    // Open all week: every customer message gets a bot reply whatever the hour of the run (out of
    // hours an unanswered question goes to a person, and the bot stays quiet after that).
    tenants: openAllWeekLocalTenants(),
    ...(options.visibilityTimeoutScale !== 1 ? { visibilityTimeoutScale: options.visibilityTimeoutScale } : {}),
    deliveryDelayScale: CHAOS_REPLY_WATCH_SECONDS / REPLY_WATCH_DELAY_SECONDS,
    extraEnvironment: { [STALE_SENDING_ENV]: String(CHAOS_STALE_SENDING_SECONDS) },
    faults: (functionName) => {
      if (faultRandom() >= options.crashRate) return false;
      injected.crashes++;
      if (/^Routing/.test(functionName)) crashesOf.routing++;
      if (/^HumanAgentApi/.test(functionName)) crashesOf.agentApi++;
      return faultRandom() < 0.5 ? 'before' : 'after';
    },
    graph: {
      statusDelaysMs: { sent: 50, delivered: 50, read: 50 },
      // The chaos run delivers customer messages itself; the simulator does not see them open
      // the service window. The window rule is tested elsewhere; the sender still checks its own.
      limits: { enforce24hWindow: false },
      webhookAttempts: 50,
      webhookRetryDelayMs: 100,
      chaos: {
        shuffleStatuses: true,
        duplicateWebhookRate: options.duplicateRate,
        random: randomSource(options.seed + 2),
        sendFaults: ({ channel }) => {
          if (channel === 'whatsapp' && Date.now() % options.throttleBurst.everyMs < options.throttleBurst.lengthMs) {
            injected.graphThrottled++;
            return 'throughput';
          }
          if (faultRandom() < options.graphServerErrorRate) {
            injected.graphServerErrors++;
            return 'server_error';
          }
          return undefined;
        },
      },
    },
  });
  const handedOff = conversations.filter((c) => c.handoff).map((c) => c.key);
  const agents = new ChaosAgents(harness, {
    agents: CHAOS_AGENTS,
    businessId: CHAOS_BUSINESS,
    declineShare: 0.2,
    holdMs: 1_000,
    pollMs: 500,
    random: randomSource(options.seed + 3),
  });
  // The contact centre's invariants, sampled while the run goes on (each sample one transaction
  // over the agents and up to 97 conversations: see routing-invariants.ts).
  const violations: Violation[] = [];
  let samples = 0;
  let sampling = handedOff.length > 0;
  const sampler = (async () => {
    while (sampling) {
      await new Promise((r) => setTimeout(r, 2_000));
      if (!sampling) break;
      try {
        const snapshot = await readRoutingSnapshot(harness.db, harness.cloud.tableName, CHAOS_BUSINESS, CHAOS_AGENTS, handedOff);
        samples++;
        for (const part of snapshot.parts) violations.push(...holdingViolations(part));
      } catch (err) {
        log(`  routing sample failed: ${String(err)}`);
      }
    }
  })();
  try {
    if (handedOff.length > 0) {
      const found = await agentIds(harness.db, harness.cloud.tableName, CHAOS_BUSINESS);
      if (CHAOS_AGENTS.some((a) => !found.includes(a))) throw new Error(`the demo agents are missing: ${found.join(', ')}`);
      await agents.start();
    }
    log(
      `local cloud up; delivering ${deliveries.length} webhooks (${events.length} events, ${conversations.length} conversations, ${handedOff.length} asking for a person)`,
    );
    let retries = 0;
    let next = 0;
    const deliver = async () => {
      for (;;) {
        const i = next++;
        const d = deliveries[i];
        if (!d) return;
        for (let attempt = 1; ; attempt++) {
          // Meta retries a delivery that did not get a 200, with backoff, for days.
          const ok = await harness
            .postWebhook(d.body, signMetaBody(d.body, harness.cloud.appSecret))
            .then((r) => r.status === 200)
            .catch(() => false);
          if (ok) break;
          retries++;
          await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
        }
        if (i > 0 && i % 1000 === 0) log(`  ${i} webhooks delivered`);
      }
    };
    // One agent takes a break once a third of the webhooks are out: their offers go back to the queue.
    const aBreak = (async () => {
      if (handedOff.length === 0) return;
      while (next < deliveries.length / 3) await new Promise((r) => setTimeout(r, 200));
      await agents.takeABreak('bruno', 3_000);
    })();
    await Promise.all([...Array.from({ length: options.concurrency }, deliver), aBreak]);
    const deliveredAt = Date.now();
    log(`delivered in ${((deliveredAt - startedAt) / 1000).toFixed(0)} s (${retries} retried); waiting for the pipeline to settle`);

    if (handedOff.length > 0) {
      await handoffsClosed(harness, handedOff, options.settleTimeoutMs, log);
      await agents.stop();
    }
    await settle(harness, options.settleTimeoutMs, log);
    const deadLetteredBeforeRedrive = harness.deadLettered();
    if (Object.values(deadLetteredBeforeRedrive).some((n) => n > 0)) {
      log(`dead-lettered: ${JSON.stringify(deadLetteredBeforeRedrive)}; redriving once`);
      await redriveAll(harness);
      await settle(harness, options.settleTimeoutMs, log);
    }
    const deadLetteredAfterRedrive = harness.deadLettered();
    const settledAt = Date.now();
    sampling = false;
    await sampler;

    const final = await readRoutingSnapshot(harness.db, harness.cloud.tableName, CHAOS_BUSINESS, CHAOS_AGENTS, handedOff);
    violations.push(...(await settledViolations(harness.db, harness.cloud.tableName, final, new Set(handedOff))));
    const { unexpected, ...agentStats } = agents.stats;
    const statusOf = (status: string) => final.conversations.filter((c) => c.routingStatus === status).length;
    const routing: RoutingChaosReport = {
      handoffs: handedOff.length,
      routed: final.conversations.filter((c) => c.routingStatus !== undefined).length,
      closed: statusOf('closed'),
      stillQueued: statusOf('queued'),
      agents: agentStats,
      unexpectedAnswers: unexpected,
      crashes: crashesOf,
      samples,
      violations: countViolations(violations),
      violationExamples: [...new Set(violations.map((v) => `${v.kind}: ${v.detail}`))].slice(0, 10),
    };

    const comparison = await compare(harness, conversations, events);
    return {
      events: events.length,
      deliveries: deliveries.length,
      conversations: conversations.length,
      webhookRetries: retries,
      injected,
      ...comparison,
      routing,
      deadLetteredBeforeRedrive,
      deadLetteredAfterRedrive,
      replyWatch: {
        askedAgain: harness.logLines.filter((l) => l.includes('reply still pending; asked for again')).length,
        resent: harness.logLines.filter((l) => l.includes('never confirmed by Meta; asked for again')).length,
        outcomeUnknown: harness.logLines.filter((l) => l.includes('reply left sending')).length,
      },
      logged: harness.problemCounts(),
      seconds: {
        deliver: Math.round((deliveredAt - startedAt) / 1000),
        settle: Math.round((settledAt - deliveredAt) / 1000),
        total: Math.round((settledAt - startedAt) / 1000),
      },
    };
  } finally {
    sampling = false;
    await agents.stop();
    await sampler;
    await harness.stop();
  }
}

/**
 * Waits until the agents have closed every handed-off conversation (or the time is up: what is
 * left is reported, not thrown), logging the count now and then.
 */
async function handoffsClosed(harness: LocalCloudHarness, keys: string[], timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    const snapshot = await readRoutingSnapshot(harness.db, harness.cloud.tableName, CHAOS_BUSINESS, CHAOS_AGENTS, keys);
    const open = snapshot.conversations.filter((c) => c.routingStatus !== 'closed');
    if (open.length === 0) return;
    if (Date.now() > deadline) {
      log(`  ${open.length} handed-off conversations not closed in time`);
      return;
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const by = (s: string | undefined) => open.filter((c) => c.routingStatus === s).length;
      log(`  handoffs not closed yet: ${by(undefined)} not routed, ${by('queued')} queued, ${by('offered')} offered, ${by('assigned')} assigned`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/**
 * Waits until nothing is left to do: every working queue empty (nothing visible, nothing in
 * flight or waiting out a backoff; the routing engine's timers planned for later aside) and no
 * receipt pending in the simulator, three checks in a row.
 */
async function settle(harness: LocalCloudHarness, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let lastReport = 0;
  while (quiet < 3) {
    if (Date.now() > deadline) throw new Error(`the pipeline did not settle within ${timeoutMs / 1000} s:\n${harness.diagnostics()}`);
    await new Promise((r) => setTimeout(r, 1_000));
    const busy = harness.workingQueueDepth() - scheduledRoutingTimers(harness);
    const idle = await Promise.race([harness.cloud.graph.whenIdle().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
    quiet = busy === 0 && idle ? quiet + 1 : 0;
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(`  ${busy} records still queued, in flight or waiting out a backoff: ${harness.queueDepths()}`);
    }
  }
}

/**
 * The routing engine's timers waiting out their delay in the routing queue: SLA timers (a day's
 * resolution target is re-delayed every quarter of an hour) and offer expiries. They are work
 * planned for later, not work left undone; settling counts everything else.
 */
function scheduledRoutingTimers(harness: LocalCloudHarness): number {
  let delayed = 0;
  for (const [logicalId, name] of harness.cloud.queueNames) {
    if (!/^Routing/.test(logicalId) || /DeadLetter/.test(logicalId)) continue;
    delayed += Number(harness.cloud.aws.sqs.getQueueAttributes(name, ['ApproximateNumberOfMessagesDelayed']).ApproximateNumberOfMessagesDelayed ?? 0);
  }
  return delayed;
}

/** One redrive of every dead-letter queue back to its source, as `npm run redrive` does. */
async function redriveAll(harness: LocalCloudHarness): Promise<void> {
  const sqs = new SQSClient({ endpoint: harness.cloud.awsEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    const counts = harness.deadLettered();
    for (const [logicalId, name] of harness.cloud.queueNames) {
      if (!counts[logicalId]) continue;
      const sourceArn = harness.cloud.aws.sqs.arnOf(name);
      const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn }));
      for (;;) {
        const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn }));
        const mine = tasks.Results?.find((t) => t.TaskHandle === task.TaskHandle) ?? tasks.Results?.[0];
        if (mine?.Status !== 'RUNNING') break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    sqs.destroy();
  }
}

async function compare(harness: LocalCloudHarness, conversations: Conversation[], events: PlannedEvent[]) {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await harness.db.send(new ScanCommand({ TableName: harness.cloud.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const messages = items.filter((i) => i.entity === 'Message');

  const inboundCounts = new Map<string, number>();
  for (const m of messages) {
    if (m.direction === 'inbound' && m.providerMessageId) inboundCounts.set(m.providerMessageId, (inboundCounts.get(m.providerMessageId) ?? 0) + 1);
  }
  const inboundLost = events.filter((e) => !inboundCounts.has(e.messageId)).length;
  const inboundStoredTwice = [...inboundCounts.values()].filter((n) => n > 1).length;

  const SENT = new Set(['sent', 'delivered', 'read', 'played']);
  const outbound = messages.filter((m) => m.direction === 'outbound');
  const recorded = new Set(outbound.map((m) => m.providerMessageId).filter(Boolean));
  const accepted = (await harness.outbox()).filter((e) => e.status === 200 && typeof (e as { messageId?: string }).messageId === 'string');
  const repliesSentTwice = accepted.filter((e) => !recorded.has((e as { messageId?: string }).messageId)).length;
  const answered = new Set(outbound.filter((m) => SENT.has(m.status)).flatMap((m) => (m.replyToMessageIds as string[] | undefined) ?? []));
  const conversationsUnanswered = conversations.filter((c) => !answered.has(c.lastMessageId)).length;
  const receiptsNotApplied = outbound.filter((m) => SENT.has(m.status) && m.status !== 'read').length;
  const repliesNotSent = outbound.filter((m) => !SENT.has(m.status)).length;
  const unfinishedReplies = outbound
    .filter((m) => m.status !== 'read')
    .map((m) => {
      const kept: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m)) {
        if (/text|name|body|content|options|customerWaId|customerId|conversationKey|pk$/i.test(k)) continue;
        kept[k] = v;
      }
      return kept;
    });
  return { inboundLost, inboundStoredTwice, repliesSentTwice, conversationsUnanswered, receiptsNotApplied, repliesNotSent, unfinishedReplies };
}

export function formatChaosReport(r: ChaosReport): string {
  const line = (label: string, value: number | string, target?: number) =>
    `  ${label.padEnd(52)} ${String(value).padStart(8)}${target === undefined ? '' : `   (target ${target})`}`;
  const dlq = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return [
    `Chaos run: ${r.events} customer messages in ${r.conversations} conversations, ${r.deliveries} webhook deliveries`,
    line('duplicate deliveries injected', r.injected.duplicateDeliveries),
    line('function invocations crashed (before or after running)', r.injected.crashes),
    line('Graph sends answered 5xx', r.injected.graphServerErrors),
    line('Graph sends answered 130429 (bursts)', r.injected.graphThrottled),
    line('webhook deliveries retried (non-200 answers)', r.webhookRetries),
    '',
    line('inbound messages lost', r.inboundLost, 0),
    line('inbound messages stored twice', r.inboundStoredTwice, 0),
    line('replies sent twice', r.repliesSentTwice, 0),
    line('conversations left unanswered', r.conversationsUnanswered, 0),
    line('replies stored but never sent', r.repliesNotSent, 0),
    line('sent replies whose receipts did not reach read', r.receiptsNotApplied, 0),
    line('messages in dead-letter queues before redrive', dlq(r.deadLetteredBeforeRedrive)),
    line('messages in dead-letter queues after one redrive', dlq(r.deadLetteredAfterRedrive), 0),
    line(`replies still pending ${CHAOS_REPLY_WATCH_SECONDS} s after their request, asked for again`, r.replyWatch.askedAgain),
    line(`WhatsApp claims unconfirmed after ${CHAOS_STALE_SENDING_SECONDS} s, asked for again`, r.replyWatch.resent),
    line(`replies still sending ${CHAOS_REPLY_WATCH_SECONDS} s after their request`, r.replyWatch.outcomeUnknown),
    ...r.unfinishedReplies.map((m) => `  unfinished reply: ${JSON.stringify(m)}`),
    '',
    `  Handoffs: ${r.routing.handoffs} conversations asked for a person; agents ${CHAOS_AGENTS.join(', ')} (one went offline and back)`,
    line('routing function invocations crashed', r.routing.crashes.routing),
    line("agents' API invocations crashed", r.routing.crashes.agentApi),
    line("agents' API calls tried again (5xx, dropped)", r.routing.agents.apiRetries),
    line('offers accepted / declined', `${r.routing.agents.accepted} / ${r.routing.agents.declined}`),
    line('agent replies / closes', `${r.routing.agents.replied} / ${r.routing.agents.closed}`),
    line('handed-off conversations routed', r.routing.routed, r.routing.handoffs),
    line('handed-off conversations closed by an agent', r.routing.closed, r.routing.handoffs),
    line('handed-off conversations still waiting in a queue', r.routing.stillQueued),
    line('routing samples taken during the run', r.routing.samples),
    line('agents above capacity', r.routing.violations.over_capacity, 0),
    line('conversations assigned twice (or held by a non-holder)', r.routing.violations.held_twice, 0),
    line('agent loads not counting what they hold', r.routing.violations.load_mismatch, 0),
    line('handed-off conversations lost from their queue', r.routing.violations.lost, 0),
    line("agents' API answers that should not happen", r.routing.unexpectedAnswers.length, 0),
    ...r.routing.violationExamples.map((v) => `  violation: ${v}`),
    ...r.routing.unexpectedAnswers.slice(0, 10).map((v) => `  unexpected answer: ${v}`),
    '',
    '  warnings and errors logged (by function and message):',
    ...r.logged.slice(0, 20).map((l) => `  ${String(l.count).padStart(6)}  ${l.what}`),
    '',
    `  delivered in ${r.seconds.deliver} s, settled ${r.seconds.settle} s later (${r.seconds.total} s in all)`,
  ].join('\n');
}

/** Routing invariant violations and impossible API answers of a run: 0 when the contact centre held. */
export function routingFailures(r: ChaosReport): number {
  return Object.values(r.routing.violations).reduce((a, b) => a + b, 0) + r.routing.unexpectedAnswers.length + (r.routing.handoffs - r.routing.routed);
}
