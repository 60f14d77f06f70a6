import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, isAwsServiceError } from '#lib/local-cloud/aws/aws-error';
import { CallCounter } from '#lib/local-cloud/aws/call-counter';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { EventBridgeEngine } from '#lib/local-cloud/aws/eventbridge/eventbridge-engine';
import { eventBridgeOperations } from '#lib/local-cloud/aws/eventbridge/eventbridge-json-api';
import { FaultInjector } from '#lib/local-cloud/aws/fault-injector';
import { accessKeyIdOf, newRequestId, readBody, writeJson, writeJsonError } from '#lib/local-cloud/aws/http/http-io';
import type { JsonInput } from '#lib/local-cloud/aws/http/json-input';
import { S3Engine } from '#lib/local-cloud/aws/s3/s3-engine';
import { presignedVerdict } from '#lib/local-cloud/aws/s3/presigned-request';
import { handleS3, locateBucketAndKey, s3OperationName, writeS3Error } from '#lib/local-cloud/aws/s3/s3-rest-api';
import { SecretsEngine } from '#lib/local-cloud/aws/secrets/secrets-engine';
import { secretsOperations } from '#lib/local-cloud/aws/secrets/secrets-json-api';
import { SqsEngine } from '#lib/local-cloud/aws/sqs/sqs-engine';
import { SQS_ERROR_NAMESPACE, sqsOperations, type SqsCallContext } from '#lib/local-cloud/aws/sqs/sqs-json-api';

export interface AwsEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: '127.0.0.1' | string;
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Refuse unsigned requests (no Authorization header), as AWS does; signatures themselves are not checked. */
  requireSignature?: boolean;
  /** Random source for fault injection and retry jitter, for reproducible chaos runs. */
  random?: () => number;
  /** Told about unexpected failures inside the emulator (answered as 500 InternalFailure). */
  onInternalError?: (error: unknown) => void;
}

export interface AwsEmulator {
  /** Base URL for every emulated service, e.g. `http://127.0.0.1:54321`. */
  endpoint: string;
  close(): Promise<void>;
  sqs: SqsEngine;
  events: EventBridgeEngine;
  secrets: SecretsEngine;
  s3: S3Engine;
  calls: CallCounter;
  faults: FaultInjector;
  clock: Clock;
  region: string;
  accountId: string;
  /** Settings for an SDK v3 client aimed at the emulator. */
  clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Environment variables that point unchanged handlers (real SDK clients) at the emulator. */
  environment(): Record<string, string>;
}

type JsonOperation = (input: JsonInput, ctx: SqsCallContext) => unknown;

interface JsonService {
  /** Key in the call counter and fault injector. */
  service: string;
  jsonVersion: '1.0' | '1.1';
  namespace: string | undefined;
  operations: Record<string, JsonOperation>;
}

