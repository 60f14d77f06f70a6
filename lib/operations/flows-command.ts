import { readFile, writeFile } from 'node:fs/promises';
import { ADMIN_ROUTES } from '#lambdas/identity/admin-routes';
import type { CommandIo } from '#lib/operations/redrive-command';
import { adminToken, operatorApi, parseCommandLine, refusalLine, UsageError, withCommandErrors } from '#lib/operations/operator-api-command';
import type { OperatorTokenOptions } from '#lib/operations/operator-token';

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

const VERSION = /^\d{1,10}$/;

/** `npm run flows`: read and save a business's bot settings through the admin API. Returns the exit code. */
export async function runFlowsCommand(argv: readonly string[], io: CommandIo, deps: FlowsCommandDeps = {}): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      business: { type: 'string' },
      file: { type: 'string' },
      api: { type: 'string' },
      version: { type: 'string' },
      'expected-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    FLOWS_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const action = positionals[0]!;
  return withCommandErrors(FLOWS_USAGE, 'admin API', io, async () => {
    if (!['get', 'put', 'versions'].includes(action) || positionals.length > 1) throw new UsageError(`Unknown action ${positionals.join(' ')}`);
    const businessId = values.business;
    if (!businessId) throw new UsageError('--business <id> is required');
    for (const [name, value] of [
      ['--version', values.version],
      ['--expected-version', values['expected-version']],
    ] as const) {
      if (value !== undefined && !VERSION.test(value)) throw new UsageError(`${name} must be a whole number`);
    }
    const apiUrl = (values.api ?? DEFAULT_FLOWS_API).replace(/\/+$/, '');
    const api = operatorApi({ apiUrl, ...(deps.fetch ? { fetch: deps.fetch } : {}), token: adminToken(deps, apiUrl, businessId, 'flows-cli') });
    const call = (method: 'GET' | 'PUT', path: string, query: Record<string, string>, body?: unknown) => api({ method, path }, query, body);

    if (action === 'get') {
      const query = { businessId, ...(values.version ? { version: values.version } : {}) };
      const { status, json } = await call('GET', ADMIN_ROUTES.getBotSettings.path, query);
      if (status !== 200) return refused(io, status, json);
      if (values.file) {
        await (deps.writeFile ?? ((p, t) => writeFile(p, t, 'utf8')))(values.file, `${JSON.stringify(json.settings, null, 2)}\n`);
        io.out(
          `Wrote version ${String(json.version)} of ${businessId}'s bot settings (saved by ${String(json.changedBy)} at ${String(json.changedAt)}) to ${values.file}`,
        );
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
    const { status, json } = await call(
      'PUT',
      ADMIN_ROUTES.putBotSettings.path,
      {},
      {
        businessId,
        settings,
        ...(expected !== undefined ? { expectedVersion: Number(expected) } : {}),
      },
    );
    if (status !== 200) return refused(io, status, json);
    io.out(`Saved ${businessId}'s bot settings as version ${String(json.version)}; the agent uses them within 30 seconds.`);
    return 0;
  });
}

/** A refusal, with each settings problem on its own line next to the field it names. */
function refused(io: CommandIo, status: number, json: Record<string, unknown>): number {
  io.err(refusalLine(status, json));
  if (Array.isArray(json.problems)) {
    for (const p of json.problems as Array<{ path?: unknown; message?: unknown }>) io.err(`  ${String(p.path)}: ${String(p.message)}`);
  }
  if (status === 409 && typeof json.currentVersion === 'number') {
    io.err(`Get version ${json.currentVersion} (npm run flows -- get --business <id> --file <json>), apply your change to it, and put it again.`);
  }
  return 1;
}
