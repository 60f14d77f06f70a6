import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ADMIN_ROUTES } from '#lambdas/identity/admin-routes';
import type { CommandIo } from '#lib/operations/redrive-command';
import { operatorToken, OperatorTokenError, type OperatorTokenOptions } from '#lib/operations/operator-token';

export const FLOWS_USAGE = `npm run flows -- <action> --business <id> [--api <url>]

  get [--file <json>] [--version <n>]
                       the business's current bot settings (or one version): printed with their
                       version, or written to --file (the settings only, ready to edit and put back)
  put --file <json> [--expected-version <n>]
                       saves the file as the business's next version; with --expected-version the save
                       is refused if someone saved since that version (0: the business has none yet)
  versions             who changed the settings and when, newest first

  --api <url>          the operator API (default http://127.0.0.1:3000, the local cloud). Locally a
                       token is issued for the business (role admin); elsewhere set OPERATOR_TOKEN
                       to an access token from the stack's Cognito user pool.`;

export const DEFAULT_FLOWS_API = 'http://127.0.0.1:3000';

export interface FlowsCommandDeps {
  fetch?: typeof fetch;
  token?: (options: OperatorTokenOptions) => Promise<string>;
  readFile?: (path: string) => Promise<string>;
  writeFile?: (path: string, text: string) => Promise<void>;
}

class UsageError extends Error {}

const VERSION = /^\d{1,10}$/;

/** `npm run flows`: read and save a business's bot settings through the admin API. Returns the exit code. */
export async function runFlowsCommand(argv: readonly string[], io: CommandIo, deps: FlowsCommandDeps = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        business: { type: 'string' },
        file: { type: 'string' },
        api: { type: 'string' },
        version: { type: 'string' },
        'expected-version': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${FLOWS_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (values.help || action === undefined) {
    (values.help ? io.out : io.err)(FLOWS_USAGE);
    return values.help ? 0 : 2;
  }
  const doFetch = deps.fetch ?? fetch;
  try {
    if (!['get', 'put', 'versions'].includes(action) || positionals.length > 1) throw new UsageError(`Unknown action ${positionals.join(' ')}`);
    const businessId = values.business;
    if (!businessId) throw new UsageError('--business <id> is required');
    for (const [name, value] of [['--version', values.version], ['--expected-version', values['expected-version']]] as const) {
      if (value !== undefined && !VERSION.test(value)) throw new UsageError(`${name} must be a whole number`);
    }
    const apiUrl = (values.api ?? DEFAULT_FLOWS_API).replace(/\/+$/, '');
    const token = await (deps.token ?? operatorToken)({ apiUrl, businessId, subject: 'flows-cli', roles: ['admin'] });
    const call = async (method: 'GET' | 'PUT', path: string, query: Record<string, string>, body?: unknown) => {
      const qs = Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : '';
      const res = await doFetch(`${apiUrl}${path}${qs}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = { message: text.slice(0, 500) };
      }
      return { status: res.status, json };
    };

    if (action === 'get') {
      const query = { businessId, ...(values.version ? { version: values.version } : {}) };
      const { status, json } = await call('GET', ADMIN_ROUTES.getBotSettings.path, query);
      if (status !== 200) return refused(io, status, json);
      if (values.file) {
        await (deps.writeFile ?? ((p, t) => writeFile(p, t, 'utf8')))(values.file, `${JSON.stringify(json.settings, null, 2)}\n`);
        io.out(`Wrote version ${String(json.version)} of ${businessId}'s bot settings (saved by ${String(json.changedBy)} at ${String(json.changedAt)}) to ${values.file}`);
        io.out(`Put it back with: npm run flows -- put --business ${businessId} --file ${values.file} --expected-version ${String(json.version)}`);
      } else {
        io.out(JSON.stringify(json, null, 2));
      }
      return 0;
    }
    if (action === 'versions') {
      const { status, json } = await call('GET', ADMIN_ROUTES.botSettingsVersions.path, { businessId });
      if (status !== 200) return refused(io, status, json);
      const versions = Array.isArray(json.versions) ? (json.versions as Array<Record<string, unknown>>) : [];
      if (versions.length === 0) io.out(`${businessId} has no bot settings yet`);
      for (const v of versions) io.out(`v${String(v.version)}  ${String(v.changedAt)}  ${String(v.changedBy)}`);
      return 0;
    }
    // put
    if (!values.file) throw new UsageError('put needs --file <json>');
    let settings: unknown;
    try {
      settings = JSON.parse(await (deps.readFile ?? ((p) => readFile(p, 'utf8')))(values.file));
    } catch (err) {
      io.err(`Cannot read ${values.file} as JSON: ${(err as Error).message}`);
      return 1;
    }
    const expected = values['expected-version'];
    const { status, json } = await call('PUT', ADMIN_ROUTES.putBotSettings.path, {}, {
      businessId,
      settings,
      ...(expected !== undefined ? { expectedVersion: Number(expected) } : {}),
    });
    if (status !== 200) return refused(io, status, json);
    io.out(`Saved ${businessId}'s bot settings as version ${String(json.version)}; the agent uses them within 30 seconds.`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${FLOWS_USAGE}`);
      return 2;
    }
    if (err instanceof OperatorTokenError) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof TypeError) {
      io.err(`The admin API did not answer: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/** A refusal, with each settings problem on its own line next to the field it names. */
function refused(io: CommandIo, status: number, json: Record<string, unknown>): number {
  io.err(`Refused (HTTP ${status}${typeof json.error === 'string' ? `, ${json.error}` : ''}): ${typeof json.message === 'string' ? json.message : ''}`);
  if (Array.isArray(json.problems)) {
    for (const p of json.problems as Array<{ path?: unknown; message?: unknown }>) io.err(`  ${String(p.path)}: ${String(p.message)}`);
  }
  if (status === 409 && typeof json.currentVersion === 'number') {
    io.err(`Get version ${json.currentVersion} (npm run flows -- get --business <id> --file <json>), apply your change to it, and put it again.`);
  }
  return 1;
}