/**
 * One HTTP server speaking the wire protocols the handlers' SDK clients use: AWS JSON 1.0 for SQS,
 * JSON 1.1 for EventBridge and Secrets Manager (routed by `X-Amz-Target`), REST-XML for S3 (routed
 * by path or virtual host).
 */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const requireSignature = options.requireSignature ?? true;
  const calls = new CallCounter();
  const faults = new FaultInjector(options.random);
  const sqs = new SqsEngine({ clock, region, accountId });
  const secrets = new SecretsEngine({ clock, region, accountId });
  const events = new EventBridgeEngine({ sqs, secrets, clock, region, accountId, faults, calls, ...(options.random ? { random: options.random } : {}) });
  const s3 = new S3Engine({ clock });
  const closing = new AbortController();
  const reportInternal = options.onInternalError ?? ((error: unknown) => console.error('aws emulator internal error', error));

  const jsonServices: Record<string, JsonService> = {
    AmazonSQS: { service: 'sqs', jsonVersion: '1.0', namespace: SQS_ERROR_NAMESPACE, operations: sqsOperations(sqs) },
    AWSEvents: { service: 'events', jsonVersion: '1.1', namespace: undefined, operations: eventBridgeOperations(events) },
    secretsmanager: { service: 'secretsmanager', jsonVersion: '1.1', namespace: undefined, operations: secretsOperations(secrets) },
  };

  const handleJson = async (req: IncomingMessage, res: ServerResponse, target: string, requestId: string): Promise<void> => {
    const dot = target.lastIndexOf('.');
    const svc = jsonServices[target.slice(0, dot)];
    const operationName = target.slice(dot + 1);
    const version = svc?.jsonVersion ?? '1.1';
    try {
      if (!svc) throw new AwsServiceError('UnknownOperationException', `Unknown target ${target}.`);
      if (requireSignature && !req.headers.authorization) {
        throw new AwsServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', { statusCode: 403 });
      }
      const operation = svc.operations[operationName];
      if (!operation) throw new AwsServiceError('UnknownOperationException', `The emulator does not implement ${target}.`);
      calls.record(svc.service, operationName);
      const raw = await readBody(req);
      let input: JsonInput;
      try {
        const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        input = parsed as JsonInput;
      } catch {
        throw new AwsServiceError('SerializationException', 'The request body is not a JSON object.');
      }
      faults.check(`${svc.service}.${operationName}`);
      const perRequest = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) perRequest.abort();
      });
      const signal = AbortSignal.any([closing.signal, perRequest.signal]);
      const output = await operation(input, { senderId: accessKeyIdOf(req), signal });
      writeJson(res, 200, output, version, requestId);
    } catch (err) {
      writeJsonError(res, asServiceError(err, reportInternal), version, requestId, svc?.namespace);
    }
  };

  const handleRest = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const method = req.method ?? 'GET';
    try {
      const url = new URL(req.url ?? '/', 'http://emulator');
      // A presigned link (query-string signature) stands in for the Authorization header until it expires.
      const presigned = presignedVerdict(url.searchParams, clock.now());
      if (presigned.presigned && !presigned.valid) {
        throw new AwsServiceError('AccessDenied', presigned.reason === 'expired' ? 'Request has expired' : 'Query-string authentication is incomplete', {
          statusCode: 403,
        });
      }
      if (requireSignature && !req.headers.authorization && !presigned.presigned) {
        throw new AwsServiceError('AccessDenied', 'Access Denied', { statusCode: 403 });
      }
      const located = locateBucketAndKey(req.headers.host, url.pathname, host);
      const body = await readBody(req);
      const s3Request = { method, bucket: located.bucket, key: located.key, query: url.searchParams, headers: req.headers, body };
      const operationName = s3OperationName(s3Request);
      calls.record('s3', operationName);
      faults.check(`s3.${operationName}`);
      const out = handleS3(s3, s3Request);
      const payload = out.body === undefined ? undefined : typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : out.body;
      res.writeHead(out.status, {
        'x-amz-request-id': requestId,
        'x-amz-id-2': requestId,
        ...(payload !== undefined && method !== 'HEAD' ? { 'content-length': payload.length } : {}),
        ...out.headers,
      });
      res.end(method === 'HEAD' ? undefined : payload);
    } catch (err) {
      writeS3Error(res, asServiceError(err, reportInternal), method, requestId);
    }
  };

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    const target = req.headers['x-amz-target'];
    const handled = typeof target === 'string' ? handleJson(req, res, target, requestId) : handleRest(req, res, requestId);
    handled.catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Long polls last up to 20 s; never let the server cut them short.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  sqs.setBaseUrl(endpoint);

  const credentials = { accessKeyId: 'AKIDLOCALEMULATOR', secretAccessKey: 'local-emulator-secret' };
  return {
    endpoint,
    sqs,
    events,
    secrets,
    s3,
    calls,
    faults,
    clock,
    region,
    accountId,
    clientConfig: () => ({ endpoint, region, credentials: { ...credentials } }),
    environment: () => ({
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ENDPOINT_URL_S3: endpoint,
    }),
    async close() {
      closing.abort();
      events.cancelPendingRetries();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function asServiceError(err: unknown, reportInternal: (error: unknown) => void): AwsServiceError {
  if (isAwsServiceError(err)) return err;
  reportInternal(err);
  return new AwsServiceError('InternalFailure', 'The emulator failed to process the request.', { statusCode: 500 });
}
