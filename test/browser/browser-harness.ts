import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { beforeEach, expect } from 'vitest';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import type { LocalCloudOptions } from '#lib/local-cloud/start-local-cloud';

// The functions given to page.evaluate run in the page, whose globals this Node program lacks.
declare const sessionStorage: { getItem(key: string): string | null };
declare const location: { search: string };
declare const window: unknown;
declare const document: {
  body: { innerText: string };
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): Iterable<{ textContent: string | null; setAttribute(name: string, value: string): void }>;
};
type Document = unknown;

/** Debian's `chromium` package (installed by .ci/run); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of each main screen, kept as CI artefacts (gitignored). */
export const SCREENSHOT_DIR = join(process.cwd(), '.local', 'screenshots');
export const DESKTOP = { width: 1280, height: 720 } as const;
export const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
let AXE_SOURCE: string | undefined;

/**
 * One local cloud and one headless Chromium for a browser test file: the console served by the
 * local cloud at `/console/`, signed in through the local sign-in page as Cognito's hosted
 * sign-in is in AWS.
 */
export class BrowserHarness {
  readonly cloud = new LocalCloudHarness();
  browser!: Browser;
  /** Errors the pages threw or logged, to assert none. */
  readonly pageErrors: string[] = [];
  /** The page opened last: photographed and read out when a test fails (`reportFailures`). */
  private lastPage: Page | undefined;

  /**
   * Call once at the top of a test file: when a test fails, prints the local cloud's diagnostics and
   * the pages' errors, photographs the page opened last and prints its text.
   */
  reportFailures(): void {
    beforeEach(({ onTestFailed, task }) => {
      onTestFailed(async () => {
        console.error(`local cloud at the failure:\n${this.cloud.diagnostics()}\npage errors:\n${this.pageErrors.join('\n')}`);
        const page = this.lastPage;
        if (page && !page.isClosed()) {
          await this.screenshot(page, `failed-${task.name.slice(0, 40)}`).catch(() => undefined);
          console.error(`the page said:\n${(await page.evaluate(() => document.body.innerText).catch(() => '')).slice(0, 3000)}`);
        }
      });
    });
  }

  /** Calls the operator API as `who` (a token from the local identity provider) to seed or check what a screen shows. */
  async api(
    who: { subject: string; roles: readonly OperatorRole[]; businessId?: string },
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const token = await this.cloud.operatorToken({ businessId: who.businessId ?? 'local', subject: who.subject, roles: [...who.roles] });
    const res = await fetch(`${this.cloud.cloud.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  async start(options: Partial<LocalCloudOptions> = {}): Promise<void> {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const [, browser] = await Promise.all([
      this.cloud.start(options),
      puppeteer.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--mute-audio'],
      }),
    ]);
    this.browser = browser;
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => {});
    await this.cloud.stop();
  }

  get consoleUrl(): string {
    return this.cloud.cloud.consoleUrl;
  }

  /** A new page (its own storage: a fresh browser context) at the given viewport. */
  async newPage(viewport: { width: number; height: number; isMobile?: boolean; hasTouch?: boolean; deviceScaleFactor?: number } = DESKTOP): Promise<Page> {
    const context = await this.browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    page.on('pageerror', (err) => this.pageErrors.push(String((err as Error).message ?? err)));
    page.on('console', (message) => {
      if (message.type() === 'error') this.pageErrors.push(message.text());
    });
    page.setDefaultTimeout(30_000);
    this.lastPage = page;
    return page;
  }

  /**
   * Opens the console, follows it to the local sign-in page and chooses `subject`; resolves once
   * the console is back with a session (the tokens in the tab's storage).
   */
  async signIn(page: Page, subject: string): Promise<void> {
    await this.openSignInPage(page);
    await page.waitForSelector(`button[data-person="${subject}"]`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(`button[data-person="${subject}"]`)]);
    await page.waitForFunction(() => sessionStorage.getItem('console.tokens') !== null && !location.search.includes('code='), { timeout: 30_000 });
  }

  /**
   * Opens the console signed out and goes on to the sign-in page: straight away if the console
   * sends people there, else through its sign-in button (in any of its languages).
   */
  async openSignInPage(page: Page): Promise<void> {
    await page.goto(this.consoleUrl, { waitUntil: 'domcontentloaded' });
    const where = await page.waitForFunction(() => {
      if (document.querySelector('button[data-person]')) return 'page';
      const button = [...document.querySelectorAll('button')].find((b) => /Sign in|Iniciar sesión|Entrar/.test(b.textContent ?? ''));
      if (!button) return false;
      button.setAttribute('data-sign-in', '');
      return 'console';
    });
    if ((await where.jsonValue()) === 'console') {
      await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('button[data-sign-in]')]);
      await page.waitForSelector('button[data-person]');
    }
  }

  /** The signed-in person's access token claims, as the console decoded them. */
  async sessionClaims(page: Page): Promise<Record<string, unknown>> {
    return page.evaluate(() => {
      const tokens = JSON.parse(sessionStorage.getItem('console.tokens') ?? '{}') as { accessToken?: string };
      const payload = tokens.accessToken?.split('.')[1] ?? '';
      return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    });
  }

  /** Serious and critical accessibility violations axe-core finds on the page as it is. */
  async axeViolations(page: Page): Promise<Array<{ id: string; impact: string; help: string; nodes: string[] }>> {
    // Evaluated through the DevTools protocol: a script tag would be (rightly) refused by the page's CSP.
    AXE_SOURCE ??= readFileSync(AXE_PATH, 'utf8');
    await page.evaluate(AXE_SOURCE);
    return page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run: (
              ctx: Document,
              opts: unknown,
            ) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }>;
          };
        }
      ).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
    });
  }

  async screenshot(page: Page, name: string): Promise<string> {
    const path = join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9-]/gi, '-')}.png`);
    await page.screenshot({ path: path as `${string}.png`, fullPage: false });
    return path;
  }

  /** Signs in as `subject` and opens the console at `hash` (`#/admin/...`). */
  async signInTo(page: Page, subject: string, hash: string): Promise<void> {
    await this.signIn(page, subject);
    await page.waitForSelector('header.topbar');
    await page.goto(`${this.consoleUrl}${hash}`, { waitUntil: 'domcontentloaded' });
  }

  /** Waits until the element's text matches; on timeout the error quotes what the page said instead. */
  async waitForText(page: Page, selector: string, pattern: RegExp, timeout = 20_000): Promise<void> {
    try {
      await page.waitForFunction(
        (sel: string, source: string, flags: string) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ''),
        { timeout, polling: 250 },
        selector,
        pattern.source,
        pattern.flags,
      );
    } catch (err) {
      throw new Error(
        `${String(err)}: ${selector} never said ${pattern}; the page said:\n${(await page.evaluate(() => document.body.innerText)).slice(0, 3000)}`,
      );
    }
  }

  /** A screenshot of the screen for people to look at, and no axe violations on it. */
  async expectAccessible(page: Page, screen: string): Promise<void> {
    await this.screenshot(page, screen);
    expect(await this.axeViolations(page), `accessibility of ${screen}`).toEqual([]);
  }
}
