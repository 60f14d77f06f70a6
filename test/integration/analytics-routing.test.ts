import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTable, type ExportResult } from '#lib/analytics/dynamodb-export';
import { duckDbItemType } from '#lib/analytics/export-schema';
import { ATHENA_DIALECT, athenaExportItemsView } from '#lib/analytics/flatten-views';
import { flattenViews, runMetricQueries, runMetrics, type MetricResult } from '#lib/analytics/duckdb-metrics';
import { METRIC_QUERIES } from '#lib/analytics/metric-queries';
import { putSeedRoutingConfig, stampRouting } from '#lib/analytics/seed/routing-story';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/*
 * Contact-centre conversations whose figures are worked out by hand (UTC, 2026-11-16 a Monday).
 * Business biz1 owns accounts 1 (WhatsApp) and 2 (Instagram); biz2 owns account 3; account 9 is
 * unknown, so Q7 names its business itself. Both businesses have a queue `general` and an agent
 * `ana`: the figures must never mix them.
 *
 *        queue    agent  queued    assigned  1st human  closed    outcome      SLA due   CSAT  notes
 *   Q1   general  ben    09:00:00  09:01:00  09:02:00   09:12:00  resolved     09:05:00  5
 *   Q2   general  ana    09:30:00  09:34:00  09:36:00   10:06:00  resolved     09:35:00  3     breached
 *   Q3   vip      ana    10:00:00  10:00:30  10:01:00   10:21:00  resolved     10:02:00  4     VIP, 1 transfer
 *   Q4   general  —      14:00:00  —         —          14:10:00  —            14:05:00        left the queue, breached
 *   Q5   general  ben    14:20:00  14:21:00  14:22:00   14:40:00  no_response  14:25:00        customer left
 *   Q6   general  —      15:00:00  —         —          (11-10)   —            15:05:00  (2)   waiting; close and score of an earlier handoff
 *   Q7   vip      ben    15:10:00  15:10:20  15:11:00   —         —            15:12:00        VIP, still open, unknown account
 *   Q8   general  ana    09:00:00  09:05:00  09:06:00   09:30:00  resolved     09:10:00  1     biz2
 *   Q9   general  ana    11-20 09:00:00 09:00:10 09:00:40 09:10:00 resolved    09:05:00
 *   Q10  never queued (the bot answered)
 */
const at = (time: string, date = '2026-11-16') => `${date}T${time}Z`;

function conversation(key: string, routing: Record<string, unknown>) {
  const [prefix, accountId] = key.split(':');
  return {
    pk: `CONV#${key}`,
    sk: 'CONV',
    entity: 'Conversation',
    conversationKey: key,
    channel: prefix === 'wa' ? 'whatsapp' : 'instagram',
    accountId,
    state: routing.closedAt ? 'closed' : 'human',
    createdAt: at('08:00:00'),
    transfers: 0,
    ...routing,
  };
}

const account = (accountId: string, channel: string, businessId: string) => ({
  pk: `ACCT#${accountId}`,
  sk: 'ACCOUNT',
  entity: 'ChannelAccount',
  accountId,
  channel,
  businessId,
  status: 'active',
});
const agent = (businessId: string, agentId: string, name: string) => ({
  pk: `ROUTING#${businessId}`,
  sk: `AGENT#${agentId}`,
  entity: 'RoutingAgent',
  agentId,
  name,
  maxConcurrent: 3,
  languages: ['es'],
  presence: 'offline',
});
const queue = (businessId: string, queueId: string, name: string, firstResponseSeconds: number) => ({
  pk: `ROUTING#${businessId}`,
  sk: `QUEUE#${queueId}`,
  entity: 'RoutingQueue',
  queueId,
  name,
  priority: 50,
  sla: { firstResponseSeconds, warnAtShare: 0.8 },
});

