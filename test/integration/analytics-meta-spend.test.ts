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
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/*
 * Meta spend worked out by hand. Business biz1 owns WhatsApp account 1; account 3 belongs to biz2.
 *   conversation  outcome                message  priced on   category   country  charge   delivered
 *   wa:1:A        closed resolved        a1       11-16      marketing  BR       0.0625   yes
 *                                        a2       11-16      service    BR       0 (free_customer_service)
 *   wa:1:B        ended resolved_by_bot  b1       11-16      marketing  BR       0.0625   yes
 *                                        b2       11-17      utility    MX       0.0085   read
 *   wa:1:C        closed unresolved      c1       11-17      marketing  BR       0.0625   no (failed): not charged
 *                                        c2       11-17      service    BR       none (billable, no rate): unpriced
 *   wa:3:D        closed converted       d1       11-17      utility    CO       0.0008   yes
 * biz1 spend: 0.0625 + 0.0625 + 0.0085 = 0.1335 over 3 conversations, 2 resolved → 0.06675 each.
 */
const at = (day: string, time = '10:00:00') => `2026-11-${day}T${time}Z`;
const conversation = (key: string, extra: Record<string, unknown>) => ({
  pk: `CONV#${key}`,
  sk: 'CONV',
  entity: 'Conversation',
  conversationKey: key,
  channel: 'whatsapp',
  accountId: key.split(':')[1],
  state: 'closed',
  createdAt: at('16', '08:00:00'),
  ...extra,
});
const message = (key: string, id: string, day: string, extra: Record<string, unknown>) => ({
  pk: `CONV#${key}`,
  sk: `MSG#${id}`,
  lsi1sk: `MSG#${at(day)}#${id}`,
  entity: 'Message',
  messageId: id,
  providerMessageId: `wamid.${id}`,
  conversationKey: key,
  channel: 'whatsapp',
  accountId: key.split(':')[1],
  direction: 'outbound',
  origin: 'agent',
  type: 'text',
  occurredAt: at(day),
  status: 'delivered',
  metaPricingModel: 'PMP',
  metaPricingType: 'regular',
  metaBillable: true,
  rateCardDate: '2026-04-01',
  metaPricedAt: at(day, '10:00:01'),
  ...extra,
});

const ITEMS: Array<Record<string, unknown>> = [
  { pk: 'ACCT#1', sk: 'ACCOUNT', entity: 'ChannelAccount', accountId: '1', channel: 'whatsapp', businessId: 'biz1', status: 'active' },
  { pk: 'ACCT#3', sk: 'ACCOUNT', entity: 'ChannelAccount', accountId: '3', channel: 'whatsapp', businessId: 'biz2', status: 'active' },
  conversation('wa:1:A', { closedAt: at('16', '11:00:00'), closeOutcome: 'resolved' }),
  conversation('wa:1:B', { state: 'bot', endedAt: at('17', '11:00:00'), endOutcome: 'resolved_by_bot' }),
  conversation('wa:1:C', { closedAt: at('17', '11:00:00'), closeOutcome: 'unresolved' }),
  conversation('wa:3:D', { closedAt: at('17', '11:00:00'), closeOutcome: 'converted' }),
  message('wa:1:A', 'a1', '16', { type: 'template', origin: 'campaign', metaCategory: 'marketing', recipientCountry: 'BR', metaChargeUsd: 0.0625 }),
  message('wa:1:A', 'a2', '16', {
    metaCategory: 'service',
    recipientCountry: 'BR',
    metaPricingType: 'free_customer_service',
    metaBillable: false,
    metaChargeUsd: 0,
  }),
  message('wa:1:B', 'b1', '16', { type: 'template', metaCategory: 'marketing', recipientCountry: 'BR', metaChargeUsd: 0.0625 }),
  message('wa:1:B', 'b2', '17', { type: 'template', metaCategory: 'utility', recipientCountry: 'MX', metaChargeUsd: 0.0085, status: 'read' }),
  message('wa:1:C', 'c1', '17', { type: 'template', metaCategory: 'marketing', recipientCountry: 'BR', metaChargeUsd: 0.0625, status: 'failed' }),
  message('wa:1:C', 'c2', '17', { metaCategory: 'service', recipientCountry: 'BR' }),
  message('wa:3:D', 'd1', '17', { type: 'template', metaCategory: 'utility', recipientCountry: 'CO', metaChargeUsd: 0.0008 }),
  // Not priced (Instagram, or WhatsApp before any receipt with pricing): not counted.
  { ...message('wa:1:A', 'a3', '16', {}), metaPricedAt: undefined, metaPricingModel: undefined },
];

