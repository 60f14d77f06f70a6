import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTable, newestExport, type ExportResult } from '#lib/analytics/dynamodb-export';
import { duckDbItemType } from '#lib/analytics/export-schema';
import { ATHENA_DIALECT, athenaExportItemsView } from '#lib/analytics/flatten-views';
import { flattenViews, runMetricQueries, runMetrics, type MetricResult } from '#lib/analytics/duckdb-metrics';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/*
 * A small table whose metrics are worked out by hand (all times UTC; 2026-11-16 is a Monday):
 *   A  wa:1:111  customer 09:00:00, bot 09:00:02; a failed bot message (131026); a marketing template
 *   B  wa:1:222  customer 09:30:00, bot handoff 09:30:04, person 09:40:04, closed 10:00:04, CSAT 5 (tap)
 *                at 10:01:00, a reply refused by our rules (window_closed); one imported history message
 *   C  ig:2:333  customer 14:00:00 and 14:00:30, bot 14:00:10, handoff 14:00:40, person 14:05:40,
 *                closed 14:20:40, CSAT 2 (typed) at 14:21:00, back on Wednesday 11-18 10:00 (bot 10:00:01)
 *   D  wa:1:444  imported history only
 */
const day = (time: string, date = '2026-11-16') => `${date}T${time}Z`;

function conversation(key: string, extra: Record<string, unknown>) {
  const [prefix] = key.split(':');
  return {
    pk: `CONV#${key}`,
    sk: 'CONV',
    entity: 'Conversation',
    conversationKey: key,
    channel: prefix === 'wa' ? 'whatsapp' : 'instagram',
    accountId: key.split(':')[1],
    ...extra,
  };
}

let seq = 0;
function message(key: string, direction: 'inbound' | 'outbound', origin: string, occurredAt: string, extra: Record<string, unknown> = {}) {
  const id = `m${++seq}`;
  const [prefix] = key.split(':');
  return {
    pk: `CONV#${key}`,
    sk: `MSG#${id}`,
    lsi1sk: `MSG#${occurredAt}#${id}`,
    entity: 'Message',
    messageId: id,
    conversationKey: key,
    channel: prefix === 'wa' ? 'whatsapp' : 'instagram',
    accountId: key.split(':')[1],
    direction,
    origin,
    type: 'text',
    occurredAt,
    ...extra,
  };
}

const service = { pricingCategory: 'service', billable: false };
const A = 'wa:1:111';
const B = 'wa:1:222';
const C = 'ig:2:333';
const D = 'wa:1:444';
const csatB = message(B, 'inbound', 'customer', day('10:01:00'), { type: 'choice', choiceId: 'csat:5' });
const csatC = message(C, 'inbound', 'customer', day('14:21:00'), { text: '2' });

