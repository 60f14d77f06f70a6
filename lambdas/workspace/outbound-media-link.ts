import { isIP } from 'node:net';

/**
 * Whether a link a person gives for an attachment may be handed to Meta to fetch: https on the
 * default port, a named host (no IP literal, no credentials), at most 2,000 characters. The same
 * hostile-URL checks as the media URL policy (lambdas/media/media-url-policy.ts), without its
 * list of Meta's CDN hosts: the business's own file hosts are expected here.
 */
export type OutboundLinkVerdict = { allowed: true; url: string } | { allowed: false; reason: string };

export function checkOutboundMediaLink(link: string): OutboundLinkVerdict {
  if (link.length > 2000) return { allowed: false, reason: 'the link is longer than 2000 characters' };
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { allowed: false, reason: 'the link is not a URL' };
  }
  if (url.protocol !== 'https:') return { allowed: false, reason: 'the link must be https' };
  if (url.username !== '' || url.password !== '') return { allowed: false, reason: 'the link must not carry credentials' };
  const host = url.hostname.toLowerCase();
  if (host.startsWith('[') || isIP(host) !== 0) return { allowed: false, reason: 'the link must name a host, not an IP address' };
  if (url.port !== '') return { allowed: false, reason: 'the link must use the default https port' };
  if (!host.includes('.') || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) {
    return { allowed: false, reason: 'the link must name a public host' };
  }
  return { allowed: true, url: url.toString() };
}
