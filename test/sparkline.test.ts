import { describe, expect, it } from 'vitest';
import { BLOCKS, GAP, NO_DATA_TEXT, renderSparkline } from '../lambda/sparkline';
import type { MemorySeries } from '../lambda/model';

const H = 3_600_000;
function flat(values: Array<number | null>, periodSeconds = 3600, ceilingMiB: number | null = 1024): MemorySeries {
  return {
    source: 'aws-ecs-service',
    scope: 'service',
    periodSeconds,
    ceilingMiB,
    points: values.flatMap((v, i) => (v === null ? [] : [{ t: i * periodSeconds * 1000, maxMiB: v, avgMiB: v * 0.8 }])),
  };
}

describe('renderSparkline', () => {
  it('scales to the limit and writes the legend', () => {
    const s = renderSparkline(flat([128, 256, 512, 1024]), { cells: 4 });
    expect(s.line).toBe('▁▂▄█');
    expect(s.legend).toBe('limit 1024 MiB ┤ peak 1024 (100%) avg 384 · 4 h');
    expect(s.text).toBe(`${s.line}\n${s.legend}`);
  });
  it('shows 99 % as nearly full, with the percent', () => {
    const s = renderSparkline(flat([700, 1019]), { cells: 2 });
    expect(s.line).toBe('▆█');
    expect(s.legend).toContain('peak 1019 (100%)');
    const t = renderSparkline(flat([500, 1014]), { cells: 2 });
    expect(t.legend).toContain('peak 1014 (99%)');
  });
  it('marks gaps with a dot and says so', () => {
    const s = renderSparkline(flat([512, null, null, 512]), { cells: 4, start: 0, end: 4 * H });
    expect(s.line).toBe(`▄${GAP}${GAP}▄`);
    expect(s.gapCells).toBe(2);
    expect(s.legend).toContain(`'${GAP}' = no data`);
  });
  it('takes the highest point of each cell', () => {
    const s = renderSparkline(flat([100, 1024, 100, 100]), { cells: 2 });
    expect(s.line).toBe('█▁');
  });
  it('stretches above the limit (soft-limit-only tasks pass 100 %)', () => {
    const s = renderSparkline(flat([256, 512, 768, 1024], 3600, 512), { cells: 4 });
    expect(s.line).toBe('▂▄▆█');
    expect(s.overLimitCells).toBe(2);
    expect(s.legend).toContain('peak 1024 (200%)');
    expect(s.legend).toContain('above the limit in 2/4 cells');
  });
  it('no data, no series, all-null points: clear text', () => {
    for (const s of [renderSparkline(null), renderSparkline(flat([])), renderSparkline({ ...flat([1]), points: [{ t: 0, maxMiB: null, avgMiB: null }] })]) {
      expect(s.line).toBe('');
      expect(s.text).toBe(NO_DATA_TEXT);
    }
  });
  it('no limit: scales to the peak', () => {
    const s = renderSparkline(flat([50, 100], 3600, null), { cells: 2 });
    expect(s.line).toBe('▄█');
    expect(s.legend).toMatch(/^no limit known ┤ peak 100 MiB/);
  });
  it('uses about 48 cells by default, only block or gap characters', () => {
    const s = renderSparkline(flat(Array.from({ length: 300 }, (_, i) => (i * 7) % 1024), 300));
    expect(Array.from(s.line)).toHaveLength(48);
    expect(Array.from(s.line).every((c) => (BLOCKS as readonly string[]).includes(c) || c === GAP)).toBe(true);
  });
  it('falls back to Average when Maximum is missing', () => {
    const series = flat([0, 0]);
    series.points = [{ t: 0, maxMiB: null, avgMiB: 512 }, { t: H, maxMiB: null, avgMiB: 1024 }];
    expect(renderSparkline(series, { cells: 2 }).line).toBe('▄█');
  });
});