const ITEMS: Array<Record<string, unknown>> = [
  conversation(A, { state: 'bot', createdAt: day('09:00:00') }),
  message(A, 'inbound', 'customer', day('09:00:00')),
  message(A, 'outbound', 'agent', day('09:00:02'), { status: 'read', deliveredAt: day('09:00:03'), readAt: day('09:00:09'), ...service }),
  message(A, 'outbound', 'agent', day('09:05:00'), { status: 'failed', failedAt: day('09:05:01'), errorCode: 131026, errorTitle: 'Message undeliverable' }),
  message(A, 'outbound', 'campaign', day('12:00:00'), {
    type: 'template',
    template: { name: 'promo_nov', language: 'en_US', category: 'marketing' },
    status: 'delivered',
    deliveredAt: day('12:00:05'),
    pricingCategory: 'marketing',
    billable: true,
  }),
  conversation(B, {
    state: 'closed',
    createdAt: day('08:00:00', '2026-10-01'),
    handoffReason: 'no_answer',
    handoffRequestedAt: day('09:30:04'),
    closedAt: day('10:00:04'),
    csatRequestedAt: day('10:00:04'),
    csatScore: 5,
    csatAnsweredAt: day('10:01:00'),
    csatMessageId: csatB.messageId,
    importedCount: 1,
  }),
  message(B, 'inbound', 'history', day('08:00:00', '2026-10-01')),
  message(B, 'inbound', 'customer', day('09:30:00')),
  message(B, 'outbound', 'agent', day('09:30:04'), { status: 'delivered', deliveredAt: day('09:30:05'), replyKind: 'handoff', ...service }),
  message(B, 'outbound', 'human_agent', day('09:40:04'), { status: 'read', deliveredAt: day('09:40:05'), readAt: day('09:41:00'), ...service }),
  message(B, 'outbound', 'human_agent', day('10:00:04'), {
    status: 'read',
    deliveredAt: day('10:00:05'),
    readAt: day('10:00:30'),
    replyKind: 'csat_question',
    ...service,
  }),
  csatB,
  message(B, 'outbound', 'agent', day('11:00:00'), { status: 'failed', failedAt: day('11:00:00'), failureReason: 'window_closed' }),
  conversation(C, {
    state: 'bot',
    createdAt: day('14:00:00'),
    handoffReason: 'customer_request',
    handoffRequestedAt: day('14:00:40'),
    closedAt: day('14:20:40'),
    reopenedAt: day('10:00:00', '2026-11-18'),
    csatRequestedAt: day('14:20:40'),
    csatScore: 2,
    csatAnsweredAt: day('14:21:00'),
    csatMessageId: csatC.messageId,
  }),
  message(C, 'inbound', 'customer', day('14:00:00')),
  message(C, 'outbound', 'agent', day('14:00:10'), { status: 'read', deliveredAt: day('14:00:11'), readAt: day('14:00:20') }),
  message(C, 'inbound', 'customer', day('14:00:30')),
  message(C, 'outbound', 'agent', day('14:00:40'), { status: 'delivered', deliveredAt: day('14:00:41'), replyKind: 'handoff' }),
  message(C, 'outbound', 'human_agent', day('14:05:40'), { status: 'sent', sentAt: day('14:05:41') }),
  message(C, 'outbound', 'human_agent', day('14:20:40'), { status: 'sent', sentAt: day('14:20:41'), replyKind: 'csat_question' }),
  csatC,
  message(C, 'inbound', 'customer', day('10:00:00', '2026-11-18')),
  message(C, 'outbound', 'agent', day('10:00:01', '2026-11-18'), { status: 'delivered', deliveredAt: day('10:00:02', '2026-11-18') }),
  conversation(D, { state: 'bot', createdAt: day('08:00:00', '2026-10-02'), importedCount: 2 }),
  message(D, 'inbound', 'history', day('08:00:00', '2026-10-02')),
  message(D, 'outbound', 'history', day('08:01:00', '2026-10-02')),
  // Items of other kinds are in every export too; the views must leave them out.
  { pk: 'PMID#x', sk: 'PMID', entity: 'ProviderMessageId', conversationKey: A, messageSk: 'MSG#m2' },
  { pk: `CONV#${B}`, sk: 'STATUS#m9#read', entity: 'StatusChange', status: 'read', occurredAt: day('09:41:00'), blob: new Uint8Array([1, 2, 3]) },
];

const rowsOf = (results: MetricResult[], name: string) => results.find((r) => r.query.name === name)?.rows;

let table: TestTable;
let root: string;
let exported: ExportResult;
let results: MetricResult[];

