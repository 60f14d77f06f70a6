import { isIP } from 'node:net';

/**
 * Which URLs an integration may name (base URL, lookup URL, OAuth token URL) and which addresses
 * our own Lambdas may call (test calls, lookups). Every URL comes from an admin's request and is
 * treated as hostile: the Lambda must not become a way into the machine it runs on (the Lambda
 * runtime API listens on 127.0.0.1) or into private networks.
 *
 * - HTTPS only; plain HTTP only to a loopback host, and only when the stack runs in the local
 *   cloud (`allowLoopbackHttp`, set by the CDK for the `local` stage), like the business tools'
 *   order API (lambdas/agent/assistant/business-tools-config.ts).
 * - No user name or password in the URL (credentials go in the integration's auth), no fragment;
 *   a configured base URL has no query either (paths are appended to it).
 * - No IP literal of a private, loopback, link-local or reserved range (loopback allowed locally),
 *   and the same check on every address a host name resolves to before connecting
 *   (guarded-fetch.ts), so a public name pointing at 127.0.0.1 is refused as well.
 */
export interface UrlPolicyOptions {
  allowLoopbackHttp: boolean;
  /** A configured URL (base, lookup, token) takes no query; a request URL may carry one. */
  allowQuery?: boolean;
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.']);

export function checkEndpointUrl(raw: string, options: UrlPolicyOptions): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'credentials belong in auth, not in the URL' };
  if (url.hash) return { ok: false, reason: 'no fragment' };
  if (url.search && !options.allowQuery) return { ok: false, reason: 'no query string (paths are appended to it)' };
  const host = hostOf(url);
  const loopback = LOOPBACK_NAMES.has(host) || (isIP(host) !== 0 && isLoopbackAddress(host));
  if (url.protocol === 'http:') {
    return options.allowLoopbackHttp && loopback ? { ok: true, url } : { ok: false, reason: 'must be https' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'must be https' };
  if (loopback) return options.allowLoopbackHttp ? { ok: true, url } : { ok: false, reason: 'must not point at this machine' };
  if (isIP(host) !== 0 && !isPublicAddress(host)) return { ok: false, reason: 'must not point at a private or reserved address' };
  return { ok: true, url };
}

/** The URL's host without IPv6 brackets, lower-case. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  const v6 = address.toLowerCase();
  if (v6 === '::1') return true;
  const mapped = mappedV4(v6);
  return mapped?.startsWith('127.') === true;
}

/** Whether an IP address is on the public internet (not private, loopback, link-local, shared, multicast or reserved). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return isPublicV4(address);
  if (family !== 6) return false;
  const v6 = address.toLowerCase();
  const mapped = mappedV4(v6);
  if (mapped !== undefined) return isPublicV4(mapped);
  if (v6 === '::' || v6 === '::1') return false;
  const first = parseInt(v6.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return false; // ff00::/8 multicast
  if (v6.startsWith('64:ff9b:') || v6.startsWith('2001:db8:') || v6.startsWith('100::')) return false;
  return true;
}

function mappedV4(v6: string): string | undefined {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(v6);
  if (m) return m[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function isPublicV4(address: string): boolean {
  const [a = 0, b = 0, c = 0] = address.split('.').map(Number);
  if (a === 0 || a === 10 || a === 127) return false;
  if (a === 100 && b >= 64 && b <= 127) return false; // shared address space
  if (a === 169 && b === 254) return false; // link-local (instance metadata)
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false;
  if (a === 198 && (b === 18 || b === 19)) return false;
  if (a === 198 && b === 51 && c === 100) return false;
  if (a === 203 && b === 0 && c === 113) return false;
  return a < 224; // multicast and reserved above
}
