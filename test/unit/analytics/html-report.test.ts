import { describe, expect, it } from 'vitest';
import type { MetricResult } from '#lib/analytics/duckdb-metrics';
import { formatDuration, headlineFigures, renderReport } from '#lib/analytics/html-report';
import { METRIC_QUERIES } from '#lib/analytics/metric-queries';
import { barChart } from '#lib/analytics/svg-charts';
import { textTable } from '#lib/analytics/text-table';
import { describePeriod, reportPeriodFromArgs } from '#lib/analytics/report-period-option';

const rows: Record<string, Array<Record<string, string | number | null>>> = {
  volume: [
    { channel: 'whatsapp', weekday: 1, hour: 9, new_conversations: 3, customer_messages: 7 },
    { channel: 'instagram', weekday: 3, hour: 14, new_conversations: 1, customer_messages: 2 },
  ],
  first_response_time: [
    { channel: 'whatsapp', hour: null, conversations: 3, median_s: 2.5, p90_s: 12 },
    { channel: 'whatsapp', hour: 9, conversations: 3, median_s: 2.5, p90_s: 12 },
    { channel: 'all', hour: null, conversations: 4, median_s: 3, p90_s: 14 },
  ],
  bot_containment: [{ channel: 'all', conversations: 4, contained: 3, handed_off: 1, containment_pct: 75, handoff_pct: 25 }],
  handoff_reasons: [{ reason: 'customer_request', conversations: 1, share_pct: 100 }],
  handling_time: [{ channel: 'all', handed_off: 1, answered_by_person: 1, closed: 1, avg_wait_s: 330, avg_handling_s: 4000, median_handling_s: 4000 }],
  first_contact_resolution: [{ channel: 'all', closed: 1, resolved_first_contact: 1, fcr_pct: 100 }],
  csat_distribution: [1, 2, 3, 4, 5].map((score) => ({ score, responses: score === 5 ? 3 : score === 2 ? 1 : 0, share_pct: null, asked: 5 })),
  delivery_failures: [
    { channel: 'whatsapp', error: 'all', title: null, failed: 2, attempted: 40, failure_rate_pct: 5 },
    { channel: 'whatsapp', error: '131026', title: 'Message <undeliverable>', failed: 2, attempted: 40, failure_rate_pct: 5 },
  ],
  template_sends: [{ kind: 'template', template_category: 'marketing', pricing_category: 'marketing', sends: 4, billable_sends: 4, delivered: 4, failed: 0 }],
  queue_performance: [
    {
      business_id: 'local',
      queue_id: 'general',
      queue_name: 'General <support>',
      queued: 6,
      vip: 0,
      handled: 4,
      abandoned: 2,
      abandoned_pct: 33.3,
      frt_median_s: 120,
      frt_p90_s: 360,
      avg_wait_s: 92.5,
      avg_handling_s: 1077.5,
      closed: 5,
      fcr_pct: 60,
      csat_avg: 4,
      csat_responses: 2,
      sla_met_pct: 60,
      sla_measured: 5,
      transferred: 0,
      transfers: 0,
    },
    {
      business_id: 'local',
      queue_id: 'vip',
      queue_name: 'VIP',
      queued: 2,
      vip: 2,
      handled: 2,
      abandoned: 0,
      abandoned_pct: 0,
      frt_median_s: 60,
      frt_p90_s: 60,
      avg_wait_s: 25,
      avg_handling_s: 1230,
      closed: 1,
      fcr_pct: 0,
      csat_avg: 4,
      csat_responses: 1,
      sla_met_pct: 100,
      sla_measured: 3,
      transferred: 1,
      transfers: 1,
    },
  ],
  agent_performance: [
    {
      business_id: 'local',
      agent_id: 'ana',
      agent_name: 'Ana Souza',
      handled: 3,
      vip: 1,
      frt_median_s: 60,
      frt_p90_s: 360,
      avg_wait_s: 93.3,
      avg_handling_s: 1246.7,
      closed: 3,
      fcr_pct: 66.7,
      csat_avg: 3.5,
      csat_responses: 2,
      sla_met_pct: 66.7,
      sla_measured: 3,
      transferred_in: 1,
      abandoned: 0,
    },
  ],
  queue_volume_by_hour: [
    { business_id: 'local', queue_id: 'general', hour: 9, queued: 3, vip: 0, within_sla: 2, abandoned: 0 },
    { business_id: 'local', queue_id: 'vip', hour: 15, queued: 2, vip: 2, within_sla: 2, abandoned: 0 },
  ],
  conversation_outcomes: [
    { business_id: 'local', day: '2026-11-16', channel: 'whatsapp', queue_id: 'bot', ended_by: 'bot', outcome: 'resolved_by_bot', conversations: 3 },
    { business_id: 'local', day: '2026-11-16', channel: 'whatsapp', queue_id: 'sales', ended_by: 'person', outcome: 'converted', conversations: 2 },
    { business_id: 'local', day: '2026-11-17', channel: 'instagram', queue_id: 'bot', ended_by: 'bot', outcome: 'no_response', conversations: 1 },
  ],
  conversions_by_source: [
    {
      business_id: 'local',
      source: 'ad',
      ad_id: 'ad_1',
      headline: 'Black <Friday>',
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      conversations: 4,
      contacts: 3,
      conversions: 1,
      conversion_pct: 25,
      resolved_by_bot_pct: 50,
    },
    {
      business_id: 'local',
      source: 'link',
      ad_id: null,
      headline: null,
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'nov',
      conversations: 2,
      contacts: 2,
      conversions: 1,
      conversion_pct: 50,
      resolved_by_bot_pct: 0,
    },
  ],
  meta_spend: [
    { business_id: 'local', account_id: '100', day: '2026-11-16', category: 'marketing', country: 'BR', charged: 3, free: 0, unpriced: 0, spend_usd: 0.1875 },
    { business_id: 'local', account_id: '100', day: '2026-11-16', category: 'service', country: 'MX', charged: 0, free: 5, unpriced: 0, spend_usd: 0 },
  ],
  meta_spend_per_resolution: [
    { business_id: 'local', conversations: 6, resolved: 3, spend_usd: 0.1875, resolved_spend_usd: 0.125, spend_per_resolved_usd: 0.0625 },
  ],
};
const results: MetricResult[] = METRIC_QUERIES.map((query) => ({ query, columns: Object.keys(rows[query.name]![0]!), rows: rows[query.name]! }));

