/**
 * npm run bench:cost — what one customer message round trip costs on AWS.
 *
 * Runs the synthesized stack in the local cloud and plays BENCH_ROUND_TRIPS customers (default 100)
 * writing once each on BENCH_CHANNELS (default whatsapp; comma-separated, cycled), twice: first one
 * customer at a time, then BENCH_IN_FLIGHT customers at once (default 32). A round trip is the
 * inbound message, the reply, and the receipts Meta sends for the reply (WhatsApp: sent, delivered,
 * read). Every AWS request the functions make is counted on the way to the emulators: API Gateway
 * requests, Lambda invocations and measured GB-seconds, SQS requests (64 KB chunks), EventBridge
 * entries (64 KB chunks), DynamoDB read and write units (through a proxy that asks DynamoDB Local for
 * consumed capacity), Secrets Manager and S3 calls. Cold starts are included and amortised over the run.
 * Meters: test/bench/meters/. Prices: test/bench/cost-prices.ts. Meta's and Anthropic's charges are excluded.
 *
 * Lambda duration. On a small machine many customers at once inflate wall-clock durations by
 * queueing for a CPU, which Lambda does not do (each execution environment has its own share). The
 * one-at-a-time phase bills measured wall time; the in-flight phase bills each invocation at what it
 * would take on its own: the function's one-at-a-time duration per record times the records in the
 * invocation, and never more than its measured wall time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsMeteringProxy } from '#test/bench/meters/aws-metering-proxy';
import { startDynamoDbCountingProxy } from '#test/bench/meters/dynamodb-counting-proxy';
import { freePort } from '#lib/local-cloud/free-port';
import type { FunctionPool } from '#lib/local-cloud/lambda-runtime/function-pool';
import { startLocalCloud } from '#lib/local-cloud/start-local-cloud';
import { synthesizeLocalAssembly } from '#lib/local-cloud/synthesize-local-assembly';
import { REPLY_WATCH_DELAY_SECONDS } from '#lambdas/outbound/watch-reply';
import { fixedPathFloor, PRICES, priceTable, PROVIDER_FEE_PER_MESSAGE, TARGET_PER_THOUSAND } from '#test/bench/cost-prices';
import { bundledRateCard } from '#lambdas/pricing/rate-card';
import { metaChargeLines } from '#test/bench/meta-charge';

type Channel = 'whatsapp' | 'instagram' | 'messenger';
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 100);
const CHANNELS = (process.env.BENCH_CHANNELS ?? 'whatsapp').split(',').map((c) => c.trim()) as Channel[];
/** Customers writing at the same time in the second phase (the first plays one at a time). */
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
/** The issue's targets per 1,000 round trips: one customer at a time, and many in flight. */
const TARGET_ONE_AT_A_TIME = 0.03;

interface Invocation {
  /** Wall time around the call, in ms. */
  ms: number;
  /** Records in the event (an SQS batch), 1 for a direct call. */
  records: number;
}

interface FunctionMeter {
  memoryMb: number;
  inFlight: number;
  invocations: Invocation[];
}

/** Times every invocation of each function and counts the records it was given. */
function meterFunctions(functions: Map<string, FunctionPool>): Map<string, FunctionMeter> {
  const meters = new Map<string, FunctionMeter>();
  for (const [id, pool] of functions) {
    const meter: FunctionMeter = { memoryMb: pool.spec.memoryMb, inFlight: 0, invocations: [] };
    meters.set(id, meter);
    const invoke = pool.invoke.bind(pool);
    pool.invoke = (async (event: unknown) => {
      meter.inFlight++;
      const started = performance.now();
      try {
        return await invoke(event);
      } finally {
        // Wall time around the call: it includes any wait for a free execution environment.
        const records = (event as { Records?: unknown[] } | null)?.Records?.length ?? 1;
        meter.invocations.push({ ms: performance.now() - started, records: Math.max(1, records) });
        meter.inFlight--;
      }
    }) as FunctionPool['invoke'];
  }
  return meters;
}

/** Each function's one-at-a-time duration per record (ms), the in-flight phase's billing reference. */
type DurationReference = Map<string, number>;