const QUERIES = METRIC_QUERIES.filter((q) => q.name.startsWith('meta_spend'));
const rowsOf = (results: MetricResult[], name: string) => results.find((r) => r.query.name === name)?.rows;

let table: TestTable & { newTable(): Promise<string> };
let root: string;
let exported: ExportResult;
let results: MetricResult[];

beforeAll(async () => {
  table = await startTestTable();
  root = mkdtempSync(join(tmpdir(), 'analytics-spend-'));
  const items = ITEMS.map((item) => Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)));
  await table.db.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: items.map((Item) => ({ PutRequest: { Item } })) } }));
  exported = await exportTable({ client: table.local.client, tableName: table.tableName, root, segments: 2 });
  results = await runMetrics(exported.dataFiles, QUERIES);
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await table?.stop();
});

describe('Meta spend (DuckDB over the export)', () => {
  it('sums delivered charges per business, account, day, category and country; free and unpriced apart', () => {
    const row = (
      business_id: string,
      account_id: string,
      day: string,
      category: string,
      country: string,
      charged: number,
      free: number,
      unpriced: number,
      spend_usd: number,
    ) => ({
      business_id,
      account_id,
      day,
      category,
      country,
      charged,
      free,
      unpriced,
      spend_usd,
    });
    expect(rowsOf(results, 'meta_spend')).toEqual([
      row('biz1', '1', '2026-11-16', 'marketing', 'BR', 2, 0, 0, 0.125),
      row('biz1', '1', '2026-11-16', 'service', 'BR', 0, 1, 0, 0),
      row('biz1', '1', '2026-11-17', 'marketing', 'BR', 0, 0, 0, 0),
      row('biz1', '1', '2026-11-17', 'service', 'BR', 0, 0, 1, 0),
      row('biz1', '1', '2026-11-17', 'utility', 'MX', 1, 0, 0, 0.0085),
      row('biz2', '3', '2026-11-17', 'utility', 'CO', 1, 0, 0, 0.0008),
    ]);
  });

  it('spend per resolved conversation joins the outcomes of people and the bot', () => {
    expect(rowsOf(results, 'meta_spend_per_resolution')).toEqual([
      { business_id: 'biz1', conversations: 3, resolved: 2, spend_usd: 0.1335, resolved_spend_usd: 0.1335, spend_per_resolved_usd: 0.0668 },
      { business_id: 'biz2', conversations: 1, resolved: 1, spend_usd: 0.0008, resolved_spend_usd: 0.0008, spend_per_resolved_usd: 0.0008 },
    ]);
  });

  it('a report period keeps the messages priced within it', async () => {
    const period = { fromMs: Date.parse(at('17', '00:00:00')), toMs: Date.parse(at('18', '00:00:00')) };
    const narrowed = await runMetrics(exported.dataFiles, QUERIES, period);
    expect(rowsOf(narrowed, 'meta_spend')?.map((r) => r.day)).toEqual(Array(4).fill('2026-11-17'));
    expect(rowsOf(narrowed, 'meta_spend_per_resolution')?.[0]).toMatchObject({ business_id: 'biz1', conversations: 2, resolved: 1, spend_usd: 0.0085 });
  });

  it('the Athena views give the same rows over the same files', async () => {
    const files = exported.dataFiles.map((f) => `'${f}'`).join(', ');
    const type = duckDbItemType().replaceAll("'", "''");
    const setup = [
      "CREATE MACRO from_iso8601_timestamp(s) AS CAST(replace(replace(s, 'T', ' '), 'Z', '') AS TIMESTAMP)",
      'CREATE MACRO try(x) AS x',
      'CREATE MACRO to_unixtime(ts) AS epoch(ts)',
      'CREATE MACRO day_of_week(ts) AS isodow(ts)',
      `CREATE TABLE dynamodb_export AS SELECT Item AS item, filename AS "$path" FROM read_json([${files}], format = 'newline_delimited', columns = {Item: '${type}'}, filename = true)`,
      athenaExportItemsView('dynamodb_export'),
      ...flattenViews(ATHENA_DIALECT),
    ];
    const athena = await runMetricQueries(setup, QUERIES);
    expect(athena.map((r) => r.rows)).toEqual(results.map((r) => r.rows));
  });
});
