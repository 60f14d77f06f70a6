import { describe, expect, it } from 'vitest';
import { checkOutboundMediaLink } from '#lambdas/workspace/outbound-media-link';

describe('checkOutboundMediaLink', () => {
  it('allows https links to named hosts', () => {
    expect(checkOutboundMediaLink('https://cdn.example.com/catalogo.pdf')).toEqual({ allowed: true, url: 'https://cdn.example.com/catalogo.pdf' });
  });
  it.each([
    ['http://cdn.example.com/a.png', 'https'],
    ['https://user:pw@cdn.example.com/a.png', 'credentials'],
    ['https://127.0.0.1/a.png', 'IP'],
    ['https://[::1]/a.png', 'IP'],
    ['https://2130706433/a.png', 'IP'],
    ['https://cdn.example.com:8443/a.png', 'port'],
    ['https://metadata/a.png', 'public host'],
    ['https://svc.internal/a.png', 'public host'],
    ['not a url', 'not a URL'],
    [`https://cdn.example.com/${'a'.repeat(2000)}`, 'longer'],
  ])('refuses %s', (link, reason) => {
    const verdict = checkOutboundMediaLink(link);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed === false && verdict.reason).toContain(reason);
  });
});
