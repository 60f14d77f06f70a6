import { readFile } from 'node:fs/promises';
import { CAMPAIGNS_ROUTES } from '#lambdas/campaigns/campaigns-api-contract';
import { RECIPIENT_STATES } from '#lambdas/campaigns/campaign-model';
import { adminToken, eachPage, operatorApi, parseCommandLine, refusalLine, UsageError, withCommandErrors } from '#lib/operations/operator-api-command';
import { LOCAL_BUSINESS_ID, type OperatorTokenOptions } from '#lib/operations/operator-token';
import type { CommandIo } from '#lib/operations/redrive-command';

export const CAMPAIGNS_USAGE = `npm run campaigns -- <action> [campaign id] [options]

  list                                   the business's campaigns, newest first, with their counts
  create --file campaign.json [--csv audience.csv] [--country BR]
                                         a draft from a JSON file (docs/campaigns.md); --csv sends the
                                         file as its audience (--country: for numbers written without
                                         a country code)
  show <id>                              the campaign, its state and counts
  preview <id>                           who it would reach (numbers masked), without scheduling
  schedule <id>                          builds the list and hands it to the release loop
  pause <id> | resume <id> | cancel <id>
  recipients <id> [--state failed] [--limit 50]
                                         the list in order, one line each (all pages up to --limit)

  --expected-version <n>  refuse the change if someone changed the campaign since version n
  --api <url>             the operator API (default http://127.0.0.1:3000, the local cloud)
  --token <token>         an access token (or set OPERATOR_TOKEN); without one the local cloud
                          issues one for --business (default ${LOCAL_BUSINESS_ID}) as an admin
  --business <id>         the business the local token is for
  --act-for <id>          a platform operator's token: the business to act on (?businessId=)`;

export const DEFAULT_CAMPAIGNS_API = 'http://127.0.0.1:3000';
/** The API refuses a CSV over 5 MB; the CLI says so before sending it. */
const MAX_CSV_BYTES = 5_000_000;
const WHOLE = /^\d{1,9}$/;

export interface CampaignsCommandDeps {
  fetch?: typeof fetch;
  token?: (options: OperatorTokenOptions) => Promise<string>;
  readFile?: (path: string) => Promise<string>;
}

type Json = Record<string, unknown>;