function durationReference(meters: Map<string, FunctionMeter>): DurationReference {
  const reference: DurationReference = new Map();
  for (const [id, m] of meters) {
    const records = m.invocations.reduce((a, i) => a + i.records, 0);
    if (records > 0) reference.set(id, m.invocations.reduce((a, i) => a + i.ms, 0) / records);
  }
  return reference;
}

/** Billed ms of one invocation (Lambda bills per started millisecond). */
function billedMs(id: string, invocation: Invocation, reference: DurationReference | undefined): number {
  const perRecord = reference?.get(id);
  const ms = perRecord === undefined ? invocation.ms : Math.min(invocation.ms, perRecord * invocation.records);
  return Math.ceil(ms);
}

function customerId(channel: Channel, i: number): string {
  return channel === 'whatsapp' ? `1555${String(2_000_000 + i)}` : `${channel === 'instagram' ? 61 : 71}${String(10_000_000_000_000 + i)}`;
}

async function main(): Promise<void> {
  console.log(priceTable());
  console.log(`\nStarting the local cloud (synthesis and bundling take a minute)…`);
  const outdir = mkdtempSync(join(tmpdir(), 'omnichannel-cost-'));
  // Both proxies need their targets' ports before the cloud starts, so the ports are chosen here.
  const [dynamoDbPort, awsPort] = [await freePort(), await freePort()];
  const dynamo = await startDynamoDbCountingProxy({ target: `http://127.0.0.1:${dynamoDbPort}` });
  const aws = await startAwsMeteringProxy({ target: `http://127.0.0.1:${awsPort}` });
  let logBytes = 0;
  const cloud = await startLocalCloud({
    assembly: synthesizeLocalAssembly(outdir),
    port: 0,
    graphSimPort: 0,
    crmSimPort: 0,
    awsPort,
    dynamoDbPort,
    logSink: (_fn, line) => {
      logBytes += Buffer.byteLength(line) + 1;
    },
    graph: { statusDelaysMs: { sent: 20, delivered: 20, read: 20 } },
    // The reply watch looks at every reply a quarter of an hour after its request; here after one
    // second, so that its work is part of the run (quiesce waits for delayed messages too).
    deliveryDelayScale: 1 / REPLY_WATCH_DELAY_SECONDS,
    extraEnvironment: {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: aws.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_S3: aws.endpoint,
    },
  });
  try {
    const meters = meterFunctions(cloud.functions);
    const phase = (inFlight: number, first: number) =>
      playRoundTrips({ cloud, meters, dynamo, aws, inFlight, first, resetLogBytes: () => (logBytes = 0), logBytes: () => logBytes });
    console.log(`\nPhase 1: ${ROUND_TRIPS} customers, one at a time.`);
    const alone = await phase(1, 0);
    const reference = durationReference(meters);
    const oneAtATime = report(alone, { label: 'one customer at a time', target: TARGET_ONE_AT_A_TIME, reference: undefined });
    if (IN_FLIGHT > 1) {
      console.log(`\nPhase 2: ${ROUND_TRIPS} more customers, ${IN_FLIGHT} at once.`);
      const together = await phase(IN_FLIGHT, ROUND_TRIPS);
      const inFlight = report(together, { label: `${IN_FLIGHT} customers in flight`, target: TARGET_PER_THOUSAND, reference });
      console.log(
        `\nSummary: $${oneAtATime.toFixed(5)} per 1,000 round trips one at a time (target $${TARGET_ONE_AT_A_TIME}), ` +
          `$${inFlight.toFixed(5)} with ${IN_FLIGHT} in flight (target $${TARGET_PER_THOUSAND}; Lambda billed at one-at-a-time durations).`,
      );
    }
  } finally {
    await cloud.stop();
    await aws.close();
    await dynamo.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

type LocalCloud = Awaited<ReturnType<typeof startLocalCloud>>;

/** Plays ROUND_TRIPS customers, `inFlight` at a time, and returns what the run used. */
async function playRoundTrips(input: {
  cloud: LocalCloud;
  meters: Map<string, FunctionMeter>;
  dynamo: Awaited<ReturnType<typeof startDynamoDbCountingProxy>>;
  aws: Awaited<ReturnType<typeof startAwsMeteringProxy>>;
  inFlight: number;
  first: number;
  resetLogBytes: () => void;
  logBytes: () => number;
}): Promise<Run> {
  const { cloud, meters, dynamo, aws } = input;
  for (const m of meters.values()) m.invocations = [];
  const mappingStatsBefore = new Map([...cloud.mappings].map(([q, m]) => [q, m.stats()]));
  cloud.aws.calls.reset();
  dynamo.reset();
  aws.reset();
  input.resetLogBytes();

  const started = performance.now();
  const outboxBefore = (await outbox(cloud.graphUrl)).length;
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < ROUND_TRIPS; k = next++) {
      const i = input.first + k;
      const channel = CHANNELS[i % CHANNELS.length]!;
      const id = customerId(channel, i);
      await customerSays(cloud.graphUrl, { channel, customerId: id, text: `How much is shipping to my town? (${i})`, name: `Bench ${i}` });
      await until(async () => (await outbox(cloud.graphUrl)).some((e) => isReplyTo(e, id)), `the reply to customer ${i}`);
    }
  };
  await Promise.all(Array.from({ length: input.inFlight }, worker));
  // Receipts arrive after the reply; wait until the pipeline has been still for a while.
  await quiesce(cloud, meters);
  const seconds = (performance.now() - started) / 1000;
  const replies = (await outbox(cloud.graphUrl)).slice(outboxBefore).filter((e) => e.body?.status !== 'read').length;
  return {
    meters,
    calls: cloud.aws.calls.snapshot(),
    metered: aws.usage(),
    dynamo: dynamo.usage(),
    mappings: [...cloud.mappings].map(([queue, m]) => {
      const before = mappingStatsBefore.get(queue)!;
      return { queue, fifo: (cloud.queueNames.get(queue) ?? '').endsWith('.fifo'), invocations: m.stats().invocations - before.invocations };
    }),
    logBytes: input.logBytes(),
    seconds,
    replies,
    deadLettered: Object.values(deadLettered(cloud)).reduce((a, b) => a + b, 0),
  };
}

