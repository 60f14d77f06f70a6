import type { Cell } from '#lib/analytics/duckdb-metrics';

const show = (value: Cell): string => (value === null ? '—' : typeof value === 'number' ? String(value) : String(value));

/** A plain aligned table for the terminal: numbers right, text left. */
export function textTable(columns: readonly string[], rows: ReadonlyArray<Record<string, Cell>>): string {
  const cells = rows.map((row) => columns.map((c) => show(row[c] ?? null)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((row) => row[c] === null || typeof row[c] === 'number'));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line([...columns]), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