/** `npm run campaigns`: a business's campaigns through the campaigns admin API. Returns the exit code. */
export async function runCampaignsCommand(argv: readonly string[], io: CommandIo, deps: CampaignsCommandDeps = {}): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      api: { type: 'string' },
      token: { type: 'string' },
      business: { type: 'string' },
      'act-for': { type: 'string' },
      file: { type: 'string' },
      csv: { type: 'string' },
      country: { type: 'string' },
      state: { type: 'string' },
      limit: { type: 'string' },
      'expected-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    CAMPAIGNS_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [action, id, ...rest] = positionals;
  const read = deps.readFile ?? ((p: string) => readFile(p, 'utf8'));
  return withCommandErrors(CAMPAIGNS_USAGE, 'campaigns API', io, async () => {
    if (rest.length > 0) throw new UsageError(`Unexpected ${rest.join(' ')}`);
    for (const name of ['expected-version', 'limit'] as const) {
      if (values[name] !== undefined && !WHOLE.test(values[name])) throw new UsageError(`--${name} must be a whole number`);
    }
    const expectedVersion = values['expected-version'] === undefined ? undefined : Number(values['expected-version']);
    const apiUrl = (values.api ?? DEFAULT_CAMPAIGNS_API).replace(/\/+$/, '');
    const given = values.token?.trim().replace(/^Bearer\s+/i, '') || undefined;
    const call = operatorApi({
      apiUrl,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      token: given ? async () => given : adminToken(deps, apiUrl, values.business ?? LOCAL_BUSINESS_ID, 'campaigns-cli'),
      query: values['act-for'] ? { businessId: values['act-for'] } : {},
    });
    const needId = () => {
      if (!id) throw new UsageError(`${action} needs the campaign's id`);
      return id;
    };
    const change = async (route: { method: string; path: string }, done: (c: Json) => string) => {
      const { status, json } = await call(route, { id: needId() }, expectedVersion !== undefined ? { expectedVersion } : {});
      if (status !== 200) return refused(io, status, json);
      io.out(done(json));
      io.out(countsLine(json));
      return 0;
    };

    switch (action) {
      case 'list': {
        if (id) throw new UsageError('list takes no id');
        let shown = 0;
        const refusal = await eachPage(call, CAMPAIGNS_ROUTES.list, { limit: '100' }, 50, (page) => {
          for (const c of page) {
            io.out(`${String(c.campaignId)}  ${String(c.state).padEnd(9)}  ${String(c.name)}`);
            io.out(`    ${countsLine(c)}`);
            shown++;
          }
        });
        if (refusal) return refused(io, refusal.status, refusal.json);
        if (shown === 0) io.out('No campaigns yet');
        return 0;
      }
      case 'create': {
        if (id) throw new UsageError('create takes no id (give --file)');
        if (!values.file) throw new UsageError('create needs --file <campaign.json>');
        let input: Json;
        try {
          const value: unknown = JSON.parse(await read(values.file));
          if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
          input = value as Json;
        } catch (err) {
          throw new UsageError(`Cannot read ${values.file} as a JSON object: ${(err as Error).message}`);
        }
        if (values.csv) {
          const csv = await read(values.csv).catch((err: Error) => {
            throw new UsageError(`Cannot read ${values.csv}: ${err.message}`);
          });
          if (Buffer.byteLength(csv, 'utf8') > MAX_CSV_BYTES) throw new UsageError(`${values.csv} is over 5 MB; split it into several campaigns`);
          input = { ...input, audience: { kind: 'csv', csv, ...(values.country ? { defaultCountry: values.country.toUpperCase() } : {}) } };
        } else if (values.country) throw new UsageError('--country goes with --csv');
        const { status, json } = await call(CAMPAIGNS_ROUTES.create, {}, input);
        if (status !== 201) return refused(io, status, json);
        io.out(`Created ${String(json.campaignId)} (${String(json.name)}), a draft at version ${String(json.version)}`);
        if ((json.audience as Json | undefined)?.kind === 'csv') io.out(countsLine(json));
        io.out(`Next: npm run campaigns -- preview ${String(json.campaignId)}, then schedule ${String(json.campaignId)}`);
        return 0;
      }
      case 'show': {
        const { status, json } = await call(CAMPAIGNS_ROUTES.get, { id: needId() });
        if (status !== 200) return refused(io, status, json);
        for (const line of describe(json)) io.out(line);
        return 0;
      }
      case 'preview': {
        const { status, json } = await call(CAMPAIGNS_ROUTES.preview, { id: needId() });
        if (status !== 200) return refused(io, status, json);
        io.out(
          `Would reach ${String(json.count)} customer${json.count === 1 ? '' : 's'}${json.complete === false ? ` (at least: the preview stopped after ${String(json.read)} contacts)` : ''}`,
        );
        const skipped = skippedText(json.skipped);
        if (skipped) io.out(`Left off: ${skipped}`);
        for (const s of Array.isArray(json.sample) ? (json.sample as Json[]) : []) io.out(`  ${String(s.waId)}  ${variablesText(s.variables)}`);
        return 0;
      }
      case 'schedule':
        return await change(
          CAMPAIGNS_ROUTES.schedule,
          (c) => `Scheduled ${String(c.campaignId)}: ${c.startAt ? `starts at ${String(c.startAt)}` : 'starts now'} (version ${String(c.version)})`,
        );
      case 'pause':
        return await change(
          CAMPAIGNS_ROUTES.pause,
          (c) => `Paused ${String(c.campaignId)} (version ${String(c.version)}); resume it with: npm run campaigns -- resume ${String(c.campaignId)}`,
        );
      case 'resume':
        return await change(CAMPAIGNS_ROUTES.resume, (c) => `Resumed ${String(c.campaignId)}: ${String(c.state)} (version ${String(c.version)})`);
      case 'cancel':
        return await change(CAMPAIGNS_ROUTES.cancel, (c) => `Cancelled ${String(c.campaignId)}; nothing more is released (version ${String(c.version)})`);
      case 'recipients': {
        const campaignId = needId();
        if (values.state !== undefined && !(RECIPIENT_STATES as readonly string[]).includes(values.state))
          throw new UsageError(`--state is one of ${RECIPIENT_STATES.join(', ')}`);
        const wanted = values.limit === undefined ? 50 : Math.max(1, Number(values.limit));
        let cursor: string | undefined;
        let shown = 0;
        while (shown < wanted) {
          const { status, json } = await call(CAMPAIGNS_ROUTES.recipients, {
            id: campaignId,
            limit: String(Math.min(100, wanted - shown)),
            ...(values.state ? { state: values.state } : {}),
            ...(cursor ? { cursor } : {}),
          });
          if (status !== 200) return refused(io, status, json);
          for (const r of items(json)) {
            io.out(
              `${String(r.seq).padStart(6)}  ${String(r.waId).padEnd(16)}  ${String(r.state).padEnd(9)}${r.errorCode ? `  ${String(r.errorCode)}` : ''}${r.replied ? '  replied' : ''}`,
            );
            shown++;
          }
          cursor = typeof json.cursor === 'string' ? json.cursor : undefined;
          if (!cursor) break;
        }
        if (shown === 0)
          io.out(values.state ? `No recipients ${values.state}` : 'No recipients on the list yet (a contacts campaign lists them when scheduled)');
        return 0;
      }
      default:
        throw new UsageError(`Unknown action ${action}`);
    }
  });
}