interface Run {
  meters: Map<string, FunctionMeter>;
  calls: Record<string, number>;
  metered: ReturnType<Awaited<ReturnType<typeof startAwsMeteringProxy>>['usage']>;
  dynamo: ReturnType<Awaited<ReturnType<typeof startDynamoDbCountingProxy>>['usage']>;
  mappings: Array<{ queue: string; fifo: boolean; invocations: number }>;
  logBytes: number;
  seconds: number;
  replies: number;
  deadLettered: number;
}

/** Prints the run's cost and returns it per 1,000 round trips. */
function report(run: Run, phase: { label: string; target: number; reference: DurationReference | undefined }): number {
  const n = ROUND_TRIPS;
  const sum = (prefix: string, field: 'billedRequests' | 'billedEntries' = 'billedRequests') =>
    Object.entries(run.metered)
      .filter(([k]) => k.startsWith(prefix))
      .reduce((a, [, v]) => a + v[field], 0);

  const invocations = [...run.meters.values()].reduce((a, m) => a + m.invocations.length, 0);
  const gbSecondsBy = (reference: DurationReference | undefined) =>
    [...run.meters].reduce((a, [id, m]) => a + (m.invocations.reduce((b, i) => b + billedMs(id, i, reference), 0) / 1000) * (m.memoryMb / 1024), 0);
  const gbSeconds = gbSecondsBy(phase.reference);
  const wallGbSeconds = gbSecondsBy(undefined);
  // Each Lambda poll that returned messages is one ReceiveMessage and, after it, one DeleteMessageBatch.
  const pollFifo = run.mappings.filter((m) => m.fifo).reduce((a, m) => a + m.invocations * 2, 0);
  const pollStandard = run.mappings.filter((m) => !m.fifo).reduce((a, m) => a + m.invocations * 2, 0);
  // EventBridge's deliveries to the consumers' (standard) queues are SQS SendMessage requests billed to the queue owner.
  const deliveries = run.calls['events.TargetDelivery'] ?? 0;
  // The SDK's SQS client sends to the host of the queue URL, so functions' SQS calls reach the emulator
  // directly and are counted there (one call, one request: these messages are far below 64 KB). They
  // are priced at the FIFO rate, the higher one: the webhook's batches to the ingress FIFO queue dominate them.
  const functionSqs = Object.entries(run.calls)
    .filter(([k]) => k.startsWith('sqs.'))
    .reduce((a, [, v]) => a + v, 0);
  const sqsFifo = Math.max(sum('sqs-fifo.'), functionSqs) + pollFifo;
  const sqsStandard = sum('sqs.') + pollStandard + deliveries;

  const lines: Array<{ service: string; quantity: string; cost: number }> = [
    {
      service: 'API Gateway',
      quantity: `${run.calls['apigateway.Request'] ?? 0} requests`,
      cost: (run.calls['apigateway.Request'] ?? 0) * PRICES.apiGatewayHttpRequest,
    },
    { service: 'Lambda requests', quantity: `${invocations} invocations`, cost: invocations * PRICES.lambdaRequest },
    { service: 'Lambda duration', quantity: `${gbSeconds.toFixed(3)} GB-s`, cost: gbSeconds * PRICES.lambdaArmGbSecond },
    {
      service: 'SQS',
      quantity: `${sqsFifo} FIFO + ${sqsStandard} standard requests`,
      cost: sqsFifo * PRICES.sqsFifoRequest + sqsStandard * PRICES.sqsStandardRequest,
    },
    {
      service: 'EventBridge',
      quantity: `${sum('events.PutEvents', 'billedEntries')} entries`,
      cost: sum('events.PutEvents', 'billedEntries') * PRICES.eventBridgeEntry,
    },
    {
      service: 'DynamoDB',
      quantity: `${run.dynamo.writeUnits} WRU + ${run.dynamo.readUnits} RRU`,
      cost: run.dynamo.writeUnits * PRICES.dynamoDbWriteUnit + run.dynamo.readUnits * PRICES.dynamoDbReadUnit,
    },
    { service: 'Secrets Manager', quantity: `${sum('secretsmanager.')} calls`, cost: sum('secretsmanager.') * PRICES.secretsManagerCall },
    {
      service: 'S3',
      quantity: `${sum('s3.PUT')} PUT + ${sum('s3.GET')} GET`,
      cost: sum('s3.PUT') * PRICES.s3Put + sum('s3.GET') * PRICES.s3Get,
    },
  ];
  const total = lines.reduce((a, l) => a + l.cost, 0);
  const perThousand = (total / n) * 1000;
  const logsPerThousand = ((run.logBytes * PRICES.cloudWatchLogsIngestedByte) / n) * 1000;
  const dominant = [...lines].sort((a, b) => b.cost - a.cost)[0]!;

  console.log(
    `\n${phase.label}: ${n} round trips on ${CHANNELS.join(', ')} in ${run.seconds.toFixed(1)} s; ${run.replies} replies sent; ${run.deadLettered} messages in dead-letter queues.`,
  );
  console.log(`\nPer round trip (totals over the run divided by ${n}):`);
  const width = Math.max(...lines.map((l) => l.service.length));
  for (const l of lines) {
    const share = total > 0 ? (100 * l.cost) / total : 0;
    console.log(`  ${l.service.padEnd(width)}  ${perTrip(l.quantity, n).padEnd(40)} $${((l.cost / n) * 1000).toFixed(5)} per 1,000  (${share.toFixed(1)}%)`);
  }
  console.log(
    phase.reference
      ? `\nLambda by function (per round trip; billed at one-at-a-time durations per record, at most the measured wall time):`
      : `\nLambda by function (per round trip; billed at measured wall time):`,
  );
  for (const [id, m] of run.meters) {
    if (m.invocations.length === 0) continue;
    const records = m.invocations.reduce((a, i) => a + i.records, 0);
    const billed = m.invocations.reduce((a, i) => a + billedMs(id, i, phase.reference), 0);
    const wall = m.invocations.reduce((a, i) => a + i.ms, 0);
    console.log(
      `  ${id.padEnd(28)} ${(m.invocations.length / n).toFixed(2)} invocations (${(records / m.invocations.length).toFixed(2)} records each), ` +
        `${(billed / m.invocations.length).toFixed(1)} ms billed mean` +
        (phase.reference ? ` (wall ${(wall / m.invocations.length).toFixed(1)} ms)` : '') +
        `, ${m.memoryMb} MB`,
    );
  }
  if (phase.reference) {
    console.log(
      `  Lambda duration at wall-clock time would be ${(wallGbSeconds / n).toFixed(3)} GB-s per round trip ` +
        `($${(((wallGbSeconds * PRICES.lambdaArmGbSecond) / n) * 1000).toFixed(5)} per 1,000): on this machine ${IN_FLIGHT} customers queue for two CPU cores.`,
    );
  }
  console.log(
    `\nDynamoDB requests per round trip: ${Object.entries(run.dynamo.requests)
      .map(([op, c]) => `${op} ${(c / n).toFixed(2)}`)
      .join(', ')}`,
  );
  console.log(
    `  transactions: ${(run.dynamo.transactionWriteUnits / n).toFixed(2)} WRU and ${(run.dynamo.transactionReadUnits / n).toFixed(2)} RRU (doubled, as billed); ` +
      `refused conditional writes: ${(run.dynamo.failedConditionalWrites / n).toFixed(2)} (billed at 1 WRU each, an estimate)`,
  );
  console.log(
    `  write units by request and item kind: ${Object.entries(run.dynamo.writeUnitsByKind)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${(v / n).toFixed(2)}`)
      .join(', ')}`,
  );
  console.log(
    `EventBridge entries per round trip by detail type: ${Object.entries(run.metered)
      .filter(([k]) => k.startsWith('eventtype.'))
      .sort((a, b) => b[1].entries - a[1].entries)
      .map(([k, v]) => `${k.slice('eventtype.'.length)} ${(v.entries / n).toFixed(2)}`)
      .join(', ')}`,
  );
  console.log(
    `SQS detail per round trip: functions ${Object.entries(run.calls)
      .filter(([k]) => k.startsWith('sqs.'))
      .map(([k, v]) => `${k} ${(v / n).toFixed(2)}`)
      .join(', ')}; ` +
      `EventBridge deliveries ${(deliveries / n).toFixed(2)}; non-empty polls ${((pollFifo + pollStandard) / 2 / n).toFixed(2)} (receive + delete each).`,
  );
  console.log(
    `  Local pollers made ${run.calls['sqs-esm.ReceiveMessage'] ?? 0} receives in all (1 s long polls). Not priced per message: a real Lambda poller ` +
      `long-polls 20 s per queue whether or not messages arrive, a fixed monthly cost per queue, not a cost per round trip.`,
  );

  console.log(`\nTotal, ${phase.label}: $${perThousand.toFixed(5)} per 1,000 round trips (AWS, excluding Meta and Anthropic).`);
  console.log(`  Dominated by ${dominant.service} (${((100 * dominant.cost) / total).toFixed(1)}%).`);
  for (const line of metaChargeLines(bundledRateCard(), perThousand)) console.log(line);
  console.log(
    `  A paid provider's platform fee is $${PROVIDER_FEE_PER_MESSAGE} per message = $${(PROVIDER_FEE_PER_MESSAGE * 1000).toFixed(2)} per 1,000: ` +
      `${((PROVIDER_FEE_PER_MESSAGE * 1000) / perThousand).toFixed(0)}× this figure.`,
  );
  const target = phase.target;
  const verdict =
    perThousand <= target
      ? `meets the target of $${target} per 1,000 with ${(target / perThousand).toFixed(2)}× headroom`
      : `MISSES the target of $${target} per 1,000 by $${(perThousand - target).toFixed(5)} (${(perThousand / target).toFixed(2)}× the target)`;
  console.log(`  Target: ${verdict}.`);
  const webhooks = (run.calls['apigateway.Request'] ?? 0) / n;
  const events = sum('events.PutEvents', 'billedEntries') / n;
  const floor = fixedPathFloor(webhooks, events) * 1000;
  const left = target - floor;
  console.log(
    `  The fixed path alone (${webhooks.toFixed(2)} webhooks and ${events.toFixed(2)} events per round trip through API Gateway, the ingress FIFO ` +
      `queue, EventBridge and the consumers' queues, one message per poll, nothing stored, no duration) costs $${floor.toFixed(5)} per 1,000, ` +
      `leaving $${left.toFixed(5)} of the target for every DynamoDB unit and Lambda GB-second ` +
      `(${Math.max(0, left / PRICES.dynamoDbWriteUnit / 1000).toFixed(1)} write units per round trip with no duration at all).`,
  );
  // The agent's duration above is the flows' answer; an answer from Claude adds the wait for the model.
  const agentMb = run.meters.get('AgentFunction')?.memoryMb;
  if (agentMb !== undefined) {
    const modelSeconds = Number(process.env.BENCH_MODEL_SECONDS ?? 2);
    const wait = modelSeconds * (agentMb / 1024) * PRICES.lambdaArmGbSecond * 1000;
    console.log(
      `  Replies written by Claude add the agent's wait for the model: ${modelSeconds} s at ${agentMb} MB = $${wait.toFixed(5)} per 1,000 such replies ` +
        `(BENCH_MODEL_SECONDS; this run answers from the business flows, without a model).`,
    );
  }
  console.log(
    `\nNot in the total: CloudWatch Logs ingestion of ${(run.logBytes / n).toFixed(0)} bytes per round trip = $${logsPerThousand.toFixed(5)} per 1,000; ` +
      `per-secret ($0.40/month) and per-metric monthly charges; X-Ray traces when tracing is on.`,
  );
  console.log(
    `Measured locally: durations are wall time of worker threads on this machine (Lambda at these memory sizes gets a fraction of a vCPU), ` +
      `so Lambda GB-s are indicative.`,
  );
  return perThousand;
}

