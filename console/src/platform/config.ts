/**
 * The console's deployment settings, read once from `config.json` beside `index.html`. The same
 * build runs in AWS (the file is written by the stack's deployment: API Gateway URLs, the Cognito
 * hosted sign-in) and locally (served by the local cloud: its API, WebSocket and sign-in page), so
 * nothing about where it runs is baked into the bundle.
 */
export interface ConsoleAuthConfig {
  /** OAuth 2.0 authorisation endpoint (Cognito: `https://<domain>/oauth2/authorize`). */
  authorizeUrl: string;
  /** Token endpoint (`https://<domain>/oauth2/token`). */
  tokenUrl: string;
  /** Sign-out endpoint (`https://<domain>/logout`). */
  logoutUrl: string;
  /** The console's app client id (no secret: a browser app, PKCE instead). */
  clientId: string;
  /** Where the sign-in sends people back to: the console's own URL. */
  redirectUri: string;
  /** Scopes asked for, e.g. `openid`, `omnichannel/agent`. */
  scopes: string[];
}

export interface ConsoleConfig {
  /** Base URL of the operator HTTP API, without a trailing slash. */
  apiUrl: string;
  /** The WebSocket API's URL (`wss://…` in AWS, `ws://127.0.0.1:$PORT/ws` locally). */
  webSocketUrl: string;
  auth: ConsoleAuthConfig;
  /** True when the sign-in page is the local cloud's (no passwords); the console may say so. */
  localSignIn: boolean;
}

export class ConsoleConfigError extends Error {
  override name = 'ConsoleConfigError';
}

let loading: Promise<ConsoleConfig> | undefined;

/** The console's settings; fetched once per page load and shared by every caller. */
export function loadConsoleConfig(): Promise<ConsoleConfig> {
  loading ??= fetchConfig().catch((err: unknown) => {
    // A failed load may be retried (the network came back).
    loading = undefined;
    throw err;
  });
  return loading;
}

/** Where `config.json` is: beside the console's `index.html` (Vite's base, `/console/`). */
export function configUrl(): string {
  const base = (import.meta as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/console/';
  return `${base.endsWith('/') ? base : `${base}/`}config.json`;
}

async function fetchConfig(): Promise<ConsoleConfig> {
  const response = await fetch(configUrl(), { credentials: 'same-origin' });
  if (!response.ok) throw new ConsoleConfigError(`The console's config.json could not be read (HTTP ${response.status})`);
  return parseConsoleConfig(await response.json());
}

/** Checks a config document field by field; a deployment mistake is named, not left to fail later. */
export function parseConsoleConfig(raw: unknown): ConsoleConfig {
  const o = objectOf(raw, 'config.json');
  const auth = objectOf(o.auth, 'auth');
  const scopes = auth.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && /^[\w./:-]{1,100}$/.test(s))) {
    throw new ConsoleConfigError('auth.scopes must be a non-empty list of scope names');
  }
  return {
    apiUrl: urlOf(o.apiUrl, 'apiUrl', ['http:', 'https:']).replace(/\/+$/, ''),
    webSocketUrl: urlOf(o.webSocketUrl, 'webSocketUrl', ['ws:', 'wss:']),
    auth: {
      authorizeUrl: urlOf(auth.authorizeUrl, 'auth.authorizeUrl', ['http:', 'https:']),
      tokenUrl: urlOf(auth.tokenUrl, 'auth.tokenUrl', ['http:', 'https:']),
      logoutUrl: urlOf(auth.logoutUrl, 'auth.logoutUrl', ['http:', 'https:']),
      clientId: stringOf(auth.clientId, 'auth.clientId', /^[\w-]{1,128}$/),
      redirectUri: urlOf(auth.redirectUri, 'auth.redirectUri', ['http:', 'https:']),
      scopes: [...(scopes as string[])],
    },
    localSignIn: o.localSignIn === true,
  };
}

function objectOf(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConsoleConfigError(`${name} must be an object`);
  return value as Record<string, unknown>;
}

function stringOf(value: unknown, name: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new ConsoleConfigError(`${name} is missing or malformed`);
  return value;
}

function urlOf(value: unknown, name: string, protocols: string[]): string {
  if (typeof value !== 'string' || value.length > 2048) throw new ConsoleConfigError(`${name} must be a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConsoleConfigError(`${name} must be a URL`);
  }
  if (!protocols.includes(url.protocol)) throw new ConsoleConfigError(`${name} must use ${protocols.join(' or ')}`);
  return value;
}
