import { parseArgs, type ParseArgsConfig } from 'node:util';
import { operatorToken, OperatorTokenError, type OperatorTokenOptions } from '#lib/operations/operator-token';
import type { CommandIo } from '#lib/operations/redrive-command';

/**
 * What the `npm run` commands that speak to an operator API share (flows, routing, campaigns): the
 * command line read or the usage shown, one way of calling a route with a lazily obtained token,
 * and the same exit codes — 2 for a usage mistake, 1 for a refusal or an API that does not answer.
 */

/** A mistake on the command line: the message and the usage are shown, exit code 2. */
export class UsageError extends Error {}

export type ApiJson = Record<string, unknown>;
export interface ApiAnswer {
  status: number;
  json: ApiJson;
}
export type ApiCall = (route: { method: string; path: string }, query: Record<string, string>, body?: unknown) => Promise<ApiAnswer>;

type ParsedCommandLine<T extends ParseArgsConfig['options']> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: T }>
>;

/**
 * Parses the command line, or prints the usage: returns the exit code instead of the values when
 * there is nothing to run (`--help`: 0; a bad flag or no action: 2).
 */
export function parseCommandLine<T extends ParseArgsConfig['options']>(
  argv: readonly string[],
  options: T,
  usage: string,
  io: CommandIo,
): ParsedCommandLine<T> | number {
  let parsed: ParsedCommandLine<T>;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const help = (parsed.values as Record<string, unknown>)['help'] === true;
  if (help || parsed.positionals[0] === undefined) {
    (help ? io.out : io.err)(usage);
    return help ? 0 : 2;
  }
  return parsed;
}

/** Runs a command's body with the shared exit codes: usage mistakes (2), no token or no answer (1). */
export async function withCommandErrors(usage: string, apiName: string, io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${usage}`);
      return 2;
    }
    if (err instanceof OperatorTokenError) {
      io.err(err.message);
      return 1;
    }
    // fetch rejects with a TypeError when nothing answers.
    if (err instanceof TypeError) {
      io.err(`The ${apiName} did not answer: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export interface OperatorApiOptions {
  apiUrl: string;
  fetch?: typeof fetch;
  /** The token to send; obtained on the first call only (none is asked for when the command stops before calling). */
  token: () => Promise<string>;
  /** Added to every call's query (a platform operator's `businessId`). */
  query?: Record<string, string>;
}

/** Calls operator API routes with a bearer token; a body that is not JSON comes back as `{ message }`. */
export function operatorApi(options: OperatorApiOptions): ApiCall {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  let token: Promise<string> | undefined;
  return async (route, query, body) => {
    token ??= options.token();
    const all = { ...options.query, ...query };
    const qs = Object.keys(all).length > 0 ? `?${new URLSearchParams(all)}` : '';
    const res = await doFetch(`${apiUrl}${route.path}${qs}`, {
      method: route.method,
      headers: { authorization: `Bearer ${await token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: ApiJson = {};
    try {
      json = JSON.parse(text) as ApiJson;
    } catch {
      json = { message: text.slice(0, 500) };
    }
    return { status: res.status, json };
  };
}

/** The local cloud's token for a command acting as an admin of `businessId` (or OPERATOR_TOKEN when set). */
export function adminToken(
  deps: { token?: (options: OperatorTokenOptions) => Promise<string> },
  apiUrl: string,
  businessId: string,
  subject: string,
): () => Promise<string> {
  return () => (deps.token ?? operatorToken)({ apiUrl, businessId, subject, roles: ['admin'] });
}

/** The first line of a refusal: `Refused (HTTP 409, conflict): message`. */
export function refusalLine(status: number, json: ApiJson): string {
  return `Refused (HTTP ${status}${typeof json['error'] === 'string' ? `, ${json['error']}` : ''}): ${typeof json['message'] === 'string' ? json['message'] : ''}`;
}

/** A JSON object read from a file the command was given; anything else is a usage mistake. */
export async function readJsonObjectFile(read: (path: string) => Promise<string>, path: string): Promise<ApiJson> {
  let value: unknown;
  try {
    value = JSON.parse(await read(path));
  } catch (err) {
    throw new UsageError(`Cannot read ${path} as JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${path} must hold a JSON object`);
  return value as ApiJson;
}

/** Every page of a listing route (`items` and `cursor`), up to `maxPages`; stops at the first refusal and returns it. */
export async function eachPage(
  call: ApiCall,
  route: { method: string; path: string },
  query: Record<string, string>,
  maxPages: number,
  onItems: (items: ApiJson[]) => void,
): Promise<ApiAnswer | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await call(route, { ...query, ...(cursor ? { cursor } : {}) });
    if (answer.status !== 200) return answer;
    onItems(Array.isArray(answer.json['items']) ? (answer.json['items'] as ApiJson[]) : []);
    cursor = typeof answer.json['cursor'] === 'string' ? answer.json['cursor'] : undefined;
    if (!cursor) break;
  }
  return undefined;
}
