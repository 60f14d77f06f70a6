import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

/** Large enough for any request the emulated APIs accept (S3 claim checks are the biggest). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new AwsServiceError('RequestEntityTooLarge', 'Request body too large.', { statusCode: 413 });
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function newRequestId(): string {
  return randomUUID();
}

/** A JSON-protocol answer (AWS JSON 1.0 for SQS, 1.1 for EventBridge and Secrets Manager). */
export function writeJson(res: ServerResponse, status: number, body: unknown, jsonVersion: '1.0' | '1.1', requestId: string): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    'content-type': `application/x-amz-json-${jsonVersion}`,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

/**
 * A JSON-protocol error. `namespace` prefixes `__type` the way the service does (SQS sends
 * `com.amazonaws.sqs#QueueDoesNotExist`); SQS also sends its legacy code in `x-amzn-query-error`.
 */
export function writeJsonError(res: ServerResponse, err: AwsServiceError, jsonVersion: '1.0' | '1.1', requestId: string, namespace?: string): void {
  const body = JSON.stringify({ __type: namespace ? `${namespace}#${err.code}` : err.code, message: err.message });
  const headers: Record<string, string | number> = {
    'content-type': `application/x-amz-json-${jsonVersion}`,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  };
  if (err.queryErrorCode) headers['x-amzn-query-error'] = `${err.queryErrorCode};${err.senderFault ? 'Sender' : 'Receiver'}`;
  res.writeHead(err.statusCode, headers);
  res.end(body);
}

/** The access key id from a SigV4 Authorization header, used as the sender's identity. */
export function accessKeyIdOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  const match = typeof auth === 'string' ? /Credential=([^/]+)\//.exec(auth) : null;
  return match?.[1];
}
