/**
 * Which URLs the media consumer may request, and which of them may carry the business's Graph API
 * token. Every URL comes from a webhook or from Meta's answer and is treated as hostile: it is
 * checked before the first request and again at every redirect hop.
 *
 * - Instagram and Messenger attachments live on Meta's CDNs: `*.fbcdn.net` (scontent-…),
 *   `*.cdninstagram.com` and `*.fbsbx.com` (lookaside.fbsbx.com/ig_messaging_cdn/…), over https
 *   on the default port.
 * - WhatsApp media URLs handed out by `GET /{media-id}` are on lookaside.fbsbx.com and need the
 *   token; the token goes there and to the configured Graph API origin, nowhere else.
 * - The configured Graph API origin (scheme, host and port exactly) is trusted as well: it is
 *   graph.facebook.com in AWS and the local cloud's simulator, whose CDN and media URLs share it.
 */

/** Host suffixes of Meta's CDNs; a host must end with one of them after a dot. */
const META_CDN_SUFFIXES = ['.fbcdn.net', '.cdninstagram.com', '.fbsbx.com'] as const;

/** Meta hosts besides the Graph API that need the token: WhatsApp's media download host. */
const TOKEN_HOSTS = new Set(['lookaside.fbsbx.com']);

export type UrlRefusalReason = 'url_unreadable' | 'url_not_https' | 'url_has_credentials' | 'url_ip_literal' | 'url_port_not_allowed' | 'url_host_not_allowed';

export type UrlVerdict = { allowed: true; url: URL; tokenAllowed: boolean } | { allowed: false; reason: UrlRefusalReason };

export interface MediaUrlPolicy {
  check(url: string | URL): UrlVerdict;
}

/** The policy for a function whose Graph API base URL is `graphBaseUrl`. */
export function mediaUrlPolicy(graphBaseUrl: string): MediaUrlPolicy {
  const graphOrigin = originOf(graphBaseUrl);
  return { check: (url) => checkMediaUrl(url, graphOrigin) };
}

function originOf(baseUrl: string): string | undefined {
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function checkMediaUrl(input: string | URL, graphOrigin: string | undefined): UrlVerdict {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return { allowed: false, reason: 'url_unreadable' };
  }
  // `https://lookaside.fbsbx.com@evil.example/` names evil.example; any userinfo is refused.
  if (url.username !== '' || url.password !== '') return { allowed: false, reason: 'url_has_credentials' };
  if (graphOrigin !== undefined && url.origin === graphOrigin) return { allowed: true, url, tokenAllowed: true };
  if (url.protocol !== 'https:') return { allowed: false, reason: 'url_not_https' };
  const host = url.hostname.toLowerCase();
  if (isIpLiteral(host)) return { allowed: false, reason: 'url_ip_literal' };
  if (url.port !== '') return { allowed: false, reason: 'url_port_not_allowed' };
  if (!META_CDN_SUFFIXES.some((suffix) => host.endsWith(suffix) && host.length > suffix.length)) {
    return { allowed: false, reason: 'url_host_not_allowed' };
  }
  return { allowed: true, url, tokenAllowed: TOKEN_HOSTS.has(host) };
}

/** The URL parser has already turned decimal, octal and hex forms of IPv4 into dotted quads. */
function isIpLiteral(host: string): boolean {
  return host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}
