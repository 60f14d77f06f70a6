import { readFile, writeFile } from 'node:fs/promises';
import { ROUTING_ADMIN_ROUTES } from '#lambdas/routing/routing-api-contract';
import {
  adminToken,
  eachPage,
  operatorApi,
  parseCommandLine,
  readJsonObjectFile,
  refusalLine,
  UsageError,
  withCommandErrors,
} from '#lib/operations/operator-api-command';
import type { OperatorTokenOptions } from '#lib/operations/operator-token';
import type { CommandIo } from '#lib/operations/redrive-command';

export const ROUTING_USAGE = `npm run routing -- <action> [kind] [id] --business <id> [--api <url>]

  list agents|queues|macros            one line each (all pages)
  show agent|queue|macro <id>          the item as JSON (with its version)
  put agent|queue|macro --file <json>  create or change one item from a JSON file, or from flags:
      agent: --id <id> --name <name> --languages es,pt [--skills a,b] [--channels whatsapp,…] [--max <n>]
      queue: --id <id> --name <name> --first-response <seconds> [--languages …] [--channels …]
             [--skills …] [--priority <0-100>] [--overflow <queue id>]
      macro: --id <id> --name <name> [--text-es <text>] [--text-pt <text>] [--text-en <text>]
  delete agent|queue|macro <id>        refused while an agent has conversations or a queue is named
  get rules [--file <json>]            the ordered rules and default queue (to --file: ready to edit)
  put rules --file <json>              saves them (the file's expectedVersion, or --expected-version)
  tag-contact --channel <whatsapp|instagram|messenger> --customer <id> --tags vip,wholesale
                                       replaces a customer's tags ("" clears them)

  --expected-version <n>  refuse the save if someone changed the item since version n (0: new)
  --api <url>             the operator API (default http://127.0.0.1:3000, the local cloud). Locally a
                          token is issued for the business (role admin); elsewhere set OPERATOR_TOKEN
                          to an access token from the stack's Cognito user pool.`;

export const DEFAULT_ROUTING_API = 'http://127.0.0.1:3000';

export interface RoutingCommandDeps {
  fetch?: typeof fetch;
  token?: (options: OperatorTokenOptions) => Promise<string>;
  readFile?: (path: string) => Promise<string>;
  writeFile?: (path: string, text: string) => Promise<void>;
}

type Kind = 'agent' | 'queue' | 'macro';
const KINDS: Record<string, Kind> = { agent: 'agent', agents: 'agent', queue: 'queue', queues: 'queue', macro: 'macro', macros: 'macro' };
const ROUTES = {
  agent: { list: ROUTING_ADMIN_ROUTES.listAgents, put: ROUTING_ADMIN_ROUTES.putAgent, delete: ROUTING_ADMIN_ROUTES.deleteAgent, id: 'agentId' },
  queue: { list: ROUTING_ADMIN_ROUTES.listQueues, put: ROUTING_ADMIN_ROUTES.putQueue, delete: ROUTING_ADMIN_ROUTES.deleteQueue, id: 'queueId' },
  macro: { list: ROUTING_ADMIN_ROUTES.listMacros, put: ROUTING_ADMIN_ROUTES.putMacro, delete: ROUTING_ADMIN_ROUTES.deleteMacro, id: 'macroId' },
} as const;
const WHOLE = /^\d{1,15}$/;
/** Pages a listing follows at most (100 items each). */
const MAX_PAGES = 100;

const list = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);

