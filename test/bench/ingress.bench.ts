/**
 * npm run bench:ingress — what the webhook Lambda costs per request, and what it costs to start.
 *
 * 1. CPU time per request of the bundled webhook handler (verify + split + enqueue through the
 *    real SQS client to the local AWS emulation, which runs in another process so its CPU is not
 *    counted), for a 1 KB and a 100 KB body, beside the floor measured in the same run: HMAC-SHA256
 *    plus JSON.parse of the same body. Also the same with the SQS call answered in-process, which
 *    isolates the project's own work from the SDK's.
 * 2. Each per-message Lambda's bundle size (esbuild with the stack's own options, imported from
 *    lib/constructs/lambda-bundling.ts, source map beside it), its init time (importing the bundle
 *    with the functions' NODE_OPTIONS in a fresh Node process whose module loader is already up, as
 *    in Lambda's runtime: median of BENCH_INIT_RUNS, default 9, wall and CPU; see importTimeMs) and
 *    its largest packages, checked against the targets of issue 14.
 *    `BENCH_BUNDLES_ONLY=1` prints only this part; the metafiles are written to .local/bench/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build, type Metafile } from 'esbuild';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { enqueueIngressEvents } from '#lambdas/ingress/enqueue-ingress-events';
import { receiveWebhook } from '#lambdas/ingress/receive-webhook';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { BUNDLE_TARGETS, LAMBDA_BUNDLING, LAMBDA_NODE_OPTIONS, PER_MESSAGE_HANDLERS } from '#lib/constructs/lambda-bundling';

const ROOT = process.cwd();
const OUT = join(ROOT, '.local', 'bench');
const APP_SECRET = 'bench-app-secret';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 400);
const INIT_RUNS = Number(process.env.BENCH_INIT_RUNS ?? 9);

interface Bundle {
  file: string;
  metafile: Metafile;
}

/** Bundles one handler exactly as SupportFunction does (same options object), its source map beside it. */
async function bundle(handler: string): Promise<Bundle> {
  const outfile = join(OUT, `${handler}.mjs`);
  const { banner, ...options } = LAMBDA_BUNDLING;
  const result = await build({
    ...options,
    mainFields: [...options.mainFields],
    banner: { js: banner },
    entryPoints: [join(ROOT, 'lambdas/handlers', `${handler}.ts`)],
    bundle: true,
    outfile,
    metafile: true,
    logLevel: 'error',
  });
  writeFileSync(join(OUT, `${handler}.meta.json`), JSON.stringify(result.metafile));
  return { file: outfile, metafile: result.metafile };
}

/** The packages (or project folders) that take the most bytes of a bundle. */
function largestInputs(metafile: Metafile, count: number): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => `${name} ${(n / 1024).toFixed(0)}`)
    .join(', ');
}

const HANDLER_ENV = {
  INGRESS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/ingress.fifo',
  META_APP_SECRET_ID: 's',
  CLAIM_CHECK_BUCKET: 'b',
  TABLE_NAME: 't',
  EVENT_BUS_NAME: 'e',
  META_ACCESS_TOKENS_SECRET_ID: 'a',
  ANTHROPIC_SECRET_ID: 'k',
  MEDIA_BUCKET: 'm',
  AWS_REGION: 'us-east-1',
};

/**
 * What Lambda's INIT phase spends on the function itself: importing its bundle (V8 compiling it,
 * the Node built-ins it loads — crypto, https, zlib… —, its top-level code: SDK clients, schemas,
 * tables; and, with the functions' NODE_OPTIONS, reading its source map). Each import is in a
 * fresh Node process whose ES module loader has already loaded one empty module file, as Lambda's
 * runtime has before it imports the handler: neither Node's start-up nor the loader's own first
 * use (about 10 ms here) is counted. Wall time, and the CPU time of the same import beside it (V8
 * compiles and collects garbage on other threads too, so it can exceed the wall time).
 */
const WARM_MODULE = join(OUT, 'warm-loader.mjs');

