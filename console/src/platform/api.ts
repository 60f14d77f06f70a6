/**
 * The operator HTTP API with the signed-in person's access token. Every refusal becomes an
 * `ApiError` with the API's status, its stable code (`{ error, message }` bodies) and a message.
 */
import { currentSession } from './auth.ts';
import { loadConsoleConfig } from './config.ts';
import { ApiError, apiUrlOf, type QueryValue } from './api-url.ts';

export { ApiError, apiUrlOf, type QueryValue } from './api-url.ts';

export function apiGet<T = unknown>(path: string, query?: Record<string, QueryValue>): Promise<T> {
  return request<T>('GET', path, undefined, query);
}

export function apiPost<T = unknown>(path: string, body?: unknown): Promise<T> {
  return request<T>('POST', path, body ?? {});
}

export function apiPut<T = unknown>(path: string, body?: unknown): Promise<T> {
  return request<T>('PUT', path, body ?? {});
}

export function apiPatch<T = unknown>(path: string, body?: unknown): Promise<T> {
  return request<T>('PATCH', path, body ?? {});
}

export function apiDelete<T = unknown>(path: string): Promise<T> {
  return request<T>('DELETE', path);
}

/** Listeners told when the API refuses the token (401): the console sends the person to sign in again. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, query?: Record<string, QueryValue>): Promise<T> {
  const config = await loadConsoleConfig();
  const session = currentSession();
  if (!session) {
    for (const l of unauthorizedListeners) l();
    throw new ApiError(401, 'unauthorized', 'Your session has ended; sign in again');
  }
  let response: Response;
  try {
    response = await fetch(apiUrlOf(config.apiUrl, path, query), {
      method,
      headers: {
        authorization: `Bearer ${session.accessToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'The service could not be reached; check the connection');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (response.ok) return parsed as T;
  const refusal = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  if (response.status === 401) for (const l of unauthorizedListeners) l();
  const code =
    typeof refusal.error === 'string'
      ? refusal.error
      : response.status === 401
        ? 'unauthorized'
        : response.status === 403
          ? 'forbidden'
          : `http_${response.status}`;
  const message = typeof refusal.message === 'string' ? refusal.message : response.statusText || `HTTP ${response.status}`;
  throw new ApiError(response.status, code, message, parsed);
}
