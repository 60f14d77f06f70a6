import {
  ACCOUNT_COLUMNS,
  AGENT_COLUMNS,
  CONTACT_COLUMNS,
  CONVERSATION_COLUMNS,
  duckDbItemType,
  MESSAGE_COLUMNS,
  QUEUE_COLUMNS,
  type ViewColumn,
} from '#lib/analytics/export-schema';

/**
 * The engine-specific layer under the shared metric queries: a view `export_items` with one `item`
 * struct per exported table item (of the newest export), and the views `conversations`, `messages`,
 * `accounts`, `routing_agents` and `routing_queues` that flatten it into typed columns; then
 * `report_period` (the date range of the contact-centre queries) and `routed_conversations` (one
 * row per handed-off conversation with its contact-centre measures), which are the same text in
 * both engines. Metric queries read only these views.
 *
 * Only four things differ between the engines: where the items come from, how an ISO-8601 string
 * becomes a timestamp, how hour and weekday are taken from it, and how a string set is searched. Everything else is text both
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
  /** Whether an array expression holds a value; NULL array: NULL. */
  arrayContains(array: string, value: string): string;
}

export const DUCKDB_DIALECT: SqlDialect = {
  name: 'duckdb',
  timestamp: (iso) => `TRY_CAST(replace(replace(${iso}, 'T', ' '), 'Z', '') AS TIMESTAMP)`,
  epochMs: (iso) => `epoch_ms(TRY_CAST(replace(replace(${iso}, 'T', ' '), 'Z', '') AS TIMESTAMP))`,
  hour: (ts) => `CAST(hour(${ts}) AS INTEGER)`,
  weekday: (ts) => `CAST(isodow(${ts}) AS INTEGER)`,
  arrayContains: (array, value) => `list_contains(${array}, ${value})`,
};

export const ATHENA_DIALECT: SqlDialect = {
  name: 'athena',
  timestamp: (iso) => `CAST(try(from_iso8601_timestamp(${iso})) AS timestamp)`,
  epochMs: (iso) => `CAST(to_unixtime(try(from_iso8601_timestamp(${iso}))) * 1000 AS bigint)`,
  hour: (ts) => `CAST(hour(${ts}) AS integer)`,
  weekday: (ts) => `CAST(day_of_week(${ts}) AS integer)`,
  arrayContains: (array, value) => `contains(${array}, ${value})`,
};

/** `item.template.m.category.s`: the typed value of an attribute, map members through `m`. */
function attributeValue(column: ViewColumn): string {
  const { path, dynamoType } = column.attribute;
  return `item.${path.map((p) => p.toLowerCase()).join('.m.')}.${dynamoType.toLowerCase()}`;
}

function selectList(columns: readonly ViewColumn[], dialect: SqlDialect): string[] {
  return columns.flatMap((column) => {
    const value = attributeValue(column);
    switch (column.type) {
      case 'varchar':
      case 'boolean':
      case 'string_set':
        return [`${value} AS ${column.name}`];
      case 'integer':
      case 'bigint':
      case 'double':
        return [`TRY_CAST(${value} AS ${column.type.toUpperCase()}) AS ${column.name}`];
    }
    // What is left is 'time' (this stops compiling if a column type is added and not handled above).
    column.type satisfies 'time';
    return [`${dialect.timestamp(value)} AS ${column.name}_at`, `${dialect.epochMs(value)} AS ${column.name}_ms`];
  });
}

function entityView(name: string, entity: string, columns: readonly ViewColumn[], dialect: SqlDialect, extra: string[] = [], first: string[] = []): string {
  return itemView(name, `item.entity.s = '${entity}'`, columns, dialect, extra, first);
}

function itemView(name: string, where: string, columns: readonly ViewColumn[], dialect: SqlDialect, extra: string[] = [], first: string[] = []): string {
  return [
    `CREATE OR REPLACE VIEW ${name} AS`,
    'SELECT',
    [...first, ...selectList(columns, dialect), ...extra].map((line) => `  ${line}`).join(',\n'),
    'FROM export_items',
    `WHERE ${where}`,
  ].join('\n');
}

export function conversationsView(dialect: SqlDialect): string {
  const queued = dialect.timestamp('item.queuedat.s');
  return entityView('conversations', 'Conversation', CONVERSATION_COLUMNS, dialect, [
    `substr(item.createdat.s, 1, 10) AS created_day`,
    `coalesce(${dialect.arrayContains('item.tags.ss', "'vip'")}, false) AS is_vip`,
    `${dialect.hour(queued)} AS queued_hour`,
    `substr(item.queuedat.s, 1, 10) AS queued_day`,
    `substr(item.closedat.s, 1, 10) AS closed_day`,
    `substr(item.endedat.s, 1, 10) AS ended_day`,
  ]);
}

/**
 * One row per contact's profile (`PERSON#<business>#<contact id>` / `PROFILE`), found by its key:
 * the entity name `Contact` is also the WhatsApp Business App address book's (`ACCT#…/CONTACT#…`).
 */
export function contactsView(dialect: SqlDialect): string {
  return itemView(
    'contacts',
    `item.sk.s = 'PROFILE' AND substr(item.pk.s, 1, 7) = 'PERSON#'`,
    CONTACT_COLUMNS,
    dialect,
    [],
    [`coalesce(item.contactid.s, split_part(item.pk.s, '#', 3)) AS contact_id`, `coalesce(item.businessid.s, split_part(item.pk.s, '#', 2)) AS business_id`],
  );
}

export function accountsView(dialect: SqlDialect): string {
  return entityView('accounts', 'ChannelAccount', ACCOUNT_COLUMNS, dialect);
}

