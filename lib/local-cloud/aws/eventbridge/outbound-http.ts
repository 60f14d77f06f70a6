import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '#lib/local-cloud/aws/clock';

export interface OutboundRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** Measured on the emulator's clock, so a ManualClock test crosses it by advancing. */
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most `MAX_RESPONSE_BYTES`; the rest is discarded, as EventBridge's `Range` header asks. */
  body: Buffer;
}

export class OutboundTimeoutError extends Error {
  override name = 'OutboundTimeoutError';
}

export class OutboundConnectionError extends Error {
  override name = 'OutboundConnectionError';
}

/** The request could not be sent as built (a header name or value HTTP does not allow). */
export class OutboundRequestError extends Error {
  override name = 'OutboundRequestError';
}

/** 1 MiB: EventBridge sends `Range: bytes=0-1048575` and reads no more of an answer. */
export const MAX_RESPONSE_BYTES = 1_048_576;

/**
 * One HTTP(S) request on a fresh connection (EventBridge sends `Connection: close`), never
 * following redirects. Only http and https URLs are accepted.
 */
export function sendOutbound(req: OutboundRequest, clock: Clock): Promise<OutboundResponse> {
  return new Promise<OutboundResponse>((resolve, reject) => {
    const secure = req.url.protocol === 'https:';
    if (!secure && req.url.protocol !== 'http:') {
      reject(new OutboundConnectionError(`unsupported URL scheme ${req.url.protocol}`));
      return;
    }
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      cancelTimer();
      fn();
    };
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = req.body.length;
    let outgoing: ReturnType<typeof httpRequest>;
    try {
      outgoing = (secure ? httpsRequest : httpRequest)(req.url, { method: req.method, headers, agent: false }, onResponse);
    } catch (err) {
      reject(new OutboundRequestError(err instanceof Error ? err.message : String(err)));
      return;
    }
    function onResponse(res: import('node:http').IncomingMessage): void {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= MAX_RESPONSE_BYTES) return;
        const part = chunk.subarray(0, MAX_RESPONSE_BYTES - size);
        size += part.length;
        chunks.push(part);
      });
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })));
      res.on('error', (err) => finish(() => reject(new OutboundConnectionError(err.message))));
    }
    const cancelTimer = clock.setTimer(req.timeoutMs, () => {
      finish(() => reject(new OutboundTimeoutError(`no answer within ${req.timeoutMs} ms`)));
      outgoing.destroy();
    });
    outgoing.on('error', (err) => finish(() => reject(new OutboundConnectionError(err.message))));
    outgoing.end(req.body);
  });
}

/** Retry-After as milliseconds: delay-seconds (possibly negative) or an HTTP date; undefined if absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
