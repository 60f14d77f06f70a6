/**
 * Reads the supervisor's figures from a stats row. The names are the API's (`frtSeconds`,
 * `tmoSeconds`, `fcrRate`, `csatAverage`, `slaMetRate`); a few plain alternatives are accepted so a
 * renamed field shows as a value, not as a blank.
 */
export const METRICS = ['frt', 'tmo', 'fcr', 'csat', 'slaMet'] as const;
export type Metric = (typeof METRICS)[number];

const NAMES: Record<Metric | 'handled', string[]> = {
  frt: ['frtSeconds', 'firstResponseSeconds', 'avgFirstResponseSeconds', 'frt'],
  tmo: ['tmoSeconds', 'handlingSeconds', 'avgHandlingSeconds', 'tmo'],
  fcr: ['fcrRate', 'fcr', 'firstContactResolutionRate'],
  csat: ['csatAverage', 'csat', 'avgCsat'],
  slaMet: ['slaMetRate', 'slaMet', 'slaMetShare'],
  handled: ['conversations', 'handled', 'closed', 'count'],
};

export function figure(row: Record<string, unknown>, metric: Metric | 'handled'): number | undefined {
  for (const name of NAMES[metric]) {
    const v = row[name];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** The row's label: a queue's or an agent's name, else its id. */
export function rowLabel(row: Record<string, unknown>): string {
  for (const name of ['name', 'queueName', 'agentName', 'queueId', 'agentId']) {
    const v = row[name];
    if (typeof v === 'string' && v.trim()) return v.slice(0, 80);
  }
  return '–';
}
