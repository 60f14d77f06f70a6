import type { Cell, MetricResult } from '#lib/analytics/duckdb-metrics';
import { barChart, escapeXml, heatmap, PALETTE } from '#lib/analytics/svg-charts';

type Row = Record<string, Cell>;

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const CHANNEL_COLORS: Record<string, string> = { whatsapp: '#16a34a', instagram: '#db2777', messenger: '#2563eb', all: '#475569' };
const CSAT_COLORS = ['#dc2626', '#f97316', '#eab308', '#84cc16', '#16a34a'];

const num = (v: Cell | undefined): number => (typeof v === 'number' ? v : 0);
const short = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const sum = (rows: readonly Row[], column: string) => rows.reduce((total, r) => total + num(r[column]), 0);

/** 2.1 s, 4 min 30 s, 1 h 05 min. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : `${v.toFixed(1)} %`);

export interface ReportInput {
  results: readonly MetricResult[];
  /** The range of the contact-centre sections, in words ("all time", "2026-11-01 to 2026-11-30"). */
  period?: string;
  exportId: string;
  exportTime: string;
  itemCount: number;
  generatedAt: Date;
}

/** The key figures a reader looks at first; also printed by `npm run analytics`. */
export function headlineFigures(results: readonly MetricResult[]): Array<{ label: string; value: string; note?: string }> {
  const rows = (name: string): Row[] => results.find((r) => r.query.name === name)?.rows ?? [];
  const all = (name: string, extra: (r: Row) => boolean = () => true) => rows(name).find((r) => r.channel === 'all' && extra(r));
  const containment = all('bot_containment');
  const frt = all('first_response_time', (r) => r.hour === null);
  const handling = all('handling_time');
  const fcr = all('first_contact_resolution');
  const csat = rows('csat_distribution');
  const answered = sum(csat, 'responses');
  const csatAvg = answered > 0 ? csat.reduce((t, r) => t + num(r.score) * num(r.responses), 0) / answered : null;
  const satisfied = answered > 0 ? (100 * csat.filter((r) => num(r.score) >= 4).reduce((t, r) => t + num(r.responses), 0)) / answered : null;
  const failureTotals = rows('delivery_failures').filter((r) => r.error === 'all');
  const attempted = sum(failureTotals, 'attempted');
  const templates = rows('template_sends');
  const queues = rows('queue_performance');
  const measured = sum(queues, 'sla_measured');
  const slaMet = measured > 0 ? queues.reduce((t, r) => t + (num(r.sla_met_pct) * num(r.sla_measured)) / 100, 0) : null;
  const queued = sum(queues, 'queued');
  const attributed = rows('conversions_by_source');
  const fromAds = sum(attributed, 'conversations');
  return [
    { label: 'Conversations', value: String(num(containment?.conversations)), note: 'with a live customer message' },
    { label: 'First response (median)', value: formatDuration(frt?.median_s as number | null), note: `p90 ${formatDuration(frt?.p90_s as number | null)}` },
    {
      label: 'Bot containment',
      value: pct(containment?.containment_pct as number | null),
      note: `handoff rate ${pct(containment?.handoff_pct as number | null)}`,
    },
    { label: 'Wait for a person', value: formatDuration(handling?.avg_wait_s as number | null), note: 'average, handoff to first reply' },
    { label: 'Handling time', value: formatDuration(handling?.avg_handling_s as number | null), note: 'average, handoff to close' },
    { label: 'First-contact resolution', value: pct(fcr?.fcr_pct as number | null), note: `${num(fcr?.closed)} closed` },
    {
      label: 'CSAT',
      value: csatAvg === null ? '—' : `${csatAvg.toFixed(2)} / 5`,
      note: `${pct(satisfied)} gave 4–5 · ${answered} of ${num(csat[0]?.asked)} answered`,
    },
    {
      label: 'Delivery failures',
      value: pct(attempted > 0 ? (100 * sum(failureTotals, 'failed')) / attempted : null),
      note: `${sum(failureTotals, 'failed')} of ${attempted} messages`,
    },
    {
      label: 'Meta spend',
      value: `US$ ${sum(rows('meta_spend'), 'spend_usd').toFixed(2)}`,
      note: `${sum(rows('meta_spend'), 'charged')} charged · ${sum(rows('meta_spend'), 'free')} free`,
    },
    {
      label: 'Billable sends',
      value: String(sum(templates, 'billable_sends')),
      note: `${sum(
        templates.filter((r) => r.kind === 'template'),
        'sends',
      )} template sends`,
    },
    {
      label: 'Queue SLA met',
      value: pct(slaMet === null ? null : (100 * slaMet) / measured),
      note: `first response in time · ${queued} queued, ${sum(queues, 'abandoned')} abandoned`,
    },
    {
      label: 'Conversions from ads and links',
      value: String(sum(attributed, 'conversions')),
      note: `${pct(fromAds > 0 ? (100 * sum(attributed, 'conversions')) / fromAds : null)} of ${fromAds} attributed conversations`,
    },
  ];
}