describe('the analytics report', () => {
  it('leads with the headline figures, worked out from the metric rows', () => {
    const figures = Object.fromEntries(headlineFigures(results).map((f) => [f.label, `${f.value} | ${f.note ?? ''}`]));
    expect(figures).toMatchObject({
      Conversations: '4 | with a live customer message',
      'First response (median)': '3.0 s | p90 14 s',
      'Bot containment': '75.0 % | handoff rate 25.0 %',
      'Wait for a person': '5 min 30 s | average, handoff to first reply',
      'Handling time': '1 h 06 min | average, handoff to close',
      CSAT: '4.25 / 5 | 75.0 % gave 4–5 · 4 of 5 answered',
      'Delivery failures': '5.0 % | 2 of 40 messages',
      'Meta spend': 'US$ 0.19 | 3 charged · 5 free',
      'Billable sends': '4 | 4 template sends',
      // (60 % of 5 + 100 % of 3) of 8 measured
      'Queue SLA met': '75.0 % | first response in time · 8 queued, 2 abandoned',
      'Conversions from ads and links': '2 | 33.3 % of 6 attributed conversations',
    });
  });

  it('is one self-contained page: a section with charts and its table per metric, nothing fetched', () => {
    const html = renderReport({
      results,
      exportId: '01795307477141-38e16142',
      exportTime: '2026-11-22T00:31:17.141Z',
      itemCount: 310,
      generatedAt: new Date('2026-11-22T01:00:00Z'),
    });
    expect(html.match(/<section>/g)).toHaveLength(METRIC_QUERIES.length);
    for (const q of METRIC_QUERIES) expect(html).toContain(`lib/analytics/sql/${q.name}.sql`);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(METRIC_QUERIES.length);
    const urls = html.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html).not.toMatch(/<script|<link|@import/);
    // Values from the data are escaped.
    expect(html).toContain('Message &lt;undeliverable&gt;');
    expect(html).not.toContain('Message <undeliverable>');
    expect(html).toContain('General &lt;support&gt;');
  });

  it('draws the queues and agents by name, in minutes and shares', () => {
    const html = renderReport({ results, period: '2026-11-01 to 2026-11-30', exportId: 'x', exportTime: 'y', itemCount: 1, generatedAt: new Date(0) });
    const agents = html.slice(html.indexOf('<h2>Agents</h2>'), html.indexOf('</section>', html.indexOf('<h2>Agents</h2>')));
    expect(agents.match(/<svg /g)).toHaveLength(4);
    expect(agents).toContain('Ana Souza · FRT median: 1 min');
    expect(agents).toContain('Ana Souza · TMO: 20.8 min');
    expect(agents).toContain('Ana Souza · SLA met: 66.7 %');
    expect(agents).toContain('Ana Souza · CSAT: 3.5 / 5');
    const hours = html.slice(html.indexOf('<h2>Queue volume by hour</h2>'));
    expect(hours).toContain('09 · general: 3');
    expect(hours).toContain('15 · vip: 2');
    expect(html).toContain('queues and agents: 2026-11-01 to 2026-11-30');
  });

  it('draws outcomes by who ended the conversation, and conversions by first touch', () => {
    const html = renderReport({ results, exportId: 'x', exportTime: 'y', itemCount: 1, generatedAt: new Date(0) });
    const outcomes = html.slice(html.indexOf('<h2>Outcomes</h2>'), html.indexOf('</section>', html.indexOf('<h2>Outcomes</h2>')));
    expect(outcomes).toContain('ended by the bot · resolved_by_bot: 3');
    expect(outcomes).toContain('closed by a person · converted: 2');
    const conversions = html.slice(html.indexOf('<h2>Conversions by ad and source</h2>'));
    expect(conversions).toContain('ad · Black &lt;Friday&gt; (ad_1) · conversions: 1');
    expect(conversions).toContain('link · newsletter/email/nov · conversion rate: 50 %');
  });

  it('draws bars in proportion to their values', () => {
    const svg = barChart({ categories: ['a', 'b'], series: [{ name: 'n', values: [50, 100] }], horizontal: true, width: 400 });
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[1]! / widths[0]!).toBeCloseTo(2, 1);
  });

  it('prints aligned tables and readable durations', () => {
    expect(
      textTable(
        ['channel', 'n'],
        [
          { channel: 'whatsapp', n: 12 },
          { channel: 'all', n: null },
        ],
      ),
    ).toBe(['channel    n', '────────  ──', 'whatsapp  12', 'all        —'].join('\n'));
    expect([formatDuration(2.04), formatDuration(45), formatDuration(330), formatDuration(4000), formatDuration(null)]).toEqual([
      '2.0 s',
      '45 s',
      '5 min 30 s',
      '1 h 06 min',
      '—',
    ]);
  });
});

describe('the report period of npm run analytics', () => {
  it('takes whole UTC days, both included', () => {
    const period = reportPeriodFromArgs(['--from', '2026-11-01', '--to', '2026-11-30']);
    expect(period).toEqual({ fromMs: Date.parse('2026-11-01T00:00:00Z'), toMs: Date.parse('2026-12-01T00:00:00Z') });
    expect(describePeriod(period)).toBe('2026-11-01 to 2026-11-30');
    expect(describePeriod(reportPeriodFromArgs([]))).toBe('all time');
    expect(describePeriod(reportPeriodFromArgs(['--to', '2026-11-30']))).toBe('until 2026-11-30');
  });

  it('refuses what is not a date, and a range that ends before it starts', () => {
    expect(() => reportPeriodFromArgs(['--from', '2026-02-31'])).toThrow('--from needs a date YYYY-MM-DD');
    expect(() => reportPeriodFromArgs(['--from', "1'; DROP VIEW x; --"])).toThrow('--from needs a date');
    expect(() => reportPeriodFromArgs(['--to'])).toThrow('--to needs a date');
    expect(() => reportPeriodFromArgs(['--from', '2026-11-30', '--to', '2026-11-01'])).toThrow('--to must not be before --from');
  });
});
