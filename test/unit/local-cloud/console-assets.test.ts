import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApi, startHttpApi } from '#lib/local-cloud/http-api';
import { consoleBuildIsCurrent, consoleEndpoints, localConsoleConfig } from '#lib/local-cloud/console-assets';

describe('the console on the local API port', () => {
  let api: HttpApi;
  let dist: string;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'console-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'export {}');
    writeFileSync(join(root, 'secret.txt'), 'not served');
    let url = '';
    api = await startHttpApi({
      port: 0,
      routes: [],
      localEndpoints: consoleEndpoints({
        distDir: dist,
        config: () =>
          localConsoleConfig(url, {
            consoleClientId: 'client1',
            hostedSignIn: { authorizeUrl: `${url}/oauth2/authorize`, tokenUrl: `${url}/oauth2/token`, logoutUrl: `${url}/logout` },
          }),
      }),
    });
    url = api.url;
  });
  afterAll(() => api.close());

  it('serves built assets as immutable and with the security headers', async () => {
    const res = await fetch(`${api.url}/console/assets/index-abc.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${api.url} ws://127.0.0.1:${api.port}`);
  });

  it("answers the app's own paths with index.html, and a missing asset with 404", async () => {
    for (const path of ['/console/', '/console/agent/whatsapp:123', '/console/admin']) {
      const res = await fetch(`${api.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<div id="app">');
    }
    expect((await fetch(`${api.url}/console/assets/missing.js`)).status).toBe(404);
    const bare = await fetch(`${api.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  it('never serves a file outside the build', async () => {
    for (const path of ['/console/..%2fsecret.txt', '/console/%2e%2e/secret.txt', '/console/assets/..%2f..%2fsecret.txt']) {
      const res = await fetch(`${api.url}${path}`);
      expect(await res.text(), path).not.toContain('not served');
    }
  });

  it('makes config.json for this local cloud', async () => {
    const res = await fetch(`${api.url}/console/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      apiUrl: api.url,
      webSocketUrl: `ws://127.0.0.1:${api.port}/ws`,
      auth: {
        authorizeUrl: `${api.url}/oauth2/authorize`,
        tokenUrl: `${api.url}/oauth2/token`,
        logoutUrl: `${api.url}/logout`,
        clientId: 'client1',
        redirectUri: `${api.url}/console/`,
        scopes: expect.arrayContaining(['openid', 'omnichannel/agent']),
      },
      localSignIn: true,
    });
  });
});

describe('console build freshness', () => {
  it('is stale without a build and when a source is newer than it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-src-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'main.tsx'), '');
    expect(consoleBuildIsCurrent(dir)).toBe(false);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.html'), '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'src', 'main.tsx'), past, past);
    expect(consoleBuildIsCurrent(dir)).toBe(true);
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src', 'main.tsx'), future, future);
    expect(consoleBuildIsCurrent(dir)).toBe(false);
  });
});