const ITEMS: Array<Record<string, unknown>> = [
  account('1', 'whatsapp', 'biz1'),
  account('2', 'instagram', 'biz1'),
  account('3', 'whatsapp', 'biz2'),
  agent('biz1', 'ana', 'Ana Souza'),
  agent('biz1', 'ben', 'Ben Ortiz'),
  agent('biz2', 'ana', 'Ana Ruiz'),
  queue('biz1', 'general', 'General support', 300),
  queue('biz1', 'vip', 'VIP', 120),
  queue('biz2', 'general', 'Soporte', 600),
  conversation('wa:1:901', {
    routingStatus: 'closed',
    queueId: 'general',
    routingPriority: 50,
    queuedAt: at('09:00:00'),
    assignedAgentId: 'ben',
    assignedAt: at('09:01:00'),
    firstHumanResponseAt: at('09:02:00'),
    closedAt: at('09:12:00'),
    closeOutcome: 'resolved',
    slaFirstResponseDueAt: at('09:05:00'),
    slaState: 'ok',
    csatScore: 5,
    csatAnsweredAt: at('09:13:00'),
  }),
  conversation('wa:1:902', {
    routingStatus: 'closed',
    queueId: 'general',
    routingPriority: 50,
    queuedAt: at('09:30:00'),
    assignedAgentId: 'ana',
    assignedAt: at('09:34:00'),
    firstHumanResponseAt: at('09:36:00'),
    closedAt: at('10:06:00'),
    closeOutcome: 'resolved',
    slaFirstResponseDueAt: at('09:35:00'),
    slaState: 'breached',
    csatScore: 3,
    csatAnsweredAt: at('10:07:00'),
  }),
  conversation('wa:1:903', {
    routingStatus: 'closed',
    queueId: 'vip',
    routingPriority: 90,
    tags: new Set(['vip', 'complaint']),
    queuedAt: at('10:00:00'),
    assignedAgentId: 'ana',
    assignedAt: at('10:00:30'),
    firstHumanResponseAt: at('10:01:00'),
    closedAt: at('10:21:00'),
    closeOutcome: 'resolved',
    slaFirstResponseDueAt: at('10:02:00'),
    slaState: 'ok',
    transfers: 1,
    csatScore: 4,
    csatAnsweredAt: at('10:22:00'),
  }),
  conversation('ig:2:904', {
    routingStatus: 'closed',
    queueId: 'general',
    routingPriority: 50,
    tags: new Set(['complaint']),
    queuedAt: at('14:00:00'),
    closedAt: at('14:10:00'),
    slaFirstResponseDueAt: at('14:05:00'),
    slaState: 'breached',
  }),
  conversation('ig:2:905', {
    routingStatus: 'closed',
    queueId: 'general',
    routingPriority: 50,
    queuedAt: at('14:20:00'),
    assignedAgentId: 'ben',
    assignedAt: at('14:21:00'),
    firstHumanResponseAt: at('14:22:00'),
    closedAt: at('14:40:00'),
    closeOutcome: 'no_response',
    slaFirstResponseDueAt: at('14:25:00'),
    slaState: 'ok',
  }),
  conversation('wa:1:906', {
    routingStatus: 'queued',
    queueId: 'general',
    routingPriority: 50,
    queuedAt: at('15:00:00'),
    slaFirstResponseDueAt: at('15:05:00'),
    slaState: 'warning',
    closedAt: at('15:00:00', '2026-11-10'),
    closeOutcome: 'resolved',
    csatScore: 2,
    csatAnsweredAt: at('15:01:00', '2026-11-10'),
  }),
  conversation('wa:9:907', {
    businessId: 'biz1',
    routingStatus: 'assigned',
    queueId: 'vip',
    routingPriority: 90,
    tags: new Set(['vip']),
    queuedAt: at('15:10:00'),
    assignedAgentId: 'ben',
    assignedAt: at('15:10:20'),
    firstHumanResponseAt: at('15:11:00'),
    slaFirstResponseDueAt: at('15:12:00'),
    slaState: 'ok',
  }),
  conversation('wa:3:908', {
    routingStatus: 'closed',
    queueId: 'general',
    routingPriority: 50,
    queuedAt: at('09:00:00'),
    assignedAgentId: 'ana',
    assignedAt: at('09:05:00'),
    firstHumanResponseAt: at('09:06:00'),
    closedAt: at('09:30:00'),
    closeOutcome: 'resolved',
    slaFirstResponseDueAt: at('09:10:00'),
    slaState: 'ok',
    csatScore: 1,
    csatAnsweredAt: at('09:31:00'),
  }),
  conversation('wa:1:909', {
    routingStatus: 'closed',
    queueId: 'general',
    routingPriority: 50,
    queuedAt: at('09:00:00', '2026-11-20'),
    assignedAgentId: 'ana',
    assignedAt: at('09:00:10', '2026-11-20'),
    firstHumanResponseAt: at('09:00:40', '2026-11-20'),
    closedAt: at('09:10:00', '2026-11-20'),
    closeOutcome: 'resolved',
    slaFirstResponseDueAt: at('09:05:00', '2026-11-20'),
    slaState: 'ok',
  }),
  { ...conversation('wa:1:910', {}), state: 'bot', transfers: undefined },
];