function importTimeMs(file: string): { wall: number; cpu: number } {
  const script =
    `await import(${JSON.stringify(pathToFileURL(WARM_MODULE).href)});` +
    `const c = process.cpuUsage(), t = performance.now();` +
    `await import(${JSON.stringify(pathToFileURL(file).href)});` +
    `const w = performance.now() - t, u = process.cpuUsage(c);` +
    `process.stderr.write('INIT ' + w + ' ' + (u.user + u.system) / 1000 + '\\n');`;
  const out = spawnSync(process.execPath, ['--no-warnings', LAMBDA_NODE_OPTIONS, '--input-type=module', '-e', script], {
    env: { ...process.env, ...HANDLER_ENV },
    encoding: 'utf8',
  });
  const line = out.stderr.split('\n').find((l) => l.startsWith('INIT '));
  if (!line) throw new Error(`could not import ${file}: ${out.stderr.slice(-500)}`);
  const [wall, cpu] = line.slice(5).split(' ').map(Number);
  return { wall: wall!, cpu: cpu! };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Median init of each bundle over `runs` imports. The bundles take turns (one import of each per
 * round) so that a burst of load on the machine falls on all of them, not on one.
 */
function initTimes(files: string[], runs = INIT_RUNS): Map<string, { wall: number; cpu: number }> {
  const samples = new Map(files.map((f) => [f, [] as Array<{ wall: number; cpu: number }>]));
  for (let i = 0; i < runs; i++) for (const file of files) samples.get(file)!.push(importTimeMs(file));
  return new Map([...samples].map(([file, s]) => [file, { wall: median(s.map((x) => x.wall)), cpu: median(s.map((x) => x.cpu)) }]));
}

/** A WhatsApp webhook body of about `bytes`, batching text messages from several customers. */
function whatsappBody(bytes: number): string {
  const message = (i: number) => ({
    from: `1555${String(1_000_000 + i)}`,
    id: `wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQTk5${String(i).padStart(8, '0')}AA==`,
    timestamp: '1763730000',
    type: 'text',
    text: { body: 'Hola, quisiera saber el estado de mi pedido número 12345, gracias.' },
  });
  const body = (n: number) =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '200000000000001',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000001', phone_number_id: '100000000000001' },
                contacts: Array.from({ length: n }, (_, i) => ({ profile: { name: `Cliente ${i}` }, wa_id: message(i).from })),
                messages: Array.from({ length: n }, (_, i) => message(i)),
              },
            },
          ],
        },
      ],
    });
  let n = 1;
  while (body(n + 1).length <= bytes) n++;
  return body(n);
}

function floorMicros(body: string): number {
  const secret = APP_SECRET;
  const raw = Buffer.from(body);
  for (let i = 0; i < 50; i++) JSON.parse(createHmac('sha256', secret).update(raw).digest('hex') && body);
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    createHmac('sha256', secret).update(raw).digest();
    JSON.parse(raw.toString('utf8'));
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ITERATIONS;
}

/** Starts the AWS emulation in a child process; resolves with its endpoint and queue URL. */
async function startEmulatorProcess(): Promise<{ endpoint: string; queueUrl: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', join(ROOT, 'test/bench/emulator-process.ts'), APP_SECRET], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) resolve(buffer.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  const { endpoint, queueUrl } = JSON.parse(line) as { endpoint: string; queueUrl: string };
  return { endpoint, queueUrl, stop: () => child.kill() };
}

interface HandlerFigures {
  micros: number;
  statusCodes: number[];
}

/**
 * The project's own work per request, without the AWS SDK: verify, split, build every SQS entry
 * (ids, JSON, size checks) and hand the batches to an in-process stand-in for SQS.
 */
