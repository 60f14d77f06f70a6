import { isIP } from 'node:net';
import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';

/**
 * Each business's own tool settings: its secret `<stack name>/business-tools/<businessId>` holds
 *
 *   { "orderApi": { "url": "https://orders.example.com/api", "apiKey": "..." } }
 *
 * A business without the secret, or without `orderApi` in it, gets no order look-up: the tool is
 * not offered to the model at all. Later tools that read business data get their own optional key.
 */
export const BUSINESS_TOOLS_SECRET_PATH = 'business-tools';

/** `<stack name>/business-tools`: what the agent's environment carries (`BUSINESS_TOOLS_SECRET_PREFIX`). */
export const businessToolsSecretPrefix = (stackName: string): string => `${stackName}/${BUSINESS_TOOLS_SECRET_PATH}`;

/**
 * Business ids become part of a secret name, so only the characters Secrets Manager allows in a
 * name, and no `/` (one business could otherwise name a secret "under" another's).
 */
const BUSINESS_ID = /^[A-Za-z0-9_.@+=-]{1,128}$/;

/** The secret of one business, or `undefined` for an id that cannot name one. */
export function businessToolsSecretName(secretNamePrefix: string, businessId: string): string | undefined {
  return BUSINESS_ID.test(businessId) ? `${secretNamePrefix}/${businessId}` : undefined;
}

const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);

function isLoopback(hostname: string): boolean {
  if (LOOPBACK_NAMES.has(hostname)) return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

/**
 * HTTPS, except plain HTTP to this machine (the local cloud's sample API). No credentials, query
 * or fragment in the URL: the key travels in a header, and `/orders/<id>` is appended to the path.
 */
export function isAllowedBusinessApiUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopback(url.hostname);
}

export const orderApiConfigSchema = z.object({
  /** Base URL; the agent calls `GET <url>/orders/<order id>`. */
  url: z
    .string()
    .check(
      z.maxLength(2000),
      z.refine(isAllowedBusinessApiUrl, { message: 'must be an https URL (http only to a loopback host), without credentials, query or fragment' }),
    ),
  /** Sent as `authorization: Bearer <apiKey>`; the business's API must check it. */
  apiKey: z.string().check(z.minLength(1), z.maxLength(4096)),
});

export const businessToolsConfigSchema = z.object({
  orderApi: z.optional(orderApiConfigSchema),
});

export type OrderApiConfig = z.infer<typeof orderApiConfigSchema>;
export type BusinessToolsConfig = z.infer<typeof businessToolsConfigSchema>;
