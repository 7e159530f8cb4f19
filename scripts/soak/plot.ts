/** One line of the soak plot: values over minutes since the start. */
export interface Series {
  name: string;
  unit: string;
  points: { minute: number; value: number }[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/**
 * A small SVG line chart, one panel per unit (MiB, ms, records), so the soak's figures can be
 * looked at in the README without a plotting library.
 */
export function svgPlot(title: string, series: Series[]): string {
  const units = [...new Set(series.map((s) => s.unit))];
  const width = 900;
  const panelHeight = 220;
  const left = 70;
  const right = 20;
  const top = 40;
  const height = top + units.length * (panelHeight + 40);
  const maxMinute = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.minute)));
  const x = (m: number) => left + ((width - left - right) * m) / maxMinute;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  units.forEach((unit, u) => {
    const y0 = top + u * (panelHeight + 40);
    const inPanel = series.filter((s) => s.unit === unit);
    const maxValue = Math.max(1e-9, ...inPanel.flatMap((s) => s.points.map((p) => p.value)));
    const y = (v: number) => y0 + panelHeight - (panelHeight * v) / (maxValue * 1.1);
    out.push(
      `<line x1="${left}" y1="${y0 + panelHeight}" x2="${width - right}" y2="${y0 + panelHeight}" stroke="#999"/>`,
      `<line x1="${left}" y1="${y0}" x2="${left}" y2="${y0 + panelHeight}" stroke="#999"/>`,
      `<text x="${left - 8}" y="${y(maxValue) + 4}" text-anchor="end">${fmt(maxValue)}</text>`,
      `<text x="${left - 8}" y="${y0 + panelHeight + 4}" text-anchor="end">0</text>`,
      `<text x="10" y="${y0 + panelHeight / 2}" transform="rotate(-90 10 ${y0 + panelHeight / 2})">${escape(unit)}</text>`,
    );
    for (let m = 0; m <= maxMinute; m += Math.max(1, Math.round(maxMinute / 10))) {
      out.push(
        `<text x="${x(m)}" y="${y0 + panelHeight + 16}" text-anchor="middle">${m} min</text>`,
      );
    }
    inPanel.forEach((s, i) => {
      const color = COLORS[(series.indexOf(s) + i) % COLORS.length];
      const path = s.points.map((p) => `${x(p.minute).toFixed(1)},${y(p.value).toFixed(1)}`);
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${path.join(' ')}"/>`,
        `<text x="${width - right - 4}" y="${y0 + 14 + i * 15}" text-anchor="end" fill="${color}">${escape(s.name)}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Least-squares slope of value over minutes, per hour. */
export function slopePerHour(points: readonly { minute: number; value: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.minute, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  const cov = points.reduce((s, p) => s + (p.minute - mx) * (p.value - my), 0);
  const varX = points.reduce((s, p) => s + (p.minute - mx) ** 2, 0);
  return varX === 0 ? 0 : (cov / varX) * 60;
}
