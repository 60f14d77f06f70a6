/**
 * Small inline SVG charts for the local report: no scripts, no fonts or styles from elsewhere, so
 * the file opens anywhere without a network.
 */

export const PALETTE = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#0891b2', '#db2777', '#65a30d'];

export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const fmt = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** A value axis that ends on a round number just above the maximum. */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

export interface Series {
  name: string;
  values: ReadonlyArray<number | null>;
  color?: string;
}

export interface BarChartOptions {
  categories: readonly string[];
  series: readonly Series[];
  /** Appended to value labels, e.g. ` s` or `%`. */
  unit?: string;
  stacked?: boolean;
  /** Horizontal bars suit long category names. */
  horizontal?: boolean;
  width?: number;
  /** Colours per category instead of per series (single series). */
  categoryColors?: readonly string[];
  title?: string;
  /** Stacked bars: print the total at the end of each bar (default true; off for shares that add to 100). */
  showTotal?: boolean;
}

function legend(series: readonly Series[], x: number, y: number): string {
  if (series.length < 2) return '';
  let offset = 0;
  return series
    .map((s, i) => {
      const item = `<g transform="translate(${x + offset},${y})"><rect width="10" height="10" rx="2" fill="${s.color ?? PALETTE[i % PALETTE.length]}"/><text x="14" y="9" class="legend">${escapeXml(s.name)}</text></g>`;
      offset += 24 + s.name.length * 6.5;
      return item;
    })
    .join('');
}

export function barChart(options: BarChartOptions): string {
  return options.horizontal ? horizontalBars(options) : verticalBars(options);
}

function verticalBars(o: BarChartOptions): string {
  const width = o.width ?? 640;
  const height = 260;
  const margin = { top: 28, right: 12, bottom: 38, left: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const totals = o.categories.map((_, i) =>
    o.stacked ? o.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0) : Math.max(0, ...o.series.map((s) => s.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const band = plotW / Math.max(1, o.categories.length);
  const groupW = band * 0.78;
  const barW = o.stacked ? groupW : groupW / Math.max(1, o.series.length);
  const y = (v: number) => margin.top + plotH - (v / max) * plotH;
  // Value labels only where they fit; every bar keeps its value as a tooltip.
  const showLabels = (o.stacked ? groupW : barW) >= 16;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (max / 4) * t;
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y(v) + 4}" class="axis" text-anchor="end">${fmt(v)}</text>`);
  }
  o.categories.forEach((category, i) => {
    const x0 = margin.left + band * i + (band - groupW) / 2;
    let stackTop = 0;
    o.series.forEach((s, si) => {
      const value = s.values[i];
      if (value === null || value === undefined) return;
      const color = o.categoryColors?.[i] ?? s.color ?? PALETTE[si % PALETTE.length];
      const x = o.stacked ? x0 : x0 + barW * si;
      const top = o.stacked ? y(stackTop + value) : y(value);
      const h = o.stacked ? y(stackTop) - y(stackTop + value) : y(0) - y(value);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, barW - 2).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" rx="2" fill="${color}"><title>${escapeXml(`${category} · ${s.name}: ${fmt(value)}${o.unit ?? ''}`)}</title></rect>`,
      );
      if (showLabels && !o.stacked && value > 0) {
        parts.push(`<text x="${(x + (barW - 2) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" class="value" text-anchor="middle">${fmt(value)}</text>`);
      }
      if (o.stacked) stackTop += value;
    });
    if (showLabels && o.stacked && totals[i]! > 0) {
      parts.push(
        `<text x="${(x0 + groupW / 2).toFixed(1)}" y="${(y(totals[i]!) - 4).toFixed(1)}" class="value" text-anchor="middle">${fmt(totals[i]!)}</text>`,
      );
    }
    parts.push(
      `<text x="${(margin.left + band * i + band / 2).toFixed(1)}" y="${height - margin.bottom + 16}" class="axis" text-anchor="middle">${escapeXml(category)}</text>`,
    );
  });
  return svg(width, height, o.title, [...parts, legend(o.series, margin.left, 8)]);
}

