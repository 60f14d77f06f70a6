import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalEndpoint, LocalResponse } from '#lib/local-cloud/http-api';
import { LOCAL_WEBSOCKET_PATH } from '#lib/local-cloud/websocket-api';

/** The console's sources and its build, from the repository's root. */
export const CONSOLE_DIR = resolve(fileURLToPath(new URL('../../console', import.meta.url)));
export const CONSOLE_DIST_DIR = join(CONSOLE_DIR, 'dist');
export const CONSOLE_PATH = '/console/';

/** The console's `config.json`: where its API, live updates and sign-in are (see console/src/platform/config.ts). */
export interface ConsoleConfigDocument {
  apiUrl: string;
  webSocketUrl: string;
  auth: { authorizeUrl: string; tokenUrl: string; logoutUrl: string; clientId: string; redirectUri: string; scopes: string[] };
  localSignIn: boolean;
}

/** What the console asks Cognito for: who the person is, and the operator APIs' scopes (roles decide the rest). */
export const CONSOLE_SCOPES = [
  'openid',
  'email',
  'profile',
  'omnichannel/agent',
  'omnichannel/templates',
  'omnichannel/onboarding',
  'omnichannel/admin',
] as const;

const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts'];

/** The newest modification time among the console's sources (ms since the epoch). */
export function newestSourceTime(consoleDir: string = CONSOLE_DIR): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const s of SOURCES) visit(join(consoleDir, s));
  return newest;
}

/** True when `dist/index.html` exists and is newer than every source file. */
export function consoleBuildIsCurrent(consoleDir: string = CONSOLE_DIR): boolean {
  const index = join(consoleDir, 'dist', 'index.html');
  if (!existsSync(index)) return false;
  return statSync(index).mtimeMs >= newestSourceTime(consoleDir);
}

/**
 * Builds the console with Vite when its build is missing or older than its sources; answers
 * whether it built. Throws with Vite's output when the build fails.
 */
export function ensureConsoleBuilt(options: { consoleDir?: string; log?: (line: string) => void } = {}): boolean {
  const consoleDir = options.consoleDir ?? CONSOLE_DIR;
  if (consoleBuildIsCurrent(consoleDir)) return false;
  options.log?.('Building the agent console (vite build)…');
  const vite = join(consoleDir, '..', 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(consoleDir, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: join(consoleDir, '..'),
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`The console build failed (exit ${result.status ?? result.signal}):\n${(result.stderr || result.stdout || '').slice(-4000)}`);
  }
  return true;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

/**
 * The security headers CloudFront's response headers policy sends in AWS (lib/constructs/agent-console.ts),
 * with the local origins: the page may talk only to itself, the API, the WebSocket endpoint and
 * the sign-in; media come from the API's signed URLs (the S3 emulator locally).
 */
export function consoleSecurityHeaders(origins: { api: string; webSocket: string; signIn: string; media?: string[] }): Record<string, string> {
  const media = ['blob:', 'data:', ...(origins.media ?? [])].join(' ');
  const connect = [...new Set(["'self'", origins.api, origins.webSocket, origins.signIn])].join(' ');
  return {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src ${connect}`,
      `img-src 'self' ${media}`,
      `media-src 'self' ${media}`,
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      `form-action 'self' ${origins.signIn}`,
      "frame-ancestors 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}

/**
 * The console on the local API port: its built files under `/console/`, `config.json` made for
 * this local cloud, and every other path under it answered with `index.html` (the app routes in
 * the browser), as CloudFront's fallback does in AWS.
 */
export function consoleEndpoints(options: { distDir?: string; config: () => ConsoleConfigDocument; mediaOrigins?: () => string[] }): LocalEndpoint[] {
  const distDir = resolve(options.distDir ?? CONSOLE_DIST_DIR);
  const headers = (): Record<string, string> => {
    const config = options.config();
    return consoleSecurityHeaders({
      api: new URL(config.apiUrl).origin,
      webSocket: new URL(config.webSocketUrl).origin,
      signIn: new URL(config.auth.authorizeUrl).origin,
      media: options.mediaOrigins?.() ?? [],
    });
  };
  const file = (path: string, cache: string): LocalResponse => ({
    status: 200,
    body: readFileSync(path),
    headers: { 'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'cache-control': cache, ...headers() },
  });
  return [
    { method: 'GET', path: '/console', handle: async () => ({ status: 301, body: '', headers: { location: CONSOLE_PATH } }) },
    {
      method: 'GET',
      path: CONSOLE_PATH,
      prefix: true,
      handle: async ({ path }) => {
        const rest = path.slice(CONSOLE_PATH.length);
        if (rest === 'config.json') {
          return {
            status: 200,
            body: JSON.stringify(options.config()),
            headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers() },
          };
        }
        const index = join(distDir, 'index.html');
        if (!existsSync(index)) {
          return {
            status: 503,
            body: '<!doctype html><html lang="en"><title>Agent console not built</title><main><h1>The agent console is not built</h1><p>Run <code>npm run console:build</code>, or restart <code>npm start</code>, which builds it.</p></main></html>',
            headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
          };
        }
        let decoded: string;
        try {
          decoded = decodeURIComponent(rest);
        } catch {
          return { status: 400, body: { message: 'Malformed path' } };
        }
        const target = normalize(join(distDir, decoded));
        const inside = target === distDir || target.startsWith(distDir + sep);
        if (inside && decoded !== '' && !relative(distDir, target).startsWith('..') && existsSync(target) && statSync(target).isFile()) {
          // Vite names built assets by their content hash: they never change under the same name.
          return file(target, decoded.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        }
        if (decoded.startsWith('assets/') || (extname(decoded) !== '' && extname(decoded) !== '.html')) return { status: 404, body: { message: 'Not Found' } };
        return file(index, 'no-cache');
      },
    },
  ];
}

/** The console's `config.json` in the local cloud: the local API, WebSocket endpoint and sign-in page. */
export function localConsoleConfig(
  apiUrl: string,
  identity: { consoleClientId: string; hostedSignIn: { authorizeUrl: string; tokenUrl: string; logoutUrl: string } } | undefined,
): ConsoleConfigDocument {
  const api = new URL(apiUrl);
  return {
    apiUrl: api.origin,
    webSocketUrl: `ws://${api.host}${LOCAL_WEBSOCKET_PATH}`,
    auth: {
      authorizeUrl: identity?.hostedSignIn.authorizeUrl ?? `${api.origin}/oauth2/authorize`,
      tokenUrl: identity?.hostedSignIn.tokenUrl ?? `${api.origin}/oauth2/token`,
      logoutUrl: identity?.hostedSignIn.logoutUrl ?? `${api.origin}/logout`,
      clientId: identity?.consoleClientId ?? 'local-console',
      redirectUri: `${api.origin}${CONSOLE_PATH}`,
      scopes: [...CONSOLE_SCOPES],
    },
    localSignIn: true,
  };
}
