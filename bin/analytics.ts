#!/usr/bin/env node
// `npm run analytics`: every metric query (lib/analytics/sql/) with DuckDB over the newest export under
// ./.local/exports/ (or EXPORT_DIR), printed as tables and written as ./.local/reports/analytics.html.
// `--from YYYY-MM-DD --to YYYY-MM-DD` (UTC, both days included) narrow the contact-centre tables
// (queues, agents) to the conversations queued in that range.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { newestExport } from '#lib/analytics/dynamodb-export';
import { runMetrics } from '#lib/analytics/duckdb-metrics';
import { headlineFigures, renderReport } from '#lib/analytics/html-report';
import { METRIC_QUERIES } from '#lib/analytics/metric-queries';
import { describePeriod, reportPeriodFromArgs } from '#lib/analytics/report-period-option';
import { textTable } from '#lib/analytics/text-table';

async function main(): Promise<void> {
  const period = reportPeriodFromArgs(process.argv.slice(2));
  const root = resolve(process.env.EXPORT_DIR ?? '.local/exports');
  const reportPath = resolve(process.env.REPORT_PATH ?? '.local/reports/analytics.html');
  const found = newestExport(root);
  if (!found) throw new Error(`No export under ${root}; run \`npm run export\` first`);
  const results = await runMetrics(found.dataFiles, METRIC_QUERIES, period);

  console.log(`Export ${found.exportId} (${found.summary.itemCount} items, ${found.summary.exportTime}); queues and agents: ${describePeriod(period)}\n`);
  for (const { label, value, note } of headlineFigures(results)) console.log(`  ${label.padEnd(26)} ${value.padEnd(14)} ${note ?? ''}`);
  for (const result of results) {
    console.log(`\n${result.query.title} — ${result.query.description}`);
    console.log(result.rows.length > 0 ? textTable(result.columns, result.rows) : '(no rows)');
  }

  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(
    reportPath,
    renderReport({
      results,
      period: describePeriod(period),
      exportId: found.exportId,
      exportTime: found.summary.exportTime,
      itemCount: found.summary.itemCount,
      generatedAt: new Date(),
    }),
  );
  console.log(`\nReport: ${reportPath}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