function horizontalBars(o: BarChartOptions): string {
  const width = o.width ?? 640;
  const rowH = 26;
  const labelW = Math.min(320, 12 + Math.max(...o.categories.map((c) => c.length)) * 6.5);
  const margin = { top: o.series.length > 1 ? 28 : 10, right: 60, bottom: 10, left: labelW };
  const height = margin.top + margin.bottom + rowH * o.categories.length;
  const plotW = width - margin.left - margin.right;
  const totals = o.categories.map((_, i) =>
    o.stacked ? o.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0) : Math.max(0, ...o.series.map((s) => s.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const x = (v: number) => margin.left + (v / max) * plotW;
  const parts: string[] = [];
  o.categories.forEach((category, i) => {
    const y0 = margin.top + rowH * i;
    parts.push(`<text x="${margin.left - 8}" y="${y0 + rowH / 2 + 4}" class="axis" text-anchor="end">${escapeXml(category)}</text>`);
    const barH = o.stacked ? rowH - 8 : (rowH - 8) / Math.max(1, o.series.length);
    let start = 0;
    o.series.forEach((s, si) => {
      const value = s.values[i];
      if (value === null || value === undefined) return;
      const color = o.categoryColors?.[i] ?? s.color ?? PALETTE[si % PALETTE.length];
      const from = o.stacked ? start : 0;
      const yy = o.stacked ? y0 + 4 : y0 + 4 + barH * si;
      parts.push(
        `<rect x="${x(from).toFixed(1)}" y="${yy.toFixed(1)}" width="${Math.max(0, x(from + value) - x(from)).toFixed(1)}" height="${Math.max(1, barH - 1).toFixed(1)}" rx="2" fill="${color}"><title>${escapeXml(`${category} · ${s.name}: ${fmt(value)}${o.unit ?? ''}`)}</title></rect>`,
      );
      if (!o.stacked)
        parts.push(`<text x="${(x(value) + 4).toFixed(1)}" y="${(yy + barH / 2 + 3).toFixed(1)}" class="value">${fmt(value)}${escapeXml(o.unit ?? '')}</text>`);
      if (o.stacked && x(from + value) - x(from) > 34 && (o.showTotal === false || value !== totals[i])) {
        parts.push(
          `<text x="${((x(from) + x(from + value)) / 2).toFixed(1)}" y="${(yy + barH / 2 + 3).toFixed(1)}" class="inside" text-anchor="middle">${fmt(value)}${escapeXml(o.unit ?? '')}</text>`,
        );
      }
      if (o.stacked) start += value;
    });
    if (o.stacked && o.showTotal !== false)
      parts.push(`<text x="${(x(totals[i]!) + 4).toFixed(1)}" y="${y0 + rowH / 2 + 4}" class="value">${fmt(totals[i]!)}${escapeXml(o.unit ?? '')}</text>`);
  });
  return svg(width, height, o.title, [...parts, legend(o.series, margin.left, 8)]);
}

export interface HeatmapOptions {
  rows: readonly string[];
  columns: readonly string[];
  /** values[row][column] */
  values: ReadonlyArray<ReadonlyArray<number>>;
  title?: string;
  unit?: string;
}

export function heatmap(o: HeatmapOptions): string {
  const cell = 24;
  const margin = { top: 22, left: 44, right: 10, bottom: 10 };
  const width = margin.left + margin.right + cell * o.columns.length;
  const height = margin.top + margin.bottom + cell * o.rows.length;
  const max = Math.max(1, ...o.values.flat());
  const parts: string[] = [];
  o.columns.forEach((c, ci) => {
    if (ci % 3 === 0)
      parts.push(`<text x="${margin.left + cell * ci + cell / 2}" y="${margin.top - 6}" class="axis" text-anchor="middle">${escapeXml(c)}</text>`);
  });
  o.rows.forEach((r, ri) => {
    parts.push(`<text x="${margin.left - 6}" y="${margin.top + cell * ri + cell / 2 + 4}" class="axis" text-anchor="end">${escapeXml(r)}</text>`);
    o.columns.forEach((c, ci) => {
      const v = o.values[ri]?.[ci] ?? 0;
      const alpha = v === 0 ? 0.04 : 0.15 + 0.85 * (v / max);
      parts.push(
        `<rect x="${margin.left + cell * ci + 1}" y="${margin.top + cell * ri + 1}" width="${cell - 2}" height="${cell - 2}" rx="3" fill="#2563eb" fill-opacity="${alpha.toFixed(2)}"><title>${escapeXml(`${r} ${c}: ${fmt(v)}${o.unit ?? ''}`)}</title></rect>`,
      );
    });
  });
  return svg(width, height, o.title, parts);
}

function svg(width: number, height: number, title: string | undefined, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"${title ? ` aria-label="${escapeXml(title)}"` : ''}>${parts.join('')}</svg>`;
}