const rowsOf = (results: MetricResult[], name: string) => results.find((r) => r.query.name === name)?.rows;
const ROUTING_QUERIES = METRIC_QUERIES.filter((q) => ['queue_performance', 'agent_performance', 'queue_volume_by_hour'].includes(q.name));

let table: TestTable & { newTable(): Promise<string> };
let root: string;
let exported: ExportResult;
let results: MetricResult[];

beforeAll(async () => {
  table = await startTestTable();
  root = mkdtempSync(join(tmpdir(), 'analytics-routing-'));
  const items = ITEMS.map((item) => Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)));
  for (let i = 0; i < items.length; i += 25) {
    await table.db.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  exported = await exportTable({ client: table.local.client, tableName: table.tableName, root, segments: 2 });
  results = await runMetrics(exported.dataFiles, ROUTING_QUERIES);
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await table?.stop();
});

describe('contact-centre figures per queue and per agent (DuckDB over the export)', () => {
  it('per queue: volume, abandoned, FRT, wait, TMO, FCR, CSAT, SLA met and transfers, each business apart', () => {
    expect(rowsOf(results, 'queue_performance')).toEqual([
      {
        business_id: 'biz1',
        queue_id: 'general',
        queue_name: 'General support',
        queued: 6,
        vip: 0,
        handled: 4,
        abandoned: 2,
        abandoned_pct: 33.3,
        frt_median_s: 120,
        frt_p90_s: 360,
        avg_wait_s: 92.5,
        avg_handling_s: 1077.5,
        closed: 5,
        fcr_pct: 60,
        csat_avg: 4,
        csat_responses: 2,
        sla_met_pct: 60,
        sla_measured: 5,
        transferred: 0,
        transfers: 0,
      },
      {
        business_id: 'biz1',
        queue_id: 'vip',
        queue_name: 'VIP',
        queued: 2,
        vip: 2,
        handled: 2,
        abandoned: 0,
        abandoned_pct: 0,
        frt_median_s: 60,
        frt_p90_s: 60,
        avg_wait_s: 25,
        avg_handling_s: 1230,
        closed: 1,
        fcr_pct: 0,
        csat_avg: 4,
        csat_responses: 1,
        sla_met_pct: 100,
        sla_measured: 2,
        transferred: 1,
        transfers: 1,
      },
      {
        business_id: 'biz2',
        queue_id: 'general',
        queue_name: 'Soporte',
        queued: 1,
        vip: 0,
        handled: 1,
        abandoned: 0,
        abandoned_pct: 0,
        frt_median_s: 360,
        frt_p90_s: 360,
        avg_wait_s: 300,
        avg_handling_s: 1500,
        closed: 1,
        fcr_pct: 100,
        csat_avg: 1,
        csat_responses: 1,
        sla_met_pct: 100,
        sla_measured: 1,
        transferred: 0,
        transfers: 0,
      },
    ]);
  });

  it('per agent: the conversations each took, with names from the agent items', () => {
    expect(rowsOf(results, 'agent_performance')).toEqual([
      {
        business_id: 'biz1',
        agent_id: 'ana',
        agent_name: 'Ana Souza',
        handled: 3,
        vip: 1,
        frt_median_s: 60,
        frt_p90_s: 360,
        avg_wait_s: 93.3,
        avg_handling_s: 1246.7,
        closed: 3,
        fcr_pct: 66.7,
        csat_avg: 3.5,
        csat_responses: 2,
        sla_met_pct: 66.7,
        sla_measured: 3,
        transferred_in: 1,
        abandoned: 0,
      },
      {
        business_id: 'biz1',
        agent_id: 'ben',
        agent_name: 'Ben Ortiz',
        handled: 3,
        vip: 1,
        frt_median_s: 120,
        frt_p90_s: 120,
        avg_wait_s: 46.7,
        avg_handling_s: 900,
        closed: 2,
        fcr_pct: 50,
        csat_avg: 5,
        csat_responses: 1,
        sla_met_pct: 100,
        sla_measured: 3,
        transferred_in: 0,
        abandoned: 1,
      },
      {
        business_id: 'biz2',
        agent_id: 'ana',
        agent_name: 'Ana Ruiz',
        handled: 1,
        vip: 0,
        frt_median_s: 360,
        frt_p90_s: 360,
        avg_wait_s: 300,
        avg_handling_s: 1500,
        closed: 1,
        fcr_pct: 100,
        csat_avg: 1,
        csat_responses: 1,
        sla_met_pct: 100,
        sla_measured: 1,
        transferred_in: 0,
        abandoned: 0,
      },
    ]);
  });

  it('per queue and hour: queued, VIP, answered within the SLA, abandoned', () => {
    expect(rowsOf(results, 'queue_volume_by_hour')).toEqual([
      { business_id: 'biz1', queue_id: 'general', hour: 9, queued: 3, vip: 0, within_sla: 2, abandoned: 0 },
      { business_id: 'biz1', queue_id: 'general', hour: 14, queued: 2, vip: 0, within_sla: 1, abandoned: 2 },
      { business_id: 'biz1', queue_id: 'general', hour: 15, queued: 1, vip: 0, within_sla: 0, abandoned: 0 },
      { business_id: 'biz1', queue_id: 'vip', hour: 10, queued: 1, vip: 1, within_sla: 1, abandoned: 0 },
      { business_id: 'biz1', queue_id: 'vip', hour: 15, queued: 1, vip: 1, within_sla: 1, abandoned: 0 },
      { business_id: 'biz2', queue_id: 'general', hour: 9, queued: 1, vip: 0, within_sla: 1, abandoned: 0 },
    ]);
  });

  it('a report period keeps the conversations queued within it', async () => {
    const period = { fromMs: Date.parse(at('12:00:00')), toMs: Date.parse(at('00:00:00', '2026-11-17')) };
    const narrowed = await runMetrics(exported.dataFiles, ROUTING_QUERIES, period);
    expect(rowsOf(narrowed, 'queue_performance')).toEqual([
      {
        business_id: 'biz1',
        queue_id: 'general',
        queue_name: 'General support',
        queued: 3,
        vip: 0,
        handled: 1,
        abandoned: 2,
        abandoned_pct: 66.7,
        frt_median_s: 120,
        frt_p90_s: 120,
        avg_wait_s: 60,
        avg_handling_s: 1140,
        closed: 2,
        fcr_pct: 0,
        csat_avg: null,
        csat_responses: 0,
        sla_met_pct: 50,
        sla_measured: 2,
        transferred: 0,
        transfers: 0,
      },
      {
        business_id: 'biz1',
        queue_id: 'vip',
        queue_name: 'VIP',
        queued: 1,
        vip: 1,
        handled: 1,
        abandoned: 0,
        abandoned_pct: 0,
        frt_median_s: 60,
        frt_p90_s: 60,
        avg_wait_s: 20,
        avg_handling_s: null,
        closed: 0,
        fcr_pct: null,
        csat_avg: null,
        csat_responses: 0,
        sla_met_pct: 100,
        sla_measured: 1,
        transferred: 0,
        transfers: 0,
      },
    ]);
    expect(rowsOf(narrowed, 'agent_performance')?.map((r) => [r.agent_id, r.handled])).toEqual([['ben', 2]]);
  });
});

