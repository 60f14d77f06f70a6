// Worker of the ingress benchmark: imports the bundled webhook handler with its own environment
// and measures the CPU time of many invocations. Plain JS so it loads without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { file, body, signature, iterations } = workerData;
const { handler } = await import(pathToFileURL(file).href);
const event = {
  version: '2.0',
  routeKey: 'POST /webhook',
  rawPath: '/webhook',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
  requestContext: { http: { method: 'POST', path: '/webhook' }, requestId: 'bench' },
  body,
  isBase64Encoded: false,
};
const context = { functionName: 'webhook', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
const statusCodes = new Set();
for (let i = 0; i < 30; i++) statusCodes.add((await handler(event, context)).statusCode);
const start = process.cpuUsage();
for (let i = 0; i < iterations; i++) statusCodes.add((await handler(event, context)).statusCode);
const used = process.cpuUsage(start);
parentPort.postMessage({ micros: (used.user + used.system) / iterations, statusCodes: [...statusCodes] });