function perTrip(quantity: string, n: number): string {
  return quantity.replace(/(\d+(?:\.\d+)?)/g, (d) => (Number(d) / n).toFixed(3).replace(/\.?0+$/, ''));
}

async function customerSays(graphUrl: string, input: { channel: Channel; customerId: string; text: string; name: string }): Promise<void> {
  const res = await fetch(`${graphUrl}/_sim/customer/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  if (!res.ok) throw new Error(`simulator refused the customer message: ${res.status}`);
}

interface OutboxEntry {
  body?: { to?: string; status?: string; recipient?: { id?: string } };
}

async function outbox(graphUrl: string): Promise<OutboxEntry[]> {
  return (await (await fetch(`${graphUrl}/_sim/outbox`)).json()) as OutboxEntry[];
}

function isReplyTo(e: OutboxEntry, id: string): boolean {
  return e.body?.status !== 'read' && (e.body?.to === id || e.body?.recipient?.id === id);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until no function runs, no queue holds a message and no webhook arrived for two seconds. */
async function quiesce(cloud: LocalCloud, meters: Map<string, FunctionMeter>): Promise<void> {
  let stillSince = Date.now();
  let lastRequests = -1;
  const deadline = Date.now() + 120_000;
  while (Date.now() - stillSince < 2_000) {
    if (Date.now() > deadline) throw new Error('the pipeline did not settle within 120 s');
    await new Promise((r) => setTimeout(r, 100));
    const requests = cloud.aws.calls.get('apigateway', 'Request');
    const busy = [...meters.values()].some((m) => m.inFlight > 0) || queuedMessages(cloud) > 0 || requests !== lastRequests;
    lastRequests = requests;
    if (busy) stillSince = Date.now();
  }
}

function queuedMessages(cloud: Awaited<ReturnType<typeof startLocalCloud>>): number {
  let total = 0;
  for (const [logicalId, name] of cloud.queueNames) {
    if (/DeadLetter/.test(logicalId)) continue;
    const a = cloud.aws.sqs.getQueueAttributes(name, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ]);
    total +=
      Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
  }
  return total;
}

function deadLettered(cloud: Awaited<ReturnType<typeof startLocalCloud>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [logicalId, name] of cloud.queueNames) {
    if (!/DeadLetter/.test(logicalId)) continue;
    const a = cloud.aws.sqs.getQueueAttributes(name, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    counts[logicalId] = Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return counts;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
