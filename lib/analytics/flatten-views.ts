import { CONVERSATION_COLUMNS, duckDbItemType, MESSAGE_COLUMNS, type ViewColumn } from '#lib/analytics/export-schema';

/**
 * The engine-specific layer under the shared metric queries: a view `export_items` with one `item`
 * struct per exported table item (of the newest export), and the views `conversations` and
 * `messages` that flatten it into typed columns. Metric queries read only the latter two.
 *
 * Only three things differ between the engines: where the items come from, how an ISO-8601 string
 * becomes a timestamp, and how hour and weekday are taken from it. Everything else is text both
 * Athena (Trino) and DuckDB accept (struct fields are matched without regard to case in both).
 */
export interface SqlDialect {
  readonly name: 'athena' | 'duckdb';
  /** A UTC timestamp (without zone) from an ISO-8601 string expression; NULL when absent or unreadable. */
  timestamp(iso: string): string;
  /** Epoch milliseconds (bigint) from an ISO-8601 string expression. */
  epochMs(iso: string): string;
  /** Hour of day 0–23 (UTC) and ISO weekday 1 (Monday) – 7 of a timestamp expression from `timestamp`. */
  hour(ts: string): string;
  weekday(ts: string): string;
}

export const DUCKDB_DIALECT: SqlDialect = {
  name: 'duckdb',
  timestamp: (iso) => `TRY_CAST(replace(replace(${iso}, 'T', ' '), 'Z', '') AS TIMESTAMP)`,
  epochMs: (iso) => `epoch_ms(TRY_CAST(replace(replace(${iso}, 'T', ' '), 'Z', '') AS TIMESTAMP))`,
  hour: (ts) => `CAST(hour(${ts}) AS INTEGER)`,
  weekday: (ts) => `CAST(isodow(${ts}) AS INTEGER)`,
};

export const ATHENA_DIALECT: SqlDialect = {
  name: 'athena',
  timestamp: (iso) => `CAST(try(from_iso8601_timestamp(${iso})) AS timestamp)`,
  epochMs: (iso) => `CAST(to_unixtime(try(from_iso8601_timestamp(${iso}))) * 1000 AS bigint)`,
  hour: (ts) => `CAST(hour(${ts}) AS integer)`,
  weekday: (ts) => `CAST(day_of_week(${ts}) AS integer)`,
};

/** `item.template.m.category.s`: the typed value of an attribute, map members through `m`. */
function valueOf(column: ViewColumn): string {
  const { path, dynamoType } = column.attribute;
  return `item.${path.map((p) => p.toLowerCase()).join('.m.')}.${dynamoType.toLowerCase()}`;
}

function selectList(columns: readonly ViewColumn[], dialect: SqlDialect): string[] {
  return columns.flatMap((column) => {
    const value = valueOf(column);
    switch (column.type) {
      case 'varchar':
      case 'boolean':
        return [`${value} AS ${column.name}`];
      case 'integer':
      case 'bigint':
      case 'double':
        return [`TRY_CAST(${value} AS ${column.type.toUpperCase()}) AS ${column.name}`];
      case 'time':
        return [`${dialect.timestamp(value)} AS ${column.name}_at`, `${dialect.epochMs(value)} AS ${column.name}_ms`];
    }
  });
}

function entityView(name: string, entity: string, columns: readonly ViewColumn[], dialect: SqlDialect, extra: string[] = []): string {
  return [
    `CREATE OR REPLACE VIEW ${name} AS`,
    'SELECT',
    [...selectList(columns, dialect), ...extra].map((line) => `  ${line}`).join(',\n'),
    'FROM export_items',
    `WHERE item.entity.s = '${entity}'`,
  ].join('\n');
}

export function conversationsView(dialect: SqlDialect): string {
  return entityView('conversations', 'Conversation', CONVERSATION_COLUMNS, dialect, [
    `substr(item.createdat.s, 1, 10) AS created_day`,
  ]);
}

export function messagesView(dialect: SqlDialect): string {
  const occurred = dialect.timestamp('item.occurredat.s');
  return entityView('messages', 'Message', MESSAGE_COLUMNS, dialect, [
    `${dialect.hour(occurred)} AS occurred_hour`,
    `${dialect.weekday(occurred)} AS occurred_weekday`,
    `substr(item.occurredat.s, 1, 10) AS occurred_day`,
    `item.origin.s = 'history' AS imported`,
  ]);
}

/**
 * Athena: the Glue table covers every export under the prefix; the newest export is the one with
 * the greatest id (export ids start with the export's time in milliseconds). Manifest and checksum
 * files under the same prefix read as rows without an `item` and are dropped.
 */
export function athenaExportItemsView(glueTable: string): string {
  return [
    'CREATE OR REPLACE VIEW export_items AS',
    'WITH files AS (',
    `  SELECT item, regexp_extract("$path", '/AWSDynamoDB/([^/]+)/data/', 1) AS export_id FROM ${glueTable}`,
    ')',
    'SELECT item FROM files',
    'WHERE item IS NOT NULL AND export_id = (SELECT max(export_id) FROM files WHERE export_id IS NOT NULL)',
  ].join('\n');
}

/** DuckDB: the data files of one export directory, read as DynamoDB JSON lines. */
export function duckDbExportItemsView(dataFiles: readonly string[]): string {
  const list = dataFiles.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
  const type = duckDbItemType().replaceAll("'", "''");
  return [
    'CREATE OR REPLACE VIEW export_items AS',
    `SELECT Item AS item FROM read_json([${list}], format = 'newline_delimited', compression = 'gzip', columns = {Item: '${type}'})`,
    'WHERE Item IS NOT NULL',
  ].join('\n');
}