/** `npm run routing`: a business's agents, queues, rules, macros and contact tags through the admin API. Returns the exit code. */
export async function runRoutingCommand(argv: readonly string[], io: CommandIo, deps: RoutingCommandDeps = {}): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      business: { type: 'string' },
      api: { type: 'string' },
      file: { type: 'string' },
      'expected-version': { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      languages: { type: 'string' },
      channels: { type: 'string' },
      skills: { type: 'string' },
      max: { type: 'string' },
      priority: { type: 'string' },
      'first-response': { type: 'string' },
      overflow: { type: 'string' },
      'text-es': { type: 'string' },
      'text-pt': { type: 'string' },
      'text-en': { type: 'string' },
      channel: { type: 'string' },
      customer: { type: 'string' },
      tags: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    ROUTING_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [action, kindWord, id] = positionals;
  return withCommandErrors(ROUTING_USAGE, 'admin API', io, async () => {
    const businessId = values.business;
    if (!businessId) throw new UsageError('--business <id> is required');
    for (const name of ['expected-version', 'max', 'priority', 'first-response'] as const) {
      if (values[name] !== undefined && !WHOLE.test(values[name])) throw new UsageError(`--${name} must be a whole number`);
    }
    const expectedVersion = values['expected-version'] === undefined ? undefined : Number(values['expected-version']);
    const apiUrl = (values.api ?? DEFAULT_ROUTING_API).replace(/\/+$/, '');
    const call = operatorApi({ apiUrl, ...(deps.fetch ? { fetch: deps.fetch } : {}), token: adminToken(deps, apiUrl, businessId, 'routing-cli') });
    const readJson = (path: string) => readJsonObjectFile(deps.readFile ?? ((p) => readFile(p, 'utf8')), path);
    const kindOf = (word: string | undefined): Kind => {
      const kind = word ? KINDS[word] : undefined;
      if (!kind) throw new UsageError(`${action} needs agent, queue or macro`);
      return kind;
    };
    const extra = (count: number) => {
      if (positionals.length > count) throw new UsageError(`Unexpected ${positionals.slice(count).join(' ')}`);
    };

    if (action === 'list') {
      extra(2);
      const kind = kindOf(kindWord);
      let shown = 0;
      const refusal = await eachPage(call, ROUTES[kind].list, { businessId, limit: '100' }, MAX_PAGES, (page) => {
        for (const item of page) {
          io.out(summaryLine(kind, item));
          shown++;
        }
      });
      if (refusal) return refused(io, refusal.status, refusal.json);
      if (shown === 0) io.out(`${businessId} has no ${kind}s yet`);
      return 0;
    }
    if (action === 'show') {
      extra(3);
      const kind = kindOf(kindWord);
      if (!id) throw new UsageError(`show ${kind} needs the ${kind}'s id`);
      const { status, json } = await call(ROUTES[kind].list, { businessId, [ROUTES[kind].id]: id });
      if (status !== 200) return refused(io, status, json);
      io.out(JSON.stringify(json, null, 2));
      return 0;
    }
    if (action === 'delete') {
      extra(3);
      const kind = kindOf(kindWord);
      if (!id) throw new UsageError(`delete ${kind} needs the ${kind}'s id`);
      const { status, json } = await call(ROUTES[kind].delete, {}, { businessId, [ROUTES[kind].id]: id });
      if (status !== 200) return refused(io, status, json);
      io.out(`Deleted ${kind} ${id} of ${businessId}`);
      return 0;
    }
    if (action === 'get') {
      extra(2);
      if (kindWord !== 'rules') throw new UsageError('get needs rules (use show for agents, queues and macros)');
      const { status, json } = await call(ROUTING_ADMIN_ROUTES.getRules, { businessId });
      if (status !== 200) return refused(io, status, json);
      if (values.file) {
        const { rules, defaultQueueId, version } = json;
        await (deps.writeFile ?? ((p, t) => writeFile(p, t, 'utf8')))(
          values.file,
          `${JSON.stringify({ rules, defaultQueueId, expectedVersion: version }, null, 2)}\n`,
        );
        io.out(`Wrote version ${String(version)} of ${businessId}'s routing rules to ${values.file}`);
        io.out(`Put them back with: npm run routing -- put rules --business ${businessId} --file ${values.file}`);
      } else {
        io.out(JSON.stringify(json, null, 2));
      }
      return 0;
    }
    if (action === 'put') {
      extra(2);
      if (kindWord === 'rules') {
        if (!values.file) throw new UsageError('put rules needs --file <json>');
        const body = await readJson(values.file);
        const { status, json } = await call(
          ROUTING_ADMIN_ROUTES.putRules,
          {},
          { ...body, businessId, ...(expectedVersion !== undefined ? { expectedVersion } : {}) },
        );
        if (status !== 200) return refused(io, status, json);
        io.out(`Saved ${businessId}'s routing rules as version ${String(json.version)}`);
        return 0;
      }
      const kind = kindOf(kindWord);
      const item = values.file ? await readJson(values.file) : fromFlags(kind, values);
      const { status, json } = await call(ROUTES[kind].put, {}, { ...item, businessId, ...(expectedVersion !== undefined ? { expectedVersion } : {}) });
      if (status !== 200) return refused(io, status, json);
      io.out(`Saved ${kind} ${String(json[ROUTES[kind].id])} of ${businessId} as version ${String(json.version)}`);
      return 0;
    }
    if (action === 'tag-contact') {
      extra(1);
      if (!values.channel || !values.customer || values.tags === undefined) throw new UsageError('tag-contact needs --channel, --customer and --tags');
      const { status, json } = await call(
        ROUTING_ADMIN_ROUTES.putContactTags,
        {},
        { businessId, channel: values.channel, customerId: values.customer, tags: list(values.tags) },
      );
      if (status !== 200) return refused(io, status, json);
      const tags = Array.isArray(json.tags) ? (json.tags as string[]) : [];
      io.out(
        tags.length > 0
          ? `${values.channel} customer ${values.customer} is tagged ${tags.join(', ')}`
          : `${values.channel} customer ${values.customer} has no tags`,
      );
      return 0;
    }
    throw new UsageError(`Unknown action ${action}`);
  });
}