beforeAll(async () => {
  table = await startTestTable();
  root = mkdtempSync(join(tmpdir(), 'analytics-export-'));
  for (let i = 0; i < ITEMS.length; i += 25) {
    await table.db.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: ITEMS.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  exported = await exportTable({ client: table.local.client, tableName: table.tableName, root, segments: 3 });
  results = await runMetrics(exported.dataFiles);
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await table?.stop();
});

describe('local export in the DynamoDB export format', () => {
  it('writes the manifests and one gzipped DynamoDB JSON line per item', () => {
    const dir = join(root, 'AWSDynamoDB', exported.exportId);
    expect(readdirSync(dir).sort()).toEqual(
      ['_started', 'data', 'manifest-files.checksum', 'manifest-files.json', 'manifest-summary.checksum', 'manifest-summary.json'].sort(),
    );
    const summary = JSON.parse(readFileSync(join(dir, 'manifest-summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      version: '2020-06-30',
      itemCount: ITEMS.length,
      outputFormat: 'DYNAMODB_JSON',
      exportType: 'FULL_EXPORT',
      manifestFilesS3Key: `AWSDynamoDB/${exported.exportId}/manifest-files.json`,
    });
    expect(summary.exportArn).toMatch(new RegExp(`:table/${table.tableName}/export/${exported.exportId}$`));
    expect(exported.exportId).toMatch(/^\d{14}-[0-9a-f]{8}$/);

    const entries = readFileSync(join(dir, 'manifest-files.json'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(3);
    const lines = entries.flatMap((e) => {
      expect(e.dataFileS3Key).toMatch(new RegExp(`^AWSDynamoDB/${exported.exportId}/data/[0-9a-f]+\\.json\\.gz$`));
      const text = gunzipSync(readFileSync(join(root, e.dataFileS3Key))).toString('utf8');
      const fileLines = text.split('\n').filter((l) => l !== '');
      expect(fileLines).toHaveLength(e.itemCount);
      return fileLines.map((l) => JSON.parse(l));
    });
    expect(lines).toHaveLength(ITEMS.length);
    const status = lines.find((l) => l.Item.sk.S === 'STATUS#m9#read');
    expect(status).toEqual({
      Item: {
        pk: { S: `CONV#${B}` },
        sk: { S: 'STATUS#m9#read' },
        entity: { S: 'StatusChange' },
        status: { S: 'read' },
        occurredAt: { S: day('09:41:00') },
        blob: { B: Buffer.from([1, 2, 3]).toString('base64') },
      },
    });
    const template = lines.find((l) => l.Item.template)?.Item;
    expect(template.template).toEqual({ M: { name: { S: 'promo_nov' }, language: { S: 'en_US' }, category: { S: 'marketing' } } });
    expect(template.billable).toEqual({ BOOL: true });
  });

  it('finds the newest export by its id', async () => {
    const second = await exportTable({ client: table.local.client, tableName: table.tableName, root, segments: 1 });
    const newest = newestExport(root);
    expect(newest?.exportId).toBe(second.exportId);
    expect(newest?.dataFiles).toEqual(second.dataFiles);
    expect(second.exportId > exported.exportId).toBe(true);
  });
});

describe('metric queries over the export (DuckDB)', () => {
  it('first response time: median and p90 by channel and hour, imported history left out', () => {
    expect(rowsOf(results, 'first_response_time')).toEqual([
      { channel: 'instagram', hour: null, conversations: 1, median_s: 10, p90_s: 10 },
      { channel: 'instagram', hour: 14, conversations: 1, median_s: 10, p90_s: 10 },
      { channel: 'whatsapp', hour: null, conversations: 2, median_s: 2, p90_s: 4 },
      { channel: 'whatsapp', hour: 9, conversations: 2, median_s: 2, p90_s: 4 },
      { channel: 'all', hour: null, conversations: 3, median_s: 4, p90_s: 10 },
    ]);
  });

  it('handling time: wait for a person and handoff to close', () => {
    expect(rowsOf(results, 'handling_time')).toEqual([
      { channel: 'instagram', handed_off: 1, answered_by_person: 1, closed: 1, avg_wait_s: 300, avg_handling_s: 1200, median_handling_s: 1200 },
      { channel: 'whatsapp', handed_off: 1, answered_by_person: 1, closed: 1, avg_wait_s: 600, avg_handling_s: 1800, median_handling_s: 1800 },
      { channel: 'all', handed_off: 2, answered_by_person: 2, closed: 2, avg_wait_s: 450, avg_handling_s: 1500, median_handling_s: 1200 },
    ]);
  });

  it('first-contact resolution: a CSAT answer is not coming back, a new question is', () => {
    expect(rowsOf(results, 'first_contact_resolution')).toEqual([
      { channel: 'instagram', closed: 1, resolved_first_contact: 0, fcr_pct: 0 },
      { channel: 'whatsapp', closed: 1, resolved_first_contact: 1, fcr_pct: 100 },
      { channel: 'all', closed: 2, resolved_first_contact: 1, fcr_pct: 50 },
    ]);
  });

  it('CSAT distribution over the five scores', () => {
    expect(rowsOf(results, 'csat_distribution')).toEqual([
      { score: 1, responses: 0, share_pct: 0, asked: 2 },
      { score: 2, responses: 1, share_pct: 50, asked: 2 },
      { score: 3, responses: 0, share_pct: 0, asked: 2 },
      { score: 4, responses: 0, share_pct: 0, asked: 2 },
      { score: 5, responses: 1, share_pct: 50, asked: 2 },
    ]);
  });

  it('bot containment and handoff rate count only conversations with live customer messages', () => {
    expect(rowsOf(results, 'bot_containment')).toEqual([
      { channel: 'instagram', conversations: 1, contained: 0, handed_off: 1, containment_pct: 0, handoff_pct: 100 },
      { channel: 'whatsapp', conversations: 2, contained: 1, handed_off: 1, containment_pct: 50, handoff_pct: 50 },
      { channel: 'all', conversations: 3, contained: 1, handed_off: 2, containment_pct: 33.3, handoff_pct: 66.7 },
    ]);
    expect(rowsOf(results, 'handoff_reasons')).toEqual([
      { reason: 'customer_request', conversations: 1, share_pct: 50 },
      { reason: 'no_answer', conversations: 1, share_pct: 50 },
    ]);
  });

  it('volume by channel, weekday and hour without imported history', () => {
    expect(rowsOf(results, 'volume')).toEqual([
      { channel: 'instagram', weekday: 1, hour: 14, new_conversations: 1, customer_messages: 3 },
      { channel: 'instagram', weekday: 3, hour: 10, new_conversations: 0, customer_messages: 1 },
      { channel: 'whatsapp', weekday: 1, hour: 9, new_conversations: 2, customer_messages: 2 },
      { channel: 'whatsapp', weekday: 1, hour: 10, new_conversations: 0, customer_messages: 1 },
    ]);
  });

  it('delivery failure rate by Meta error code, our own refusals apart', () => {
    expect(rowsOf(results, 'delivery_failures')).toEqual([
      { channel: 'instagram', error: 'all', title: null, failed: 0, attempted: 5, failure_rate_pct: 0 },
      { channel: 'whatsapp', error: 'all', title: null, failed: 2, attempted: 7, failure_rate_pct: 28.57 },
      { channel: 'whatsapp', error: '131026', title: 'Message undeliverable', failed: 1, attempted: 7, failure_rate_pct: 14.29 },
      { channel: 'whatsapp', error: 'rule:window_closed', title: null, failed: 1, attempted: 7, failure_rate_pct: 14.29 },
    ]);
  });

  it('template sends by category and what Meta bills', () => {
    expect(rowsOf(results, 'template_sends')).toEqual([
      { kind: 'template', template_category: 'marketing', pricing_category: 'marketing', sends: 1, billable_sends: 1, delivered: 1, failed: 0 },
      { kind: 'free-form', template_category: '-', pricing_category: 'service', sends: 4, billable_sends: 0, delivered: 4, failed: 0 },
      { kind: 'free-form', template_category: '-', pricing_category: 'not reported', sends: 2, billable_sends: 0, delivered: 0, failed: 2 },
    ]);
  });
});

/*
 * Athena cannot run here, so its views run in DuckDB over the same files with the few Trino
 * functions they use defined as macros; the Glue table becomes a DuckDB table with the lower-case
 * `item` column and the hidden "$path" column Athena provides. Every metric must come out the same.
 */
describe('the Athena views over the same export files', () => {
  it('give the same metrics as the DuckDB views', async () => {
    const files = exported.dataFiles.map((f) => `'${f}'`).join(', ');
    const type = duckDbItemType().replaceAll("'", "''");
    const setup = [
      "CREATE MACRO from_iso8601_timestamp(s) AS CAST(replace(replace(s, 'T', ' '), 'Z', '') AS TIMESTAMP)",
      'CREATE MACRO try(x) AS x',
      'CREATE MACRO to_unixtime(ts) AS epoch(ts)',
      'CREATE MACRO day_of_week(ts) AS isodow(ts)',
      `CREATE TABLE dynamodb_export AS SELECT Item AS item, filename AS "$path" FROM read_json([${files}], format = 'newline_delimited', columns = {Item: '${type}'}, filename = true)`,
      // A manifest line under the same prefix reads as a row without an item.
      `INSERT INTO dynamodb_export VALUES (NULL, '${root}/AWSDynamoDB/${exported.exportId}/manifest-files.json')`,
      athenaExportItemsView('dynamodb_export'),
      ...flattenViews(ATHENA_DIALECT),
    ];
    const athena = await runMetricQueries(setup);
    expect(athena.map((r) => r.rows)).toEqual(results.map((r) => r.rows));
  });
});