/* The Athena views (Trino functions as DuckDB macros, as in analytics.test.ts) must give the same rows. */
describe('the Athena views over the same export files', () => {
  it('give the same per-queue and per-agent figures', async () => {
    const files = exported.dataFiles.map((f) => `'${f}'`).join(', ');
    const type = duckDbItemType().replaceAll("'", "''");
    const athena = await runMetricQueries(
      [
        "CREATE MACRO from_iso8601_timestamp(s) AS CAST(replace(replace(s, 'T', ' '), 'Z', '') AS TIMESTAMP)",
        'CREATE MACRO try(x) AS x',
        'CREATE MACRO to_unixtime(ts) AS epoch(ts)',
        'CREATE MACRO day_of_week(ts) AS isodow(ts)',
        `CREATE TABLE dynamodb_export AS SELECT Item AS item, filename AS "$path" FROM read_json([${files}], format = 'newline_delimited', columns = {Item: '${type}'}, filename = true)`,
        athenaExportItemsView('dynamodb_export'),
        ...flattenViews(ATHENA_DIALECT),
      ],
      ROUTING_QUERIES,
    );
    expect(athena.map((r) => r.rows)).toEqual(results.map((r) => r.rows));
    expect(athena.every((r) => r.rows.length > 0)).toBe(true);
  });
});

