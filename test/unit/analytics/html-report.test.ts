import { describe, expect, it } from 'vitest';
import type { MetricResult } from '#lib/analytics/duckdb-metrics';
import { formatDuration, headlineFigures, renderReport } from '#lib/analytics/html-report';
import { METRIC_QUERIES } from '#lib/analytics/metric-queries';
import { barChart } from '#lib/analytics/svg-charts';
import { textTable } from '#lib/analytics/text-table';

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
      'Billable sends': '4 | 4 template sends',
    });
  });

  it('is one self-contained page: a section with charts and its table per metric, nothing fetched', () => {
    const html = renderReport({ results, exportId: '01795307477141-38e16142', exportTime: '2026-11-22T00:31:17.141Z', itemCount: 310, generatedAt: new Date('2026-11-22T01:00:00Z') });
    expect(html.match(/<section>/g)).toHaveLength(METRIC_QUERIES.length);
    for (const q of METRIC_QUERIES) expect(html).toContain(`lib/analytics/sql/${q.name}.sql`);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(METRIC_QUERIES.length);
    const urls = html.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html).not.toMatch(/<script|<link|@import/);
    // Values from the data are escaped.
    expect(html).toContain('Message &lt;undeliverable&gt;');
    expect(html).not.toContain('Message <undeliverable>');
  });

  it('draws bars in proportion to their values', () => {
    const svg = barChart({ categories: ['a', 'b'], series: [{ name: 'n', values: [50, 100] }], horizontal: true, width: 400 });
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[1]! / widths[0]!).toBeCloseTo(2, 1);
  });

  it('prints aligned tables and readable durations', () => {
    expect(textTable(['channel', 'n'], [{ channel: 'whatsapp', n: 12 }, { channel: 'all', n: null }])).toBe(
      ['channel    n', '────────  ──', 'whatsapp  12', 'all        —'].join('\n'),
    );
    expect([formatDuration(2.04), formatDuration(45), formatDuration(330), formatDuration(4000), formatDuration(null)]).toEqual(['2.0 s', '45 s', '5 min 30 s', '1 h 06 min', '—']);
  });
});