function table(result: MetricResult): string {
  const head = result.columns.map((c) => `<th>${escapeXml(c)}</th>`).join('');
  const body = result.rows
    .map(
      (row) =>
        `<tr>${result.columns.map((c) => `<td class="${typeof row[c] === 'number' ? 'n' : ''}">${escapeXml(row[c] === null ? '—' : String(row[c]))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<details><summary>Table · <code>lib/analytics/sql/${escapeXml(result.query.name)}.sql</code></summary><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></details>`;
}

function section(result: MetricResult | undefined, charts: string[]): string {
  if (!result) return '';
  const empty = result.rows.length === 0 ? '<p class="empty">No data in this export.</p>' : charts.map((c) => `<figure>${c}</figure>`).join('');
  return `<section><h2>${escapeXml(result.query.title)}</h2><p class="lead">${escapeXml(result.query.description)}</p><div class="charts">${empty}</div>${table(result)}</section>`;
}

const channelsOf = (rows: readonly Row[]) => [...new Set(rows.map((r) => String(r.channel)).filter((c) => c !== 'all'))].sort();

function volumeCharts(rows: readonly Row[]): string[] {
  const grid = WEEKDAYS.map((_, d) =>
    HOURS.map((_, h) =>
      sum(
        rows.filter((r) => r.weekday === d + 1 && r.hour === h),
        'new_conversations',
      ),
    ),
  );
  const channels = channelsOf(rows);
  return [
    heatmap({ rows: WEEKDAYS, columns: HOURS, values: grid, title: 'New conversations by weekday and hour (UTC)' }) +
      '<figcaption>New conversations by weekday and hour (UTC); darker is busier</figcaption>',
    barChart({
      categories: HOURS,
      series: channels.map((c) => ({
        name: c,
        values: HOURS.map((_, h) =>
          sum(
            rows.filter((r) => r.channel === c && r.hour === h),
            'customer_messages',
          ),
        ),
        color: CHANNEL_COLORS[c] ?? PALETTE[0]!,
      })),
      stacked: true,
      width: 720,
    }) + '<figcaption>Customer messages by hour (UTC), by channel</figcaption>',
    barChart({
      categories: channels,
      series: [
        {
          name: 'new conversations',
          values: channels.map((c) =>
            sum(
              rows.filter((r) => r.channel === c),
              'new_conversations',
            ),
          ),
        },
        {
          name: 'customer messages',
          values: channels.map((c) =>
            sum(
              rows.filter((r) => r.channel === c),
              'customer_messages',
            ),
          ),
        },
      ],
      horizontal: true,
      width: 520,
    }) + '<figcaption>Totals by channel</figcaption>',
  ];
}

function firstResponseCharts(rows: readonly Row[]): string[] {
  const overall = rows.filter((r) => r.hour === null);
  const channels = channelsOf(rows);
  return [
    barChart({
      categories: overall.map((r) => String(r.channel)),
      series: [
        { name: 'median', values: overall.map((r) => r.median_s as number | null) },
        { name: 'p90', values: overall.map((r) => r.p90_s as number | null), color: PALETTE[1] },
      ],
      unit: ' s',
      horizontal: true,
      width: 520,
    }) + '<figcaption>Seconds to the first reply, by channel</figcaption>',
    barChart({
      categories: HOURS,
      series: channels.map((c) => ({
        name: c,
        values: HOURS.map((_, h) => (rows.find((r) => r.channel === c && r.hour === h)?.median_s as number | undefined) ?? null),
        color: CHANNEL_COLORS[c] ?? PALETTE[0]!,
      })),
      unit: ' s',
      width: 720,
    }) + '<figcaption>Median seconds to the first reply by the hour the customer wrote (UTC)</figcaption>',
  ];
}

function containmentCharts(rows: readonly Row[]): string[] {
  return [
    barChart({
      categories: rows.map((r) => String(r.channel)),
      series: [
        { name: 'bot alone', values: rows.map((r) => r.containment_pct as number | null), color: '#10b981' },
        { name: 'handed to a person', values: rows.map((r) => r.handoff_pct as number | null), color: '#f59e0b' },
      ],
      stacked: true,
      showTotal: false,
      horizontal: true,
      unit: ' %',
      width: 560,
    }) + '<figcaption>Share of conversations, by channel</figcaption>',
  ];
}

function handoffReasonCharts(rows: readonly Row[]): string[] {
  return [
    barChart({
      categories: rows.map((r) => String(r.reason)),
      series: [{ name: 'conversations', values: rows.map((r) => num(r.conversations)), color: '#f59e0b' }],
      horizontal: true,
      width: 560,
    }) + '<figcaption>Conversations handed to a person, by reason</figcaption>',
  ];
}

function handlingCharts(rows: readonly Row[]): string[] {
  const minutes = (v: Cell | undefined) => (typeof v === 'number' ? Math.round((v / 60) * 10) / 10 : null);
  return [
    barChart({
      categories: rows.map((r) => String(r.channel)),
      series: [
        { name: 'wait for a person', values: rows.map((r) => minutes(r.avg_wait_s)), color: '#f59e0b' },
        { name: 'handoff to close', values: rows.map((r) => minutes(r.avg_handling_s)), color: '#2563eb' },
      ],
      horizontal: true,
      unit: ' min',
      width: 560,
    }) + '<figcaption>Average minutes, by channel</figcaption>',
  ];
}

function fcrCharts(rows: readonly Row[]): string[] {
  return [
    barChart({
      categories: rows.map((r) => String(r.channel)),
      series: [{ name: 'first-contact resolution', values: rows.map((r) => r.fcr_pct as number | null), color: '#10b981' }],
      horizontal: true,
      unit: ' %',
      width: 520,
    }) + '<figcaption>Closed conversations the customer did not come back to within 7 days</figcaption>',
  ];
}

function csatCharts(rows: readonly Row[]): string[] {
  return [
    barChart({
      categories: rows.map((r) => `${'★'.repeat(num(r.score))}`),
      series: [{ name: 'answers', values: rows.map((r) => num(r.responses)) }],
      categoryColors: CSAT_COLORS,
      width: 480,
    }) + '<figcaption>Answers per score</figcaption>',
  ];
}

function failureCharts(rows: readonly Row[]): string[] {
  const totals = rows.filter((r) => r.error === 'all');
  const errors = rows.filter((r) => r.error !== 'all');
  return [
    barChart({
      categories: totals.map((r) => String(r.channel)),
      series: [{ name: 'failure rate', values: totals.map((r) => r.failure_rate_pct as number | null), color: '#ef4444' }],
      horizontal: true,
      unit: ' %',
      width: 520,
    }) + '<figcaption>Share of business messages that failed, by channel</figcaption>',
    ...(errors.length > 0
      ? [
          barChart({
            categories: errors.map((r) => `${r.channel} ${r.error}${r.title ? ` (${short(String(r.title), 32)})` : ''}`),
            series: [{ name: 'failed', values: errors.map((r) => num(r.failed)), color: '#ef4444' }],
            horizontal: true,
            width: 720,
          }) + '<figcaption>Failed messages by channel and Meta error code</figcaption>',
        ]
      : []),
  ];
}

function templateCharts(rows: readonly Row[]): string[] {
  const label = (r: Row) => (r.kind === 'template' ? `${r.template_category} template → ${r.pricing_category}` : `free-form → ${r.pricing_category}`);
  return [
    barChart({
      categories: rows.map(label),
      series: [
        { name: 'billable', values: rows.map((r) => num(r.billable_sends)), color: '#ef4444' },
        { name: 'free', values: rows.map((r) => num(r.sends) - num(r.billable_sends)), color: '#10b981' },
      ],
      stacked: true,
      horizontal: true,
      width: 760,
    }) + '<figcaption>WhatsApp business messages by category and Meta pricing</figcaption>',
  ];
}

function metaSpendCharts(rows: readonly Row[]): string[] {
  const byKey = (key: (r: Row) => string) => {
    const totals = new Map<string, { spend: number; charged: number; free: number }>();
    for (const r of rows) {
      const t = totals.get(key(r)) ?? { spend: 0, charged: 0, free: 0 };
      t.spend += num(r.spend_usd);
      t.charged += num(r.charged);
      t.free += num(r.free);
      totals.set(key(r), t);
    }
    return [...totals.entries()];
  };
  const markets = byKey((r) => `${String(r.country)} · ${String(r.category)}`)
    .sort((a, b) => b[1].spend - a[1].spend)
    .slice(0, 15);
  const days = byKey((r) => String(r.day)).sort((a, b) => a[0].localeCompare(b[0]));
  return [
    barChart({
      categories: markets.map(([k]) => short(k, 30)),
      series: [{ name: 'USD', values: markets.map(([, t]) => Math.round(t.spend * 10000) / 10000), color: '#ef4444' }],
      horizontal: true,
      width: 720,
    }) + '<figcaption>Meta spend (USD) by recipient country and category</figcaption>',
    barChart({
      categories: days.map(([d]) => d.slice(5)),
      series: [
        { name: 'charged', values: days.map(([, t]) => t.charged), color: '#ef4444' },
        { name: 'free', values: days.map(([, t]) => t.free), color: '#10b981' },
      ],
      stacked: true,
      width: 720,
    }) + '<figcaption>WhatsApp business messages Meta charged and those it did not, per day</figcaption>',
  ];
}

function spendPerResolutionCharts(rows: readonly Row[]): string[] {
  return [
    barChart({
      categories: rows.map((r) => short(String(r.business_id), 30)),
      series: [{ name: 'USD per resolved conversation', values: rows.map((r) => numberOrNull(r.spend_per_resolved_usd) ?? 0), color: '#2563eb' }],
      horizontal: true,
      width: 720,
    }) + '<figcaption>Meta spend per resolved conversation (USD)</figcaption>',
  ];
}

/** A queue or agent by name, with its business when the export holds several. */
function labelsOf(rows: readonly Row[], name: string): string[] {
  const businesses = new Set(rows.map((r) => r.business_id));
  return rows.map((r) => short(`${String(r[name] ?? '—')}${businesses.size > 1 ? ` (${String(r.business_id)})` : ''}`, 40));
}

const minutesOf = (v: Cell | undefined) => (typeof v === 'number' ? Math.round((v / 60) * 10) / 10 : null);
const numberOrNull = (v: Cell | undefined) => (typeof v === 'number' ? v : null);

function queueCharts(rows: readonly Row[]): string[] {
  const labels = labelsOf(rows, 'queue_name');
  return [
    barChart({
      categories: labels,
      series: [
        { name: 'queued', values: rows.map((r) => num(r.queued)), color: '#94a3b8' },
        { name: 'taken by an agent', values: rows.map((r) => num(r.handled)), color: '#2563eb' },
        { name: 'abandoned', values: rows.map((r) => num(r.abandoned)), color: '#ef4444' },
      ],
      horizontal: true,
      width: 620,
    }) + '<figcaption>Conversations queued, by queue (abandoned: left before a person answered, or closed as no response)</figcaption>',
    barChart({
      categories: labels,
      series: [
        { name: 'FRT median', values: rows.map((r) => minutesOf(r.frt_median_s)), color: '#2563eb' },
        { name: 'FRT p90', values: rows.map((r) => minutesOf(r.frt_p90_s)), color: '#f59e0b' },
        { name: 'wait', values: rows.map((r) => minutesOf(r.avg_wait_s)), color: '#8b5cf6' },
        { name: 'TMO', values: rows.map((r) => minutesOf(r.avg_handling_s)), color: '#10b981' },
      ],
      horizontal: true,
      unit: ' min',
      width: 620,
    }) + '<figcaption>Minutes: first human response (median, p90), average wait for an agent and handling time (TMO), by queue</figcaption>',
    barChart({
      categories: labels,
      series: [
        { name: 'SLA met', values: rows.map((r) => numberOrNull(r.sla_met_pct)), color: '#10b981' },
        { name: 'FCR', values: rows.map((r) => numberOrNull(r.fcr_pct)), color: '#0891b2' },
      ],
      horizontal: true,
      unit: ' %',
      width: 620,
    }) + '<figcaption>First response within the SLA and first-contact resolution, by queue</figcaption>',
  ];
}

function agentCharts(rows: readonly Row[]): string[] {
  const labels = labelsOf(rows, 'agent_name');
  return [
    barChart({
      categories: labels,
      series: [
        { name: 'VIP', values: rows.map((r) => num(r.vip)), color: '#db2777' },
        { name: 'other', values: rows.map((r) => num(r.handled) - num(r.vip)), color: '#2563eb' },
      ],
      stacked: true,
      horizontal: true,
      width: 560,
    }) + '<figcaption>Conversations each agent took</figcaption>',
    barChart({
      categories: labels,
      series: [
        { name: 'FRT median', values: rows.map((r) => minutesOf(r.frt_median_s)), color: '#2563eb' },
        { name: 'TMO', values: rows.map((r) => minutesOf(r.avg_handling_s)), color: '#10b981' },
      ],
      horizontal: true,
      unit: ' min',
      width: 560,
    }) + '<figcaption>Minutes to the first human response (median) and handling time (TMO), by agent</figcaption>',
    barChart({
      categories: labels,
      series: [
        { name: 'SLA met', values: rows.map((r) => numberOrNull(r.sla_met_pct)), color: '#10b981' },
        { name: 'FCR', values: rows.map((r) => numberOrNull(r.fcr_pct)), color: '#0891b2' },
      ],
      horizontal: true,
      unit: ' %',
      width: 560,
    }) + '<figcaption>First response within the SLA and first-contact resolution, by agent</figcaption>',
    barChart({
      categories: labels,
      series: [{ name: 'CSAT', values: rows.map((r) => numberOrNull(r.csat_avg)), color: '#eab308' }],
      horizontal: true,
      unit: ' / 5',
      width: 480,
    }) + '<figcaption>Average satisfaction score of the conversations each agent took</figcaption>',
  ];
}

function queueHourCharts(rows: readonly Row[]): string[] {
  const businesses = new Set(rows.map((r) => r.business_id));
  const queues = [...new Set(rows.map((r) => `${String(r.queue_id)}${businesses.size > 1 ? ` (${String(r.business_id)})` : ''}`))].sort();
  const queueOf = (r: Row) => `${String(r.queue_id)}${businesses.size > 1 ? ` (${String(r.business_id)})` : ''}`;
  return [
    barChart({
      categories: HOURS,
      series: queues.map((q, i) => ({
        name: q,
        values: HOURS.map((_, h) =>
          sum(
            rows.filter((r) => queueOf(r) === q && r.hour === h),
            'queued',
          ),
        ),
        color: PALETTE[i % PALETTE.length]!,
      })),
      stacked: true,
      width: 720,
    }) + '<figcaption>Conversations queued by hour of the day (UTC), by queue</figcaption>',
  ];
}

const OUTCOME_COLORS: Record<string, string> = {
  resolved: '#10b981',
  resolved_by_bot: '#34d399',
  converted: '#2563eb',
  unresolved: '#f59e0b',
  no_response: '#94a3b8',
  opted_out: '#ef4444',
  duplicate: '#a78bfa',
  spam: '#78716c',
  closed: '#cbd5e1',
};

function outcomeCharts(rows: readonly Row[]): string[] {
  const outcomes = [...new Set(rows.map((r) => String(r.outcome)))].sort();
  const who = ['person', 'bot'];
  const days = [...new Set(rows.map((r) => String(r.day)))].sort();
  return [
    barChart({
      categories: who.map((w) => (w === 'person' ? 'closed by a person' : 'ended by the bot')),
      series: outcomes.map((o, i) => ({
        name: o,
        values: who.map((w) =>
          sum(
            rows.filter((r) => r.ended_by === w && r.outcome === o),
            'conversations',
          ),
        ),
        color: OUTCOME_COLORS[o] ?? PALETTE[i % PALETTE.length]!,
      })),
      stacked: true,
      horizontal: true,
      width: 620,
    }) + '<figcaption>Conversations by outcome: closed by a person, ended by the bot after the customer went quiet</figcaption>',
    barChart({
      categories: days.map((d) => d.slice(5)),
      series: outcomes.map((o, i) => ({
        name: o,
        values: days.map((d) =>
          sum(
            rows.filter((r) => r.day === d && r.outcome === o),
            'conversations',
          ),
        ),
        color: OUTCOME_COLORS[o] ?? PALETTE[i % PALETTE.length]!,
      })),
      stacked: true,
      width: 720,
    }) + '<figcaption>Outcomes per day (UTC)</figcaption>',
  ];
}

/** `ad · Black Friday (ad_1)`, `link · newsletter/email/nov`. */
function sourceLabel(r: Row): string {
  const what = r.headline
    ? `${String(r.headline)}${r.ad_id ? ` (${String(r.ad_id)})` : ''}`
    : r.ad_id
      ? String(r.ad_id)
      : [r.utm_source, r.utm_medium, r.utm_campaign].filter((v) => v !== null).join('/');
  return short(`${String(r.source ?? 'utm')}${what ? ` · ${what}` : ''}`, 48);
}

function conversionCharts(rows: readonly Row[]): string[] {
  const top = rows.slice(0, 15);
  const labels = top.map(sourceLabel);
  return [
    barChart({
      categories: labels,
      series: [
        { name: 'conversations', values: top.map((r) => num(r.conversations)), color: '#94a3b8' },
        { name: 'conversions', values: top.map((r) => num(r.conversions)), color: '#2563eb' },
      ],
      horizontal: true,
      width: 720,
    }) + '<figcaption>Conversations and conversions by first touch (the 15 largest)</figcaption>',
    barChart({
      categories: labels,
      series: [
        { name: 'conversion rate', values: top.map((r) => numberOrNull(r.conversion_pct)), color: '#2563eb' },
        { name: 'resolved by the bot', values: top.map((r) => numberOrNull(r.resolved_by_bot_pct)), color: '#34d399' },
      ],
      horizontal: true,
      unit: ' %',
      width: 720,
    }) + '<figcaption>Conversion rate and share resolved by the bot alone, by first touch</figcaption>',
  ];
}

const CHARTS: Record<string, (rows: readonly Row[]) => string[]> = {
  conversation_outcomes: outcomeCharts,
  conversions_by_source: conversionCharts,
  queue_performance: queueCharts,
  agent_performance: agentCharts,
  queue_volume_by_hour: queueHourCharts,
  volume: volumeCharts,
  first_response_time: firstResponseCharts,
  bot_containment: containmentCharts,
  handoff_reasons: handoffReasonCharts,
  handling_time: handlingCharts,
  first_contact_resolution: fcrCharts,
  csat_distribution: csatCharts,
  delivery_failures: failureCharts,
  template_sends: templateCharts,
  meta_spend: metaSpendCharts,
  meta_spend_per_resolution: spendPerResolutionCharts,
};

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f8fafc;color:#0f172a}
header{padding:24px 32px;background:#0f172a;color:#f8fafc}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#cbd5e1}
main{padding:24px 32px;max-width:1200px}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;margin-bottom:24px}
.kpi{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:14px 16px}.kpi .label{color:#475569;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi .value{font-size:26px;font-weight:650;margin:4px 0}.kpi .note{color:#64748b;font-size:12px}
section{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:16px 20px;margin-bottom:18px}
section h2{margin:0;font-size:17px}.lead{color:#475569;margin:4px 0 12px}
.charts{display:flex;flex-wrap:wrap;gap:20px}figure{margin:0}figcaption{color:#64748b;font-size:12px;margin-top:4px}
svg .grid{stroke:#e2e8f0}svg .axis{font-size:11px;fill:#475569}svg .value{font-size:10px;fill:#0f172a}svg .legend{font-size:11px;fill:#334155}svg .inside{font-size:10px;fill:#fff;font-weight:600}
details{margin-top:10px}summary{cursor:pointer;color:#475569}table{border-collapse:collapse;margin-top:8px;font-size:12px}
th,td{border-bottom:1px solid #e2e8f0;padding:3px 10px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}.empty{color:#94a3b8}
`;

/** One self-contained HTML page: headline figures, then each metric as charts with its table. */
export function renderReport(input: ReportInput): string {
  const kpis = headlineFigures(input.results)
    .map(
      (k) =>
        `<div class="kpi"><div class="label">${escapeXml(k.label)}</div><div class="value">${escapeXml(k.value)}</div>${k.note ? `<div class="note">${escapeXml(k.note)}</div>` : ''}</div>`,
    )
    .join('');
  const sections = input.results.map((r) => section(r, (CHARTS[r.query.name] ?? (() => []))(r.rows))).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Support analytics</title><style>${STYLE}</style></head>
<body><header><h1>Support analytics</h1><p>Export ${escapeXml(input.exportId)} of ${escapeXml(input.exportTime)} · ${input.itemCount} items · generated ${escapeXml(input.generatedAt.toISOString())} · times in UTC${input.period ? ` · queues and agents: ${escapeXml(input.period)}` : ''}</p></header>
<main><div class="kpis">${kpis}</div>${sections}</main></body></html>\n`;
}
