import { GraphApiError, graphErrorFromResponse } from '#lambdas/adapters/graph-api-client';

/** The few Graph API calls onboarding makes: reads with a query, writes with a JSON body. */
export interface OnboardingGraph {
  get(path: string, query: Record<string, string>, accessToken?: string): Promise<Record<string, unknown>>;
  post(path: string, body: Record<string, unknown>, accessToken: string): Promise<Record<string, unknown>>;
}

export interface OnboardingGraphOptions {
  baseUrl: string;
  version: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * A Graph API client for server-to-server onboarding calls. The token goes in the Authorization
 * header, never in a URL that could end up in a log; only the code exchange puts the app secret and
 * the code in the query, as Meta's `/oauth/access_token` requires.
 */
export function createOnboardingGraph(options: OnboardingGraphOptions): OnboardingGraph {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = options.baseUrl.replace(/\/+$/, '');

  const call = async (method: 'GET' | 'POST', path: string, query: Record<string, string>, body: unknown, token?: string) => {
    const url = new URL(`${base}/${options.version}/${path.replace(/^\/+/, '')}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw new GraphApiError(`Graph API request failed: ${(err as Error).name}`, { network: true }, { cause: err });
    }
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) throw graphErrorFromResponse(response.status, json);
    return (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  };

  return {
    get: (path, query, token) => call('GET', path, query, undefined, token),
    post: (path, body, token) => call('POST', path, {}, body, token),
  };
}
