/**
 * Reads the supervisor's figures from a stats row of `GET /supervisor/stats`, by the API's own
 * names (lambdas/workspace/supervisor-stats.ts `Figures`): nothing else is read.
 */
export const METRICS = ['frt', 'tmo', 'fcr', 'csat', 'slaMet'] as const;
export type Metric = (typeof METRICS)[number];

/** The API's field of each figure the console shows (TMO: the handling time). */
export const FIGURE_FIELDS = {
  frt: 'frtSeconds',
  tmo: 'handlingSeconds',
  fcr: 'fcrRate',
  csat: 'csatAverage',
  slaMet: 'slaMetRate',
  handled: 'closed',
} as const satisfies Record<Metric | 'handled', string>;

export function figure(row: Record<string, unknown>, metric: Metric | 'handled'): number | undefined {
  const v = row[FIGURE_FIELDS[metric]];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The row's label: its queue's or agent's id. */
export function rowLabel(row: Record<string, unknown>): string {
  for (const name of ['queueId', 'agentId']) {
    const v = row[name];
    if (typeof v === 'string' && v.trim()) return v.slice(0, 80);
  }
  return '–';
}