type FlagValues = Partial<Record<string, string | boolean>>;

/** An agent, queue or macro from flags; the API validates it and names any field it refuses. */
function fromFlags(kind: Kind, v: FlagValues): Record<string, unknown> {
  const s = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  if (!s('id') || !s('name')) throw new UsageError(`put ${kind} needs --file <json>, or --id and --name`);
  const optional = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });
  switch (kind) {
    case 'agent':
      return {
        agentId: s('id'),
        name: s('name'),
        languages: list(s('languages')) ?? [],
        ...optional('skills', list(s('skills'))),
        ...optional('channels', list(s('channels'))),
        ...optional('maxConcurrent', s('max') === undefined ? undefined : Number(s('max'))),
      };
    case 'queue':
      if (!s('first-response')) throw new UsageError('put queue needs --first-response <seconds> (the first-response SLA)');
      return {
        queueId: s('id'),
        name: s('name'),
        sla: { firstResponseSeconds: Number(s('first-response')) },
        ...optional('languages', list(s('languages'))),
        ...optional('channels', list(s('channels'))),
        ...optional('requiredSkills', list(s('skills'))),
        ...optional('priority', s('priority') === undefined ? undefined : Number(s('priority'))),
        ...optional('overflowQueueId', s('overflow')),
      };
    case 'macro':
      return {
        macroId: s('id'),
        name: s('name'),
        texts: { ...optional('es', s('text-es')), ...optional('pt', s('text-pt')), ...optional('en', s('text-en')) },
      };
  }
}

function summaryLine(kind: Kind, item: Record<string, unknown>): string {
  const join = (value: unknown) => (Array.isArray(value) && value.length > 0 ? value.join(',') : 'any');
  switch (kind) {
    case 'agent':
      return `${String(item.agentId)}  ${String(item.name)}  ${String(item.presence)}  load ${Array.isArray(item.activeConversationKeys) ? item.activeConversationKeys.length : 0}/${String(item.maxConcurrent)}  languages ${join(item.languages)}  skills ${join(item.skills)}  v${String(item.version)}`;
    case 'queue': {
      const sla = (item.sla ?? {}) as { firstResponseSeconds?: number };
      return `${String(item.queueId)}  ${String(item.name)}  priority ${String(item.priority)}  first response ${String(sla.firstResponseSeconds)}s  languages ${join(item.languages)}  channels ${join(item.channels)}${item.overflowQueueId ? `  overflow ${String(item.overflowQueueId)}` : ''}${item.hours ? '  (business hours)' : ''}  v${String(item.version)}`;
    }
    case 'macro':
      return `${String(item.macroId)}  ${String(item.name)}  ${Object.keys((item.texts ?? {}) as object).join(',')}  v${String(item.version)}`;
  }
}

function refused(io: CommandIo, status: number, json: Record<string, unknown>): number {
  io.err(refusalLine(status, json));
  if (status === 409 && typeof json.currentVersion === 'number') {
    io.err(`It is at version ${json.currentVersion}: show or get it again, apply your change, and put it with --expected-version ${json.currentVersion}.`);
  }
  return 1;
}