/** `ROUTING#<business>`: the business is the rest of the partition key. */
const ROUTING_BUSINESS = `substr(item.pk.s, ${'ROUTING#'.length + 1}) AS business_id`;

export function routingAgentsView(dialect: SqlDialect): string {
  return entityView('routing_agents', 'RoutingAgent', AGENT_COLUMNS, dialect, [], [ROUTING_BUSINESS]);
}

export function routingQueuesView(dialect: SqlDialect): string {
  return entityView('routing_queues', 'RoutingQueue', QUEUE_COLUMNS, dialect, [], [ROUTING_BUSINESS]);
}

/** The whole export; `npm run analytics -- --from … --to …` narrows it. */
export interface ReportPeriod {
  /** Epoch ms, inclusive. */
  fromMs?: number;
  /** Epoch ms, exclusive. */
  toMs?: number;
}

/**
 * The date range of the contact-centre queries, by the time a conversation was queued: one row,
 * NULL for an open end. The same text in both engines (Athena: edit the saved query's numbers).
 */
export function reportPeriodView(period: ReportPeriod = {}): string {
  const bound = (ms: number | undefined) => {
    if (ms !== undefined && !Number.isSafeInteger(ms)) throw new Error('a report period bound must be whole epoch milliseconds');
    return `CAST(${ms === undefined ? 'NULL' : String(ms)} AS BIGINT)`;
  };
  return ['CREATE OR REPLACE VIEW report_period AS', `SELECT ${bound(period.fromMs)} AS from_ms, ${bound(period.toMs)} AS to_ms`].join('\n');
}

/**
 * One row per conversation handed to the contact centre (queued) within the report period, with
 * its measures in seconds and its outcome flags. The definitions live here once so the per-queue
 * and per-agent queries (and docs/analytics.md) agree:
 *
 *   frt_s       queued → first human response
 *   wait_s      queued → assigned (accepted by an agent)
 *   handling_s  assigned → closed (TMO)
 *   closed      closed at or after it was queued (a close of an earlier handoff does not count)
 *   resolved_first_contact  closed `resolved` or `converted` (a sale is a resolved contact) with no transfer (FCR)
 *   sla_met     1: first human response by the first-response due time; 0: after it, or the
 *               engine marked it breached with no response yet; NULL: no target, or not yet known
 *   abandoned   closed before any human response, or closed with outcome `no_response`
 *   business_id the conversation's own, else its channel account's
 */
export function routedConversationsView(): string {
  return `CREATE OR REPLACE VIEW routed_conversations AS
SELECT coalesce(c.business_id, a.business_id, 'unknown') AS business_id,
       c.conversation_key, c.channel, c.language,
       coalesce(c.queue_id, 'unknown') AS queue_id,
       c.assigned_agent_id AS agent_id,
       c.is_vip, c.routing_priority, c.routing_status, c.close_outcome, c.sla_state,
       c.queued_ms, c.queued_hour, c.queued_day,
       coalesce(c.transfers, 0) AS transfers,
       CASE WHEN c.first_human_response_ms >= c.queued_ms THEN CAST(c.first_human_response_ms - c.queued_ms AS DOUBLE) / 1000 END AS frt_s,
       CASE WHEN c.assigned_ms >= c.queued_ms THEN CAST(c.assigned_ms - c.queued_ms AS DOUBLE) / 1000 END AS wait_s,
       CASE WHEN c.closed_ms >= c.assigned_ms AND c.assigned_ms >= c.queued_ms THEN CAST(c.closed_ms - c.assigned_ms AS DOUBLE) / 1000 END AS handling_s,
       CASE WHEN c.closed_ms >= c.queued_ms THEN 1 ELSE 0 END AS closed,
       CASE WHEN c.closed_ms >= c.queued_ms AND c.close_outcome IN ('resolved', 'converted') AND coalesce(c.transfers, 0) = 0 THEN 1 ELSE 0 END AS resolved_first_contact,
       CASE WHEN c.sla_first_response_due_ms IS NULL THEN CAST(NULL AS INTEGER)
            WHEN c.first_human_response_ms >= c.queued_ms THEN CASE WHEN c.first_human_response_ms <= c.sla_first_response_due_ms THEN 1 ELSE 0 END
            WHEN c.sla_state = 'breached' THEN 0
            ELSE CAST(NULL AS INTEGER) END AS sla_met,
       CASE WHEN c.closed_ms >= c.queued_ms AND (c.close_outcome = 'no_response' OR c.first_human_response_ms IS NULL OR c.first_human_response_ms < c.queued_ms) THEN 1 ELSE 0 END AS abandoned,
       CASE WHEN c.csat_score BETWEEN 1 AND 5 AND c.csat_answered_ms >= c.queued_ms THEN c.csat_score END AS csat_score
FROM conversations c
LEFT JOIN accounts a ON a.account_id = c.account_id
CROSS JOIN report_period p
WHERE c.queued_ms IS NOT NULL
  AND (p.from_ms IS NULL OR c.queued_ms >= p.from_ms)
  AND (p.to_ms IS NULL OR c.queued_ms < p.to_ms)`;
}

export function messagesView(dialect: SqlDialect): string {
  const occurred = dialect.timestamp('item.occurredat.s');
  return entityView('messages', 'Message', MESSAGE_COLUMNS, dialect, [
    `${dialect.hour(occurred)} AS occurred_hour`,
    `${dialect.weekday(occurred)} AS occurred_weekday`,
    `substr(item.occurredat.s, 1, 10) AS occurred_day`,
    `substr(item.metapricedat.s, 1, 10) AS meta_priced_day`,
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