describe('the seed writes routing facts on played conversations (DynamoDB Local)', () => {
  it('adds the queues and agents once, stamps a handoff from its own times, and the analytics read it', async () => {
    const tableName = await table.newTable();
    const key = 'wa:1:555';
    const put = (Item: Record<string, unknown>) => table.db.send(new PutCommand({ TableName: tableName, Item }));
    await put(account('1', 'whatsapp', 'local'));
    await put({ ...conversation(key, {}), state: 'closed', handoffRequestedAt: at('09:00:00'), closedAt: at('09:40:00') });
    const msg = (id: string, origin: string, occurredAt: string, extra: Record<string, unknown> = {}) =>
      put({ pk: `CONV#${key}`, sk: `MSG#${id}`, entity: 'Message', messageId: id, conversationKey: key, direction: 'outbound', origin, occurredAt, ...extra });
    await msg('a', 'agent', at('08:59:58'));
    await msg('b', 'human_agent', at('09:12:00'));
    await msg('c', 'human_agent', at('09:20:00'));
    await msg('d', 'human_agent', at('09:40:00'), { replyKind: 'csat_question' });
    await put(agent('local', 'marta', 'Marta (kept)'));

    expect(await putSeedRoutingConfig(table.db, tableName, 'local', new Date(at('10:00:00')))).toBe(9);
    expect(await putSeedRoutingConfig(table.db, tableName, 'local', new Date(at('10:00:00')))).toBe(0);
    const plan = {
      vip: true,
      queueId: 'vip',
      agentId: 'marta',
      transfers: 1,
      outcome: 'resolved' as const,
      answerAfterAcceptMs: 30_000,
      acceptAfterOfferMs: 5_000,
    };
    expect(await stampRouting(table.db, tableName, key, plan, 'local')).toBe(true);
    expect(await stampRouting(table.db, tableName, 'wa:1:none', plan, 'local')).toBe(false);

    const item = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${key}`, sk: 'CONV' } }))).Item;
    expect(item).toMatchObject({
      routingStatus: 'closed',
      queueId: 'vip',
      assignedAgentId: 'marta',
      queuedAt: at('09:00:00').replace('Z', '.000Z'),
      assignedAt: '2026-11-16T09:11:30.000Z',
      firstHumanResponseAt: '2026-11-16T09:12:00.000Z',
      slaFirstResponseDueAt: '2026-11-16T09:05:00.000Z',
      slaState: 'breached',
      transfers: 1,
      closeOutcome: 'resolved',
      state: 'closed',
    });
    expect(item?.tags).toEqual(new Set(['vip']));

    const dir = mkdtempSync(join(tmpdir(), 'analytics-seed-'));
    try {
      const seeded = await exportTable({ client: table.local.client, tableName, root: dir, segments: 1 });
      const [queues, agents] = await runMetrics(seeded.dataFiles, ROUTING_QUERIES);
      expect(queues!.rows).toEqual([
        expect.objectContaining({
          business_id: 'local',
          queue_id: 'vip',
          queue_name: 'VIP',
          queued: 1,
          vip: 1,
          handled: 1,
          frt_median_s: 720,
          avg_wait_s: 690,
          avg_handling_s: 1710,
          fcr_pct: 0,
          sla_met_pct: 0,
          transferred: 1,
        }),
      ]);
      expect(agents!.rows).toEqual([expect.objectContaining({ agent_id: 'marta', agent_name: 'Marta (kept)', handled: 1, transferred_in: 1 })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