const items = (json: Json): Json[] => (Array.isArray(json.items) ? (json.items as Json[]) : []);

function skippedText(value: unknown): string {
  const entries = value && typeof value === 'object' ? Object.entries(value as Record<string, number>).filter(([, n]) => n > 0) : [];
  return entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

function variablesText(value: unknown): string {
  const entries = value && typeof value === 'object' ? Object.entries(value as Record<string, string>) : [];
  return entries.map(([k, v]) => `{{${k}}}=${JSON.stringify(v)}`).join(' ');
}

/** `targeted 2 · released 1 · sent 1 …` with what was left off and the failures by error. */
export function countsLine(campaign: Json): string {
  const list = (campaign.list ?? {}) as Record<string, unknown>;
  // The list is built in the background (docs/campaigns.md): its counts come when it is decided.
  if (list.status === 'building')
    return `building the list… ${typeof list.built === 'number' ? list.built : 0} written so far (look again with: npm run campaigns -- show ${String(campaign.campaignId)})`;
  if (list.status === 'failed') return `the list could not be built: ${String(list.reason ?? 'unknown')}; edit the draft and schedule it again`;
  const c = (campaign.counts ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : 0);
  const parts = ['targeted', 'released', 'sent', 'delivered', 'read', 'replied', 'failed', 'optedOut'].map(
    (k) => `${k === 'optedOut' ? 'opted out' : k} ${n(k)}`,
  );
  const spend = n('spendMicros') > 0 ? ` · spend $${(n('spendMicros') / 1_000_000).toFixed(2)}` : '';
  const skipped = skippedText(c.skipped);
  const failed = skippedText(c.failedByError);
  return `${parts.join(' · ')}${spend}${skipped ? `  (left off: ${skipped})` : ''}${failed ? `  (failed: ${failed})` : ''}`;
}

function describe(c: Json): string[] {
  const template = (c.template ?? {}) as Json;
  const audience = (c.audience ?? {}) as Json;
  const audienceText =
    audience.kind === 'csv'
      ? `CSV, ${String(audience.rows)} rows${audience.defaultCountry ? ` (${String(audience.defaultCountry)})` : ''}`
      : `contacts${Array.isArray(audience.tags) && audience.tags.length > 0 ? ` tagged ${audience.tags.join(', ')}` : ''}${Array.isArray(audience.excludeTags) && audience.excludeTags.length > 0 ? `, not ${audience.excludeTags.join(', ')}` : ''}`;
  return [
    `${String(c.campaignId)}  ${String(c.name)}`,
    `  state      ${String(c.state)}${c.pauseReason ? ` (${String(c.pauseReason)})` : ''}  version ${String(c.version)}`,
    `  number     ${String(c.accountId)}  pace ${Math.round(Number(c.rateShare) * 100)}% of its messages per second`,
    `  template   ${String(template.name)} (${String(template.language)})${template.category ? `, ${String(template.category)}` : ''}`,
    `  audience   ${audienceText}`,
    `  times      created ${String(c.createdAt)}${c.startAt ? `, starts ${String(c.startAt)}` : ''}${c.startedAt ? `, started ${String(c.startedAt)}` : ''}${c.completedAt ? `, ended ${String(c.completedAt)}` : ''}`,
    `  counts     ${countsLine(c)}`,
  ];
}

function refused(io: CommandIo, status: number, json: Json): number {
  io.err(refusalLine(status, json));
  if (Array.isArray(json.badLines)) {
    for (const b of json.badLines as Json[]) io.err(`  line ${String(b.line)}: ${String(b.message)}`);
    if (typeof json.badLineCount === 'number' && json.badLineCount > json.badLines.length) io.err(`  … and ${json.badLineCount - json.badLines.length} more`);
  }
  const skipped = skippedText(json.skipped);
  if (skipped) io.err(`  left off: ${skipped}`);
  if (status === 409 && typeof json.currentVersion === 'number')
    io.err(`It is at version ${json.currentVersion}: show it again and retry with --expected-version ${json.currentVersion}.`);
  return 1;
}
