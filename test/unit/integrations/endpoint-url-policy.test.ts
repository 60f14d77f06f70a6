import { describe, expect, it } from 'vitest';
import { checkEndpointUrl, isPublicAddress } from '#lambdas/integrations/endpoint-url-policy';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';

describe('which endpoints an integration may name', () => {
  const aws = { allowLoopbackHttp: false };
  const local = { allowLoopbackHttp: true };

  it('takes public HTTPS URLs, plain HTTP only to loopback and only in the local cloud', () => {
    expect(checkEndpointUrl('https://hooks.acme.example/x', aws)).toMatchObject({ ok: true });
    expect(checkEndpointUrl('https://hooks.acme.example:8443/x', aws)).toMatchObject({ ok: true });
    expect(checkEndpointUrl('http://hooks.acme.example/x', local)).toEqual({ ok: false, reason: 'must be https' });
    expect(checkEndpointUrl('http://127.0.0.1:4100/x', local)).toMatchObject({ ok: true });
    expect(checkEndpointUrl('http://localhost:4100/x', local)).toMatchObject({ ok: true });
    expect(checkEndpointUrl('http://127.0.0.1:4100/x', aws)).toEqual({ ok: false, reason: 'must be https' });
    expect(checkEndpointUrl('https://localhost/x', aws)).toEqual({ ok: false, reason: 'must not point at this machine' });
    expect(checkEndpointUrl('https://[::1]/x', aws)).toEqual({ ok: false, reason: 'must not point at this machine' });
  });

  it('refuses private, link-local, shared and reserved addresses, in any spelling the URL parser accepts', () => {
    for (const host of [
      '10.0.0.8',
      '172.16.4.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '[fd00::1]',
      '[fe80::1]',
      '[::ffff:10.0.0.1]',
      '0x7f000001',
      '2130706433',
      '017700000001',
    ]) {
      expect(checkEndpointUrl(`https://${host}/x`, aws).ok, host).toBe(false);
    }
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
    expect(isPublicAddress('::ffff:127.0.0.1')).toBe(false);
    expect(isPublicAddress('not an ip')).toBe(false);
  });

  it('refuses credentials, fragments, other schemes, and a query on a base URL', () => {
    expect(checkEndpointUrl('https://u:p@hooks.acme.example/x', aws).ok).toBe(false);
    expect(checkEndpointUrl('https://hooks.acme.example/x#frag', aws).ok).toBe(false);
    expect(checkEndpointUrl('ftp://hooks.acme.example/x', aws).ok).toBe(false);
    expect(checkEndpointUrl('javascript:alert(1)', aws).ok).toBe(false);
    expect(checkEndpointUrl('not a url', aws).ok).toBe(false);
    expect(checkEndpointUrl('https://api.hubapi.com?x=1', aws)).toEqual({ ok: false, reason: 'no query string (paths are appended to it)' });
    expect(checkEndpointUrl('https://api.hubapi.com/search?q=1', { ...aws, allowQuery: true }).ok).toBe(true);
  });

  it('is enforced by the fetch our Lambdas use, before any connection', async () => {
    const fetch = guardedFetch({ allowLoopback: false });
    await expect(fetch('http://127.0.0.1:9001/2018-06-01/runtime/invocation/next')).rejects.toMatchObject({ name: 'EndpointRefusedError' });
    await expect(fetch('https://127.0.0.1:9001/x')).rejects.toMatchObject({ name: 'EndpointRefusedError' });
    await expect(fetch('https://169.254.169.254/latest/meta-data')).rejects.toMatchObject({ name: 'EndpointRefusedError' });
    // A host name is checked again on every address it resolves to.
    await expect(fetch('https://localhost:9001/x')).rejects.toMatchObject({ name: 'EndpointRefusedError' });
  });
});

describe('a public-looking name that resolves inside', () => {
  it('is refused when it resolves to loopback or a private address, never connected to', async () => {
    const resolved: string[] = [];
    const fetch = guardedFetch({
      allowLoopback: false,
      resolve: (hostname, callback) => {
        resolved.push(hostname);
        callback(
          null,
          hostname === 'internal.acme.example'
            ? [{ address: '10.1.2.3', family: 4 }]
            : [
                { address: '93.184.215.14', family: 4 },
                { address: '127.0.0.1', family: 4 },
              ],
        );
      },
    });
    await expect(fetch('https://internal.acme.example/x')).rejects.toMatchObject({ name: 'EndpointRefusedError' });
    // One bad address among good ones is enough to refuse (DNS could answer either).
    await expect(fetch('https://rebind.attacker.example/x')).rejects.toMatchObject({ name: 'EndpointRefusedError' });
    expect(resolved).toEqual(['internal.acme.example', 'rebind.attacker.example']);
  });
});
