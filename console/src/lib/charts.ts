/** Geometry of the small inline SVG bar charts of the supervisor view (pure, so it can be tested). */
export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

export function barGeometry(values: readonly (number | undefined)[], width: number, height: number, max?: number): Bar[] {
  const clean = values.map((v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0));
  const top = max ?? Math.max(0, ...clean);
  if (clean.length === 0) return [];
  const slot = width / clean.length;
  const barWidth = Math.max(1, slot * 0.7);
  return clean.map((value, i) => {
    const h = top > 0 ? Math.round((Math.min(value, top) / top) * height * 100) / 100 : 0;
    return {
      x: Math.round((i * slot + (slot - barWidth) / 2) * 100) / 100,
      y: Math.round((height - h) * 100) / 100,
      width: Math.round(barWidth * 100) / 100,
      height: h,
      value,
    };
  });
}

/** A share 0–1 (or a percentage 0–100 some APIs send) as a whole percentage. */
export function percent(value: number | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return '–';
  const share = value > 1 ? value / 100 : value;
  return `${Math.round(Math.min(share, 1) * 100)} %`;
}
