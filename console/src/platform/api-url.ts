/** The API's refusals and URLs (no browser state: unit-testable). */

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** The HTTP status; 0 when the API could not be reached. */
    readonly status: number,
    /** A stable word: the API's `error` (e.g. `window_closed`), or `unauthorized`, `network`, `http_<status>`. */
    readonly code: string,
    message: string,
    /** The refusal's parsed body, when it had one (e.g. the bot settings' `problems`). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export type QueryValue = string | number | boolean | undefined | null;

/** The URL of an API path with its query; undefined values are left out. */
export function apiUrlOf(apiUrl: string, path: string, query?: Record<string, QueryValue>): string {
  if (!path.startsWith('/') || path.startsWith('//')) throw new ApiError(0, 'bad_path', `Not an API path: ${path.slice(0, 60)}`);
  const url = new URL(apiUrl + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  return url.toString();
}
