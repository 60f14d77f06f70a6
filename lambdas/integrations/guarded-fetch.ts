import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { checkEndpointUrl, hostOf, isLoopbackAddress, isPublicAddress } from '#lambdas/integrations/endpoint-url-policy';
import { EndpointRefusedError } from '#lambdas/integrations/errors';

/** What lookups and test calls use to reach an integration's endpoint (a subset of `fetch`). */
export type IntegrationFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer; signal?: AbortSignal },
) => Promise<Response>;

export interface GuardedFetchOptions {
  /** Only in the local cloud: plain HTTP to, and connections to, loopback addresses. */
  allowLoopback: boolean;
  /** A longer answer is cut off and refused (lookups answer a few hundred bytes). */
  maxResponseBytes?: number;
  /** DNS resolution (tests give their own); every address it answers is checked. */
  resolve?: (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;
}

/**
 * `fetch` for addresses an admin chose: the URL is checked by the endpoint policy, and every
 * address its host name resolves to is checked again at connection time (the resolved address is
 * the one connected to, so DNS cannot answer differently between the check and the connection).
 * No redirects are followed: a 3xx is an answer like any other.
 */
export function guardedFetch(options: GuardedFetchOptions): IntegrationFetch {
  const maxBytes = options.maxResponseBytes ?? 256 * 1024;
  const allowed = (address: string) => isPublicAddress(address) || (options.allowLoopback && isLoopbackAddress(address));

  const resolve = options.resolve ?? ((hostname, callback) => dnsLookup(hostname, { all: true }, callback));

  function guardedLookup(hostname: string, lookupOptions: LookupOptions, callback: (...args: unknown[]) => void): void {
    resolve(hostname, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      const refused = addresses.find((a) => !allowed(a.address));
      if (refused || addresses.length === 0) return callback(new EndpointRefusedError('the host resolves to an address that may not be called'));
      if (lookupOptions.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }

  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const verdict = checkEndpointUrl(input, { allowLoopbackHttp: options.allowLoopback, allowQuery: true });
      if (!verdict.ok) return reject(new EndpointRefusedError(verdict.reason));
      const url = verdict.url;
      const host = hostOf(url);
      if (isIP(host) !== 0 && !allowed(host)) return reject(new EndpointRefusedError('the address may not be called'));
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body, 'utf8');
      const req = send(
        url,
        {
          method: init.method ?? 'GET',
          headers: { ...(init.headers ?? {}), ...(body ? { 'content-length': String(body.length) } : {}) },
          lookup: guardedLookup as never,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              res.destroy(new EndpointRefusedError('the answer is too long'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 502;
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
            const noBody = status === 204 || status === 304 || status < 200;
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status: status < 200 ? 502 : status, headers }));
          });
        },
      );
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
}
