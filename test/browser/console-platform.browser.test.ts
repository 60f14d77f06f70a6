import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_LOAD_JS_BUDGET_BYTES } from '#test/bench/console-size';
import { BrowserHarness, PHONE } from '#test/browser/browser-harness';

// The functions given to page.evaluate run in the page, whose globals this Node program lacks.
declare const document: { body: { innerText: string }; getElementById(id: string): { children: { length: number } } | null };

/**
 * The console's platform in a real browser: served by the local cloud, signed in through the local
 * sign-in page with the authorisation code flow and PKCE (as through Cognito in AWS), within its
 * first-load budget, and accessible.
 */
describe('agent console platform (Chromium against the local cloud)', () => {
  const h = new BrowserHarness();
  // Alone (npm run test:browser) this file synthesizes and bundles the stack itself, which takes minutes on a busy machine.
  beforeAll(() => h.start(), 600_000);
  afterAll(() => h.stop());

  it('sends a visitor with no session to the local sign-in page, which says there is no password', async () => {
    const page = await h.newPage();
    await page.goto(h.consoleUrl, { waitUntil: 'networkidle0' });
    // The console's own screen before signing in.
    await h.screenshot(page, 'console-signed-out');
    expect(await h.axeViolations(page)).toEqual([]);
    await h.openSignInPage(page);
    await page.waitForSelector('button[data-person="ana"]');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(h.consoleUrl);
    expect(url.searchParams.get('scope')).toContain('omnichannel/agent');
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toMatch(/no password/i);
    // The demo business's agents, supervisor and admin, and a person of another business.
    for (const person of ['ana', 'sofia', 'admin', 'otto']) expect(await page.$(`button[data-person="${person}"]`)).not.toBeNull();
    await h.screenshot(page, 'sign-in');
    expect(await h.axeViolations(page)).toEqual([]);
    await page.browserContext().close();
  });

  it('signs an agent in and lands in the console as that person, the code gone from the address', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'ana');
    const url = new URL(page.url());
    expect(url.pathname.startsWith('/console/')).toBe(true);
    expect(url.searchParams.has('code')).toBe(false);
    expect(url.searchParams.has('state')).toBe(false);
    const claims = await h.sessionClaims(page);
    expect(claims).toMatchObject({ business_id: 'local', username: 'ana', roles: 'agent', token_use: 'access' });
    expect(String(claims.scope).split(' ')).toEqual(expect.arrayContaining(['omnichannel/agent', 'omnichannel/admin']));
    // The console renders something of its own once signed in.
    await page.waitForFunction(() => (document.getElementById('app')?.children.length ?? 0) > 0);
    await new Promise((r) => setTimeout(r, 500));
    await h.screenshot(page, 'landing-agent');
    expect(await h.axeViolations(page)).toEqual([]);
    await page.browserContext().close();
  });

  it('signs in a person of another business with that business in the token', async () => {
    const page = await h.newPage(PHONE);
    await h.signIn(page, 'otto');
    expect(await h.sessionClaims(page)).toMatchObject({ business_id: 'other-business', username: 'otto' });
    await page.waitForFunction(() => (document.getElementById('app')?.children.length ?? 0) > 0);
    await h.screenshot(page, 'landing-other-business-phone');
    await page.browserContext().close();
  });

  it('loads within the first-load budget of compressed JavaScript', async () => {
    const page = await h.newPage();
    const scripts: Buffer[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script' && response.ok()) scripts.push(Buffer.alloc(0));
      if (response.request().resourceType() === 'script' && response.ok()) {
        const i = scripts.length - 1;
        void response
          .buffer()
          .then((b) => (scripts[i] = b))
          .catch(() => {});
      }
    });
    await page.goto(h.consoleUrl, { waitUntil: 'networkidle0' });
    const gzip = scripts.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzip).toBeGreaterThan(1_000);
    expect(gzip).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET_BYTES);
    await page.browserContext().close();
  });

  it('serves the console with its security headers and a config.json for this local cloud', async () => {
    const res = await fetch(`${h.consoleUrl}config.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const config = (await res.json()) as { apiUrl: string; webSocketUrl: string; auth: { redirectUri: string; clientId: string }; localSignIn: boolean };
    expect(config.apiUrl).toBe(h.cloud.cloud.apiUrl);
    expect(config.webSocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    expect(config.auth.redirectUri).toBe(h.consoleUrl);
    expect(config.auth.clientId).toBe(h.cloud.cloud.identity!.consoleClientId);
    expect(config.localSignIn).toBe(true);
    // Files outside the build are not reachable through the console path.
    expect((await fetch(`${h.consoleUrl}..%2f..%2fpackage.json`)).status).not.toBe(200);
    const deep = await fetch(`${h.consoleUrl}agent/some-conversation`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="app">');
  });

  it('throws nothing uncaught in any page', () => {
    expect(h.pageErrors.filter((e) => !/Failed to load resource|status of 4\d\d/.test(e))).toEqual([]);
  });
});