async function ownWorkMicros(body: string): Promise<number> {
  const sqs = {
    send: async (command: { input: { Entries: Array<{ Id: string }> } }) => ({
      Successful: command.input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id })),
      Failed: [],
    }),
  } as unknown as SQSClient;
  const request = {
    method: 'POST',
    rawBody: Buffer.from(body),
    headers: { 'x-hub-signature-256': signMetaBody(body, APP_SECRET) },
    query: {},
  };
  const secrets = { appSecret: APP_SECRET, verifyToken: 'bench' };
  const run = () => receiveWebhook(request, secrets, (events) => enqueueIngressEvents(events, { sqs, queueUrl: 'q' }));
  for (let i = 0; i < 50; i++) await run();
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    const result = await run();
    if (result.statusCode !== 200) throw new Error(`unexpected ${result.statusCode}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ITERATIONS;
}

/** Runs the bundled handler in a worker (its own env, its log output discarded) and measures CPU. */
function measureHandler(file: string, env: Record<string, string>, body: string): Promise<HandlerFigures> {
  const worker = new Worker(join(ROOT, 'test/bench/ingress-handler-worker.mjs'), {
    workerData: { file, body, signature: signMetaBody(body, APP_SECRET), iterations: ITERATIONS },
    env: { ...process.env, ...env },
    stdout: true,
    stderr: false,
  });
  worker.stdout.resume();
  return new Promise((resolve, reject) => {
    worker.once('message', (m: HandlerFigures) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(WARM_MODULE, 'export default 1;\n');
  console.log(`Bundling the Lambdas (esbuild, the stack's options: minified ESM, ${LAMBDA_BUNDLING.target}, source maps)…`);
  const built = await Promise.all(PER_MESSAGE_HANDLERS.map(async (h) => ({ handler: h, ...(await bundle(h)) })));

  const webhook = built.find((b) => b.handler === 'webhook')!;
  if (process.env.BENCH_BUNDLES_ONLY !== '1') await requestCpuTimes(webhook.file);

  console.log(
    `\nBundles (minified; the source map is a separate file) and init: importing the bundle as Lambda's runtime does` +
      ` (with ${LAMBDA_NODE_OPTIONS}), median of ${INIT_RUNS}` +
      ` fresh processes (see importTimeMs); load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
  );
  console.log('handler          bundle KB   init ms   (CPU ms)   largest inputs (KB)');
  const missed: string[] = [];
  const inits = initTimes(built.map((b) => b.file));
  for (const { handler: h, file, metafile } of built) {
    const kb = statSync(file).size / 1024;
    const init = inits.get(file)!;
    console.log(
      `${h.padEnd(16)} ${kb.toFixed(0).padStart(9)}   ${init.wall.toFixed(0).padStart(7)}   ${`(${init.cpu.toFixed(0)})`.padStart(8)}   ${largestInputs(metafile, 4)}`,
    );
    if (h === 'webhook' && kb > BUNDLE_TARGETS.webhookBundleKb) missed.push(`webhook bundle ${kb.toFixed(0)} KB > ${BUNDLE_TARGETS.webhookBundleKb} KB`);
    if (init.wall > BUNDLE_TARGETS.perMessageInitMs) missed.push(`${h} init ${init.wall.toFixed(0)} ms > ${BUNDLE_TARGETS.perMessageInitMs} ms`);
  }
  console.log(
    `Targets: handler ≤ 3× floor; webhook bundle ≤ ${BUNDLE_TARGETS.webhookBundleKb} KB; every per-message init ≤ ${BUNDLE_TARGETS.perMessageInitMs} ms.`,
  );
  console.log(missed.length === 0 ? 'Bundle and init targets: all met.' : `Bundle and init targets missed: ${missed.join('; ')}.`);
}

/** Part 1: CPU time per webhook request against the local SQS emulation in another process. */
async function requestCpuTimes(webhookBundle: string): Promise<void> {
  const emulator = await startEmulatorProcess();
  const env = {
    ...HANDLER_ENV,
    INGRESS_QUEUE_URL: emulator.queueUrl,
    META_APP_SECRET_ID: 'bench/meta-app-secret',
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_SERVICE_NAME: 'webhook',
    AWS_LAMBDA_FUNCTION_NAME: 'webhook',
  };
  try {
    console.log(`\nWebhook CPU time per request (${ITERATIONS} requests each, after warm-up)`);
    console.log('body      floor µs   own work µs   ratio   whole handler µs   ratio   status');
    for (const size of [1024, 100 * 1024]) {
      const body = whatsappBody(size);
      const floor = floorMicros(body);
      const own = await ownWorkMicros(body);
      const full = await measureHandler(webhookBundle, env, body);
      const label = `${(Buffer.byteLength(body) / 1024).toFixed(0)} KB`.padEnd(8);
      console.log(
        `${label}  ${floor.toFixed(0).padStart(8)}   ${own.toFixed(0).padStart(11)}   ${(own / floor).toFixed(1).padStart(5)}×` +
          `   ${full.micros.toFixed(0).padStart(16)}   ${(full.micros / floor).toFixed(1).padStart(5)}×   ${full.statusCodes.join(',')}`,
      );
    }
    console.log('  floor: HMAC-SHA256 + JSON.parse of the same body');
    console.log('  own work: verify + split + build the SQS entries, SQS answered in-process (no SDK)');
    console.log('  whole handler: the bundled Lambda handler (Powertools, Secrets cache, SDK v3) sending to the');
    console.log('    local SQS emulation in another process; the SDK client alone costs ~2 ms CPU per call here');
  } finally {
    emulator.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
