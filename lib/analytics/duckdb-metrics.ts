import { DuckDBInstance } from '@duckdb/node-api';
import {
  accountsView,
  contactsView,
  conversationsView,
  DUCKDB_DIALECT,
  duckDbExportItemsView,
  messagesView,
  reportPeriodView,
  routedConversationsView,
  routingAgentsView,
  routingQueuesView,
  type ReportPeriod,
  type SqlDialect,
} from '#lib/analytics/flatten-views';
import { METRIC_QUERIES, metricSql, type MetricQuery } from '#lib/analytics/metric-queries';

export type Cell = string | number | boolean | null;

export interface MetricResult {
  query: MetricQuery;
  columns: string[];
  rows: Array<Record<string, Cell>>;
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/** Every view the metric queries read, over an `export_items` view the engine made first. */
export function flattenViews(dialect: SqlDialect, period: ReportPeriod = {}): string[] {
  return [
    conversationsView(dialect),
    messagesView(dialect),
    accountsView(dialect),
    routingAgentsView(dialect),
    routingQueuesView(dialect),
    reportPeriodView(period),
    routedConversationsView(),
    contactsView(dialect),
  ];
}

/** The statements that make the metric views over one export's data files in DuckDB. */
export function duckDbSetup(dataFiles: readonly string[], period: ReportPeriod = {}): string[] {
  if (dataFiles.length === 0) throw new Error('the export has no data files');
  return [duckDbExportItemsView(dataFiles), ...flattenViews(DUCKDB_DIALECT, period)];
}

/** Runs `setup`, then each metric query's shared SQL file as it is, in one in-memory DuckDB. */
export async function runMetricQueries(setup: readonly string[], queries: readonly MetricQuery[] = METRIC_QUERIES): Promise<MetricResult[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const statement of setup) await connection.run(statement);
    const results: MetricResult[] = [];
    for (const query of queries) {
      const reader = await connection.runAndReadAll(metricSql(query.name));
      const columns = reader.columnNames();
      const rows = reader.getRowObjectsJS().map((row) => Object.fromEntries(columns.map((c) => [c, toCell(row[c])])));
      results.push({ query, columns, rows });
    }
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every metric over the data files of one export. */
export function runMetrics(dataFiles: readonly string[], queries: readonly MetricQuery[] = METRIC_QUERIES, period: ReportPeriod = {}): Promise<MetricResult[]> {
  return runMetricQueries(duckDbSetup(dataFiles, period), queries);
}
