/**
 * A text sparkline of memory over the lookback, scaled to the limit: the part of the alert that survives when
 * the graph image has expired. Pure.
 *
 *   ▃▃▄▄▅▅▆▆▇▇▇██▇▇▆▆▅▅▄▄▃▃▂▂▃▃▄▄▅▅▆▆▇▇███
 *   limit 1024 MiB ┤ peak 1019 (99%) avg 700 · 24 h
 *
 * Each cell is the highest value (period Maximum, else Average) of the points in its time slice. Cells without
 * data are `·`. When usage exceeds the limit (soft-limit-only tasks can pass 100 %), the scale stretches to the
 * peak and the legend counts the cells above the limit.
 */
import type { MemorySeries } from './model';

export const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
export const GAP = '·';

export interface SparklineOptions {
  /** The limit line, MiB. Default: the series' ceiling. */
  limitMiB?: number | null;
  /** Number of cells; default 48. */
  cells?: number;
  /** Time range; default the first and last point (plus one period). */
  start?: number;
  end?: number;
}

export interface Sparkline {
  /** The block characters, or '' without data. */
  line: string;
  /** The legend line, or the "no data" sentence. */
  legend: string;
  /** `line` and `legend` on two lines (or the legend alone). */
  text: string;
  peakMiB: number | null;
  averageMiB: number | null;
  overLimitCells: number;
  gapCells: number;
}

export const NO_DATA_TEXT = 'No memory data for this task in the lookback (no metrics found).';

function formatSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `${Math.max(1, minutes)} min`;
  const hours = ms / 3_600_000;
  return `${Number.isInteger(Math.round(hours * 10) / 10) ? Math.round(hours) : (Math.round(hours * 10) / 10).toFixed(1)} h`;
}

function valueOf(p: { maxMiB: number | null; avgMiB: number | null }): number | null {
  const v = p.maxMiB ?? p.avgMiB;
  return v === null || !Number.isFinite(v) ? null : v;
}

export function renderSparkline(series: MemorySeries | null, options: SparklineOptions = {}): Sparkline {
  const cells = Math.max(1, Math.floor(options.cells ?? 48));
  const limit = options.limitMiB !== undefined ? options.limitMiB : (series?.ceilingMiB ?? null);
  const usable = (series?.points ?? []).filter((p) => valueOf(p) !== null);
  if (!series || usable.length === 0) {
    return { line: '', legend: NO_DATA_TEXT, text: NO_DATA_TEXT, peakMiB: null, averageMiB: null, overLimitCells: 0, gapCells: cells };
  }
  const periodMs = Math.max(1, series.periodSeconds) * 1000;
  const first = usable[0]!.t;
  const last = usable[usable.length - 1]!.t;
  const start = options.start ?? first;
  const end = Math.max(options.end ?? last + periodMs, start + 1);
  const slice = (end - start) / cells;

  const buckets: Array<number | null> = Array.from({ length: cells }, () => null);
  let sumAvg = 0;
  let nAvg = 0;
  let peak = -Infinity;
  for (const p of usable) {
    if (p.t < start || p.t >= end) continue;
    const v = valueOf(p)!;
    const i = Math.min(cells - 1, Math.floor((p.t - start) / slice));
    buckets[i] = Math.max(buckets[i] ?? -Infinity, v);
    peak = Math.max(peak, v);
    const a = p.avgMiB ?? p.maxMiB;
    if (a !== null && Number.isFinite(a)) {
      sumAvg += a;
      nAvg += 1;
    }
  }
  if (peak === -Infinity) {
    return { line: '', legend: NO_DATA_TEXT, text: NO_DATA_TEXT, peakMiB: null, averageMiB: null, overLimitCells: 0, gapCells: cells };
  }
  const avg = nAvg ? sumAvg / nAvg : null;
  const hasLimit = limit !== null && limit > 0;
  const top = hasLimit ? Math.max(limit, peak) : peak;
  let overLimitCells = 0;
  let gapCells = 0;
  const line = buckets
    .map((v) => {
      if (v === null) {
        gapCells += 1;
        return GAP;
      }
      if (hasLimit && v > limit) overLimitCells += 1;
      const level = top > 0 ? Math.ceil((v / top) * BLOCKS.length) : 1;
      return BLOCKS[Math.min(BLOCKS.length, Math.max(1, level)) - 1];
    })
    .join('');

  const parts: string[] = [];
  const peakText = `peak ${Math.round(peak)}${hasLimit ? ` (${Math.round((peak / limit) * 100)}%)` : ' MiB'}`;
  const avgText = avg === null ? '' : ` avg ${Math.round(avg)}`;
  parts.push(hasLimit ? `limit ${Math.round(limit)} MiB ┤ ${peakText}${avgText}` : `no limit known ┤ ${peakText}${avgText}`);
  parts.push(formatSpan(end - start));
  if (overLimitCells > 0) parts.push(`above the limit in ${overLimitCells}/${cells} cells`);
  if (gapCells > 0) parts.push(`'${GAP}' = no data`);
  const legend = parts.join(' · ');
  return { line, legend, text: `${line}\n${legend}`, peakMiB: peak, averageMiB: avg, overLimitCells, gapCells };
}
